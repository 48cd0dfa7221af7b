package dev.reactor.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The clients of {@code LoadTest}, in a child JVM of their own: plain java.nio (one Selector, one
 * thread), so nothing of the library is on the client side. They open as many connections as both
 * processes' fd limits allow and keep them all open; each echoes rounds of bytes that depend on
 * its index, the round and the offset, every byte of the echo checked (a byte that went to the
 * wrong connection, was lost, doubled or reordered shows as a mismatch). Every 64th connection is
 * a slow reader (a 4 KiB receive buffer) sending 16 times as much, so the server's writes back up.
 *
 * <p>Connecting: at most {@code window} connections are unfinished at once (connecting, or waiting
 * for their first echo). A connection's echo proves that the server accepted it, so the server's
 * accept queue never holds more than {@code window} (the listen backlog and
 * {@code net.core.somaxconn} are 4,096 here); beyond the queue the kernel drops the handshake's
 * last ACK and the client waits for a retransmission. Connection i goes to the i-th port mod their
 * number: connect() takes a source port of one parity first (14,116 of the 28,232 here) and, once
 * those are in use towards a destination, scans them all on each further connect (measured with
 * one port: 5.2 s in connect() for 19,934 connections; 0.7 s spread over four). Then every round
 * runs on all connections at once. Protocol on stdout: {@code PLAN connections= limit= fds=},
 * {@code ECHOED connections= sent= checked= connectMillis= roundsMillis=}, then, once stdin says
 * {@code close}, {@code CLOSED connections=}.
 *
 * <p>Arguments: the server's ports (comma-separated), its fd headroom, the fd reserve, bytes per
 * round, rounds, window.
 */
public final class LoadClients {
    /** A hang guard: this long with no connection ready fails the run (a working run never comes close). */
    private static final Duration STALL = Duration.ofMinutes(2);
    private static final int IO_BYTES = 64 * 1024;

    /** Every SLOW_EVERY-th connection reads slowly (a small receive buffer) and sends SLOW_FACTOR times more. */
    private static final int SLOW_EVERY = 64;
    private static final int SLOW_FACTOR = 16;
    private static final int SLOW_RCVBUF_BYTES = 4096;

    private static boolean slow(int conn) {
        return conn % SLOW_EVERY == SLOW_EVERY - 1;
    }

    /** Bytes connection conn sends (and gets back) in each round: a length of its own. */
    public static long length(int conn, int bytesPerRound) {
        return (long) bytesPerRound * (slow(conn) ? SLOW_FACTOR : 1) + conn % 64;
    }

    /** What n connections send in all, over every round. */
    public static long totalBytes(int n, int bytesPerRound, int rounds) {
        long total = 0;
        for (int i = 0; i < n; i++) total += length(i, bytesPerRound) * rounds;
        return total;
    }

    private static final class Conn {
        final int index;
        final SocketChannel channel;
        SelectionKey key;
        int round;
        long length;
        long sent;
        long received;

        Conn(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final InetSocketAddress[] servers;
    private final int bytesPerRound;
    private final int rounds;
    private final ByteBuffer out = ByteBuffer.allocateDirect(IO_BYTES);
    private final ByteBuffer in = ByteBuffer.allocateDirect(IO_BYTES + 1);   // +1: a byte too many shows
    private long bytesSent;
    private long bytesChecked;

    private LoadClients(Selector selector, InetSocketAddress[] servers, int bytesPerRound, int rounds) {
        this.selector = selector;
        this.servers = servers;
        this.bytesPerRound = bytesPerRound;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        String[] ports = args[0].split(",");
        int serverHeadroom = Integer.parseInt(args[1]);
        int reserve = Integer.parseInt(args[2]);
        int bytesPerRound = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        int window = Integer.parseInt(args[5]);
        try (Selector selector = Selector.open()) {
            SocketChannel.open().close();   // the fds the JDK keeps after its first socket are counted below
            int limit = ProcSelf.openFileLimit();
            int fds = ProcSelf.openFds();
            int n = Math.min(serverHeadroom, limit - fds - reserve);
            System.out.println("PLAN connections=" + n + " limit=" + limit + " fds=" + fds);

            InetSocketAddress[] servers = new InetSocketAddress[ports.length];
            for (int i = 0; i < ports.length; i++) {
                servers[i] = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(ports[i]));
            }
            LoadClients load = new LoadClients(selector, servers, bytesPerRound, rounds);
            Conn[] conns = new Conn[n];
            long t0 = System.nanoTime();
            load.connectAll(conns, window);
            long t1 = System.nanoTime();
            load.remainingRounds(conns);
            long t2 = System.nanoTime();
            System.out.println("ECHOED connections=" + n + " sent=" + load.bytesSent + " checked=" + load.bytesChecked
                    + " connectMillis=" + (t1 - t0) / 1_000_000 + " roundsMillis=" + (t2 - t1) / 1_000_000);

            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = stdin.readLine();
            if (!"close".equals(line)) throw new AssertionError("expected close on stdin, got " + line);
            for (Conn c : conns) c.channel.close();
            selector.selectNow();           // a closed channel's fd is released once its key is flushed
            System.out.println("CLOSED connections=" + n);
        }
    }

    /** Opens conns.length connections, at most window unfinished at once; each echoes its round 0. */
    private void connectAll(Conn[] conns, int window) throws IOException {
        int opened = 0;
        int unfinished = 0;
        int done = 0;
        while (done < conns.length) {
            for (; opened < conns.length && unfinished < window; opened++, unfinished++) {
                conns[opened] = open(opened);
            }
            for (Conn c : ready()) {
                if (step(c)) {             // round 0 echoed: idle until the other rounds
                    c.key.interestOps(0);
                    c.round++;
                    unfinished--;
                    done++;
                }
            }
        }
    }

    /** Rounds 1 and on, on every connection at once. */
    private void remainingRounds(Conn[] conns) throws IOException {
        if (rounds == 1) return;
        for (Conn c : conns) start(c);
        int done = 0;
        while (done < conns.length) {
            for (Conn c : ready()) {
                if (!step(c)) continue;
                if (++c.round < rounds) {
                    start(c);
                } else {
                    c.key.interestOps(0);
                    done++;
                }
            }
        }
    }

    private Conn open(int index) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        // Before connect: the receive buffer decides the window scale the handshake offers.
        if (slow(index)) ch.setOption(StandardSocketOptions.SO_RCVBUF, SLOW_RCVBUF_BYTES);
        Conn c = new Conn(index, ch);
        boolean connected = ch.connect(servers[index % servers.length]);
        c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
        if (connected) start(c);
        return c;
    }

    private void start(Conn c) {
        c.length = length(c.index, bytesPerRound);
        c.sent = 0;
        c.received = 0;
        c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private final List<Conn> readyNow = new ArrayList<>();

    /** The connections the selector reports next (waits for some; fails after STALL without any). */
    private List<Conn> ready() throws IOException {
        readyNow.clear();
        long end = System.nanoTime() + STALL.toNanos();
        while (readyNow.isEmpty()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("clients: no connection ready for " + STALL);
            selector.select(1_000);
            for (SelectionKey k : selector.selectedKeys()) readyNow.add((Conn) k.attachment());
            selector.selectedKeys().clear();
        }
        return readyNow;
    }

    /** Moves c's bytes as far as they go now; true when its round is fully echoed. */
    private boolean step(Conn c) throws IOException {
        SelectionKey key = c.key;
        if (key.isConnectable()) {
            if (c.channel.finishConnect()) start(c);
            return false;
        }
        if (key.isWritable() && c.sent < c.length) {
            out.clear().limit((int) Math.min(IO_BYTES, c.length - c.sent));
            Payload.fill(out, c.index, c.round, c.sent);
            out.flip();
            int n = c.channel.write(out);
            c.sent += n;
            bytesSent += n;
            if (c.sent == c.length) key.interestOps(SelectionKey.OP_READ);
        }
        if (key.isReadable()) {
            in.clear().limit((int) Math.min(IO_BYTES, c.length - c.received) + 1);
            int n = c.channel.read(in);
            if (n < 0) {
                throw new AssertionError("connection " + c.index + " round " + c.round + ": closed by the server after "
                        + c.received + " of " + c.length + " bytes");
            }
            if (c.received + n > c.sent) {
                throw new AssertionError("connection " + c.index + " round " + c.round + ": " + (c.received + n)
                        + " bytes back, only " + c.sent + " sent");
            }
            in.flip();
            Payload.check(in, c.index, c.round, c.received);
            c.received += n;
            bytesChecked += n;
            return c.received == c.length;
        }
        return false;
    }

    /** The bytes of connection conn, round round: a function of the three and the offset. */
    static final class Payload {
        private Payload() { }

        static long word(int conn, int round, long wordIndex) {
            long z = conn * 0x9E3779B97F4A7C15L + round * 0xC2B2AE3D27D4EB4FL + wordIndex;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;   // splitmix64's finalizer
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** Fills b from its position to its limit with the bytes at [offset, offset + remaining). */
        static void fill(ByteBuffer b, int conn, int round, long offset) {
            long o = offset;
            while (b.hasRemaining()) {
                long w = word(conn, round, o >>> 3);
                for (int shift = (int) (o & 7); shift < 8 && b.hasRemaining(); shift++, o++) {
                    b.put((byte) (w >>> (shift << 3)));
                }
            }
        }

        /** Checks b's remaining bytes against [offset, offset + remaining); consumes them. */
        static void check(ByteBuffer b, int conn, int round, long offset) {
            long o = offset;
            while (b.hasRemaining()) {
                long w = word(conn, round, o >>> 3);
                for (int shift = (int) (o & 7); shift < 8 && b.hasRemaining(); shift++, o++) {
                    byte expected = (byte) (w >>> (shift << 3));
                    byte got = b.get();
                    if (got != expected) {
                        throw new AssertionError(String.format("connection %d round %d byte %d: expected 0x%02x, got 0x%02x",
                                conn, round, o, expected & 0xFF, got & 0xFF));
                    }
                }
            }
        }
    }
}
