package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.ChildProcess;
import dev.reactor.testing.ChildProcess.Report;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.LoadClients;
import dev.reactor.testing.ProcSelf;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load: as many concurrent TCP connections as the per-process fd limit allows, every byte of
 * every echo checked. The server is a child JVM (fixed heap) with one reactor: four listeners and
 * an echo Context per connection. The clients are another child JVM, plain java.nio
 * ({@link LoadClients}). Both run at {@link #FD_LIMIT} fds; the clients open
 * N = limit − max(fds either process has open already) − {@link #RESERVE_FDS}, each measured from
 * /proc/self/fd in the child. All N are open at once (the server counts its registrations then),
 * each echoes its rounds of bytes (derived from its index), then the clients close and the
 * server must be back at the fds it had before, having logged nothing.
 *
 * <p>Sizes: the default (heavy tier) echoes {@link #DEFAULT}; {@code -Ddev.reactor.test.load=full}
 * ({@code make soak}) echoes {@link #FULL}.
 */
@Heavy
class LoadTest {
    /** The machine's hard RLIMIT_NOFILE: the children's soft limit is raised to it. */
    private static final int FD_LIMIT = 20_000;
    /** Fds each process keeps free: /proc listings, class files, the JDK's own. */
    private static final int RESERVE_FDS = 32;
    /** Connections unfinished (connecting, or waiting for their first echo) at once: below the backlog of 4,096. */
    private static final int CONNECT_WINDOW = 1_000;
    /** Listening ports (one reactor): see LoadClients on connect()'s search for a free port. */
    private static final int LISTENERS = 4;
    /** A hang guard per step: generous, never reached by a run that works. */
    private static final Duration STEP_DEADLINE = Duration.ofMinutes(10);

    record Size(int bytesPerRound, int rounds) { }

    static final Size DEFAULT = new Size(4 * 1024, 2);
    static final Size FULL = new Size(64 * 1024, 8);

    @Test
    @LinuxOnly("/proc/self/limits")
    void shouldEchoEveryByteOverAsManyConnectionsAsTheFdLimitAllowsAndEndWithNoFdLeft() throws Exception {
        Size size = "full".equals(System.getProperty("dev.reactor.test.load")) ? FULL : DEFAULT;
        long t0 = System.nanoTime();
        try (ChildProcess server = ChildProcess.start("server", FD_LIMIT, Server.class, List.of("-Xms128m", "-Xmx128m"),
                List.of(String.valueOf(RESERVE_FDS), String.valueOf(LISTENERS)), STEP_DEADLINE)) {
            Report ready = server.expect("READY");
            long serverFds = ready.num("fds");
            try (ChildProcess clients = ChildProcess.start("clients", FD_LIMIT, LoadClients.class, List.of("-Xmx256m"),
                    List.of(ready.get("ports"), ready.get("headroom"), String.valueOf(RESERVE_FDS),
                            String.valueOf(size.bytesPerRound()), String.valueOf(size.rounds()), String.valueOf(CONNECT_WINDOW)),
                    STEP_DEADLINE)) {
                Report plan = clients.expect("PLAN");
                int n = (int) plan.num("connections");
                assertEquals(FD_LIMIT, plan.num("limit"), "the clients' fd limit");
                assertTrue(n >= 19_000, "connections planned: " + plan.line() + "; server: " + ready.line());

                Report echoed = clients.expect("ECHOED");
                long expectedBytes = LoadClients.totalBytes(n, size.bytesPerRound(), size.rounds());
                assertEquals(n, echoed.num("connections"));
                assertEquals(expectedBytes, echoed.num("sent"), "bytes sent");
                assertEquals(expectedBytes, echoed.num("checked"), "bytes checked");

                server.send("peak");
                Report peak = server.expect("PEAK");
                assertEquals(n, peak.num("registered"), "connections registered while all were open");
                assertEquals(n, peak.num("most"), "most connections the server ever had at once");
                assertEquals(n, peak.num("newSockets"), "sockets the server opened");
                assertEquals(0, peak.num("newOther"), "other fds the server opened: " + peak.line());

                clients.send("close");
                clients.expect("CLOSED");
                assertEquals(0, clients.exitCode(), "clients' exit code");

                server.send("drain");
                Report after = server.expect("AFTER");
                assertEquals(0, server.exitCode(), "server's exit code");
                assertEquals(0, after.num("opened"), "fds the server has open now and had not before the load");
                assertEquals(serverFds, after.num("fds"), "server fds after every connection closed");
                assertEquals(0, after.num("logged"), "warnings and errors the server logged");
                assertEquals(expectedBytes, after.num("echoed"), "bytes the server echoed");

                System.out.printf("load (%s): %,d connections at once (fd limit %,d; server had %d fds open,"
                                + " clients %d; reserve %d),"
                                + " %d rounds of ~%,d B: %,d B echoed, every byte checked; connect + round 0 %,d ms,"
                                + " other rounds %,d ms, wall %,d ms (both JVMs' start included); server RSS before %,d KB,"
                                + " all open %,d KB, after %,d KB (high-water %,d KB); server partial writes %,d%n",
                        ready.get("backend"), n, FD_LIMIT, serverFds, plan.num("fds"), RESERVE_FDS, size.rounds(),
                        size.bytesPerRound(), expectedBytes, echoed.num("connectMillis"), echoed.num("roundsMillis"),
                        (System.nanoTime() - t0) / 1_000_000, ready.num("rss") >> 10, peak.num("rss") >> 10,
                        after.num("rss") >> 10, after.num("hwm") >> 10, after.num("partialWrites"));
            }
        }
    }

    /**
     * The server: one reactor on the main thread, listening on ports of 127.0.0.1, an
     * {@link EchoConnection} per connection, and its commands on stdin (fd 0, registered borrowed
     * like any other fd). Prints {@code READY backend= ports= fds= rss= headroom=}; on {@code peak},
     * {@code PEAK registered= most= newSockets= newOther= rss=}; on {@code drain}, once every
     * connection has closed, {@code AFTER fds= rss= hwm= opened= logged= echoed= partialWrites=},
     * and exits. Sizes in bytes.
     */
    public static final class Server {
        /**
         * Each accepted socket's SO_SNDBUF (tcp_wmem's initial size; the kernel doubles it), fixed
         * so that the echo's partial-write path runs: on loopback, where the MSS is 64 KiB,
         * autotuning grows a send buffer to megabytes at once, and no echo write was partial in
         * 10.4 GB. Fixed, ~2,000 are in the default size, ~150,000 in the full one.
         */
        private static final int SEND_BUFFER_BYTES = 16 * 1024;
        private static final Logger LIBRARY_LOG = Logger.getLogger("dev.reactor");   // held: JUL keeps loggers weakly

        private final Reactor reactor;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);   // one loop thread: shared
        private FdSnapshot before;
        private int baseRegistrations;
        private int connections;
        private int maxConnections;
        private long echoedBytes;
        private long partialWrites;
        private int logged;
        private boolean draining;

        private Server(Reactor reactor) {
            this.reactor = reactor;
        }

        public static void main(String[] args) throws Exception {
            int reserve = Integer.parseInt(args[0]);
            int listeners = Integer.parseInt(args[1]);
            try (Reactor reactor = Reactor.open()) {
                Server server = new Server(reactor);
                LIBRARY_LOG.addHandler(new Handler() {   // reactor.run() is the only thread that logs
                    @Override public void publish(LogRecord r) {
                        if (r.getLevel().intValue() >= Level.WARNING.intValue()) server.logged++;
                    }
                    @Override public void flush() { }
                    @Override public void close() { }
                });
                ConnectionHandler echo = (r, fd, peer) -> {
                    server.connections++;
                    server.maxConnections = Math.max(server.maxConnections, server.connections);
                    Sockets.setSendBufferSize(fd, SEND_BUFFER_BYTES);
                    return new EchoConnection(fd, server);
                };
                StringJoiner ports = new StringJoiner(",");
                for (int i = 0; i < listeners; i++) {
                    int fd = reactor.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo);
                    ports.add(String.valueOf(Sockets.localPort(fd)));
                }
                reactor.register(new Commands(server));
                server.baseRegistrations = reactor.registrations();
                server.before = FdSnapshot.take();
                int headroom = ProcSelf.openFileLimit() - server.before.size() - reserve;
                System.out.println("READY backend=" + reactor.backend() + " ports=" + ports + " fds=" + server.before.size()
                        + " rss=" + ProcSelf.rssBytes() + " headroom=" + headroom);
                reactor.run();
            }
        }

        void command(String line) {
            switch (line) {
                case "peak" -> {
                    List<String> opened = before.opened();
                    long sockets = opened.stream().filter(f -> f.contains(" -> socket:")).count();
                    List<String> other = opened.stream().filter(f -> !f.contains(" -> socket:")).toList();
                    System.out.println("PEAK registered=" + (reactor.registrations() - baseRegistrations)
                            + " most=" + maxConnections + " newSockets=" + sockets + " newOther=" + other.size() + " rss=" + ProcSelf.rssBytes()
                            + (other.isEmpty() ? "" : " (other: " + other + ")"));
                }
                case "drain" -> {
                    draining = true;
                    drained();
                }
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
        }

        void closed(int fd) {
            reactor.close(fd);
            ended();
        }

        void ended() {
            connections--;
            drained();
        }

        private void drained() {
            if (!draining || reactor.registrations() != baseRegistrations) return;
            List<String> opened = before.opened();
            if (!opened.isEmpty()) System.out.println("opened since READY: " + opened);
            System.out.println("AFTER fds=" + ProcSelf.openFds() + " rss=" + ProcSelf.rssBytes()
                    + " hwm=" + ProcSelf.peakRssBytes() + " opened=" + opened.size() + " logged=" + logged
                    + " echoed=" + echoedBytes + " partialWrites=" + partialWrites);
            reactor.stop();
        }
    }

    /**
     * Writes back everything it reads. When the kernel takes only part of a write, the rest is
     * kept and the fd watched for WRITE only (no more reading) until it is out; then READ again.
     * Closes at end of stream.
     */
    static final class EchoConnection implements Context {
        private final int fd;
        private final Server server;
        private ByteBuffer unsent;   // null when everything read was written

        EchoConnection(int fd, Server server) {
            this.fd = fd;
            this.server = server;
        }

        @Override public int fd() { return fd; }

        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor reactor, int events) throws IOException {
            if (unsent != null) {
                server.echoedBytes += Fds.write(fd, unsent);
                if (unsent.hasRemaining()) return;           // still full: the next WRITABLE
                unsent = null;
                reactor.interest(fd, Interest.READ);
                return;
            }
            ByteBuffer buf = server.buffer.clear();
            int n = Fds.read(fd, buf);
            if (n < 0) {
                server.closed(fd);
                return;
            }
            buf.flip();
            server.echoedBytes += Fds.write(fd, buf);
            if (buf.hasRemaining()) {                        // a copy of what is left: the buffer is shared
                server.partialWrites++;
                unsent = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
                reactor.interest(fd, Interest.WRITE);
            }
        }

        /** A read or write failed: logged (so the test fails) and closed, as by default; then counted. */
        @Override
        public void onError(Reactor reactor, Exception error) {
            Context.super.onError(reactor, error);
            server.ended();
        }
    }

    /** The server's stdin: one command per line. */
    static final class Commands implements Context {
        private final Server server;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(256);
        private final StringBuilder line = new StringBuilder();

        Commands(Server server) {
            this.server = server;
        }

        @Override public int fd() { return 0; }

        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor reactor, int events) throws IOException {
            if (Fds.read(0, buf.clear()) < 0) {
                System.err.println("server: stdin closed; exiting");
                System.exit(3);
            }
            buf.flip();
            while (buf.hasRemaining()) {
                char c = (char) buf.get();
                if (c != '\n') {
                    line.append(c);
                    continue;
                }
                server.command(line.toString());
                line.setLength(0);
            }
        }
    }
}
