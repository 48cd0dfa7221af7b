package dev.reactor.examples;

import dev.reactor.ConnectOptions;
import dev.reactor.ConnectionHandler;
import dev.reactor.Context;
import dev.reactor.Reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A Redis client living in a reactor's loop: one connection made with {@link Reactor#connect},
 * commands pipelined on it, replies matched to callbacks in order (Redis answers in order).
 * When the connection fails or drops, pending callbacks fail and it reconnects every
 * {@code retry}. Loop-thread only.
 */
final class RedisClient implements ConnectionHandler {
    /** A command's outcome: the reply (String, Long, List, null), or an error. */
    @FunctionalInterface
    interface Reply {
        void onReply(Object value, IOException error);
    }

    private final Reactor reactor;
    private final InetSocketAddress address;
    private final Duration retry;
    private RedisConnection connection;
    private boolean connecting;
    private boolean closed;
    private String lastProblem = "not connected yet";
    long commands;
    long connects;

    RedisClient(Reactor reactor, InetSocketAddress address, Duration retry) {
        this.reactor = reactor;
        this.address = address;
        this.retry = retry;
    }

    /** Starts connecting; returns at once. */
    void start() {
        connect();
    }

    boolean available() {
        return connection != null;
    }

    InetSocketAddress address() {
        return address;
    }

    /** "connected", or why not. */
    String status() {
        return connection != null ? "connected" : "unavailable (" + lastProblem + ")";
    }

    /** Sends a command; the reply arrives on the loop thread. Fails at once when not connected. */
    void call(Reply reply, String... args) {
        RedisConnection c = connection;
        if (c == null) {
            reply.onReply(null, new IOException("Redis is unavailable at "
                    + address.getAddress().getHostAddress() + ":" + address.getPort() + ": " + lastProblem));
            return;
        }
        c.call(reply, Resp.encode(args));
    }

    void close() {
        closed = true;
        if (connection != null) connection.close(reactor);
    }

    private void connect() {
        // reactor closed: a retry timer may still fire in the loop's last iteration, where only cleanup works
        if (closed || connecting || connection != null || reactor.isClosed()) return;
        connecting = true;
        try {
            reactor.connect(address, ConnectOptions.timeout(Duration.ofSeconds(2)), this);
        } catch (IOException e) {
            connecting = false;
            lastProblem = e.getMessage();
            retryLater();
        }
    }

    private void retryLater() {
        if (!closed && !reactor.isClosed()) reactor.timeout(retry, (r, id) -> connect());
    }

    @Override
    public Context onConnection(Reactor r, int fd, SocketAddress peer) {
        connecting = false;
        connects++;
        if (closed) return null;
        connection = new RedisConnection(fd);
        return connection;
    }

    @Override
    public void onConnectFailed(Reactor r, SocketAddress a, IOException cause) {
        connecting = false;
        lastProblem = cause.getMessage();
        retryLater();
    }

    /** The socket to Redis: requests out, replies in, callbacks in order. */
    private final class RedisConnection extends BufferedConnection {
        private final ArrayDeque<Reply> pending = new ArrayDeque<>();

        RedisConnection(int fd) {
            super(fd, 64 * 1024, 64 * 1024);
        }

        void call(Reply reply, byte[] command) {
            if (out.remaining() < command.length) {   // Redis is slower than our callers: shed load
                reply.onReply(null, new IOException("Redis at " + address + " is busy: too many commands queued"));
                return;
            }
            send(ByteBuffer.wrap(command));
            pending.add(reply);
            commands++;
            try {
                pump(reactor);
            } catch (Exception e) {
                onError(reactor, e);
            }
        }

        @Override
        protected void consume(Reactor r, ByteBuffer input) {
            Object value;
            while (!pending.isEmpty() && (value = Resp.decode(input)) != Resp.INCOMPLETE) {
                Reply reply = pending.poll();
                if (value instanceof Resp.Error) reply.onReply(null, new IOException("Redis: " + ((Resp.Error) value).message()));
                else reply.onReply(value, null);
            }
        }

        @Override
        protected boolean wantsInput() {
            return true;   // replies are small and always consumed: never stop reading them
        }

        @Override
        protected void onClosed(Reactor r) {
            connection = null;
            lastProblem = "connection lost";
            IOException lost = new IOException("Redis at " + address + ": connection lost");
            Reply reply;
            while ((reply = pending.poll()) != null) reply.onReply(null, lost);
            retryLater();
        }
    }
}
