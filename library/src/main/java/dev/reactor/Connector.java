package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * The Context of a socket being connected: waits for writability, reads SO_ERROR, and either hands
 * the socket to the {@link ConnectionHandler} (which then owns the fd's registration) or closes it
 * and reports the failure. A timer bounds the wait. The handler never runs inside
 * {@link Reactor#connect}: even an immediate result is delivered from the loop.
 */
final class Connector implements Context {

    private final int fd;
    private final SocketAddress address;
    private final ConnectOptions options;
    private final ConnectionHandler handler;
    /** An errno connect(2) returned at once, reported from the loop on the first callback. */
    private int immediateErrno;
    private long timeoutId = -1;

    private Connector(int fd, SocketAddress address, ConnectOptions options, ConnectionHandler handler) {
        this.fd = fd;
        this.address = address;
        this.options = options;
        this.handler = handler;
    }

    /** socket, connect (non-blocking), register for WRITE, arm the timeout. Returns the connecting fd. */
    static int connect(Reactor reactor, SocketAddress address, ConnectOptions options, ConnectionHandler handler)
            throws IOException {
        int fd = Sockets.open(address);
        Connector c = new Connector(fd, address, options, handler);
        try {
            if (Sockets.isTcp(address) && options.tcpNoDelay()) Sockets.setTcpNoDelay(fd, true);
            try {
                Sockets.connect(fd, address);
            } catch (ReactorException e) {
                c.immediateErrno = e.errno();   // refused, unreachable...: goes to onConnectFailed
            }
            reactor.register(c, Ownership.OWNED);
        } catch (IOException | RuntimeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
        if (c.immediateErrno != 0) {
            reactor.timeoutNanos(0, fd);
        } else if (!options.timeout().isZero()) {
            c.timeoutId = reactor.timeout(options.timeout(), fd);
        }
        return fd;
    }

    @Override public int fd() { return fd; }

    @Override public int interest() { return Interest.WRITE; }

    @Override
    public void onEvent(Reactor reactor, int events) throws Exception {
        int errno = immediateErrno != 0 ? immediateErrno : Sockets.socketError(fd);
        if (errno != 0) {
            fail(reactor, new ReactorException(call(), errno));
            return;
        }
        if (!Events.isWritable(events)) return;   // not done yet
        if (timeoutId >= 0) reactor.cancel(timeoutId);
        reactor.deregister(fd);
        Handover.open(reactor, handler, fd, address);
    }

    @Override
    public void onTimeout(Reactor reactor, long timerId) {
        if (immediateErrno != 0) {
            fail(reactor, new ReactorException(call(), immediateErrno));
        } else {
            fail(reactor, new ReactorException(call(), Errno.ETIMEDOUT,
                    "timed out after " + options.timeout().toMillis() + " ms (" + Errno.describe(Errno.ETIMEDOUT) + ")"));
        }
    }

    /** SO_ERROR itself failed: report it like any connect failure. */
    @Override
    public void onError(Reactor reactor, Exception error) {
        fail(reactor, error instanceof IOException ? (IOException) error : new IOException(call() + ": failed", error));
    }

    private void fail(Reactor reactor, IOException cause) {
        if (!reactor.isClosed()) {            // a closing reactor closes its own fds and drops timers
            if (timeoutId >= 0) reactor.cancel(timeoutId);
            reactor.close(fd);
        }
        try {
            handler.onConnectFailed(reactor, address, cause);
        } catch (RuntimeException e) {
            e.addSuppressed(cause);
            Logs.warning(() -> call() + ": onConnectFailed threw", e);
        }
    }

    private String call() {
        return "connect(fd=" + fd + ", " + address + ")";
    }

    @Override public String toString() {
        return "Connector{fd=" + fd + ", " + address + "}";
    }
}
