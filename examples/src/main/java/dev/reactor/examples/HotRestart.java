package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.ConnectionHandler;
import dev.reactor.Errno;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorException;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Example: a zero-downtime restart. The HTTP example's server, plus a control socket (a Unix
 * socket path). Start it again with the same path and the new process takes over: it connects
 * to the path and asks; the running one stops accepting (it deregisters its listener, which
 * stays open) and passes the listening socket over the control connection with
 * {@link Sockets#sendFds}; the new one adopts it with {@link Reactor#listen(int, ConnectionHandler)}
 * and says so; the old one closes its copy, answers each open connection's next request with
 * {@code Connection: close}, and exits 0 when the last one is closed (or after the drain
 * deadline). The port never stops listening: connections that arrive meanwhile wait in the
 * socket's accept queue, which belongs to the socket, not to a process.
 *
 * <p>{@code java ... dev.reactor.examples.HotRestart CONTROL_PATH [PORT] [DRAIN_SECONDS]}
 * (port default 8081, 0 for any; drain deadline 30 s). {@code GET /pid} says which process
 * answered; the HTTP example's routes work too. The control protocol is one byte each way:
 * {@code H} (hand over), then the listener with its bytes {@code "listener <pid>"}, {@code A}
 * (adopted), {@code D} (done: the path is free). If the new process goes away before
 * {@code A}, the old one takes its listener back and goes on serving.
 *
 * <p>Each line it prints is {@code WORD key=value ...}: {@code SERVING pid= port= adopted=},
 * {@code HANDED pid= fd=}, {@code RESUMED}, {@code DRAINING open=}, {@code EXITING pid= requests=}.
 */
public final class HotRestart {
    private static final String USAGE = "HotRestart CONTROL_PATH [PORT] [DRAIN_SECONDS]  (port default 8081, 0: any;"
            + " drain default 30 s)";
    private static final long PID = ProcessHandle.current().pid();

    private final Reactor reactor;
    private final UnixDomainSocketAddress controlPath;
    private final Duration drainFor;
    private final HttpServer.Stats stats = new HttpServer.Stats();
    private int listener = -1;
    private int control = -1;
    private boolean handingOver;
    /** Taking over failed: exit 1. */
    private boolean failed;

    private HotRestart(Reactor reactor, UnixDomainSocketAddress controlPath, Duration drainFor) {
        this.reactor = reactor;
        this.controlPath = controlPath;
        this.drainFor = drainFor;
    }

    public static void main(String[] args) throws IOException {
        UnixDomainSocketAddress path = null;
        int port = 8081;
        int drainSeconds = 30;
        try {
            if (args.length < 1 || args.length > 3) throw new Usage.Error("expected 1 to 3 arguments, got " + args.length);
            path = UnixDomainSocketAddress.of(args[0]);
            if (args.length > 1) port = Usage.port("port", args[1]);
            if (args.length > 2) drainSeconds = Usage.count("drain seconds", args[2]);
        } catch (Usage.Error e) {
            Usage.exit("HotRestart", USAGE, e);
        }
        HotRestart server;
        try (Reactor reactor = Reactor.open()) {
            server = new HotRestart(reactor, path, Duration.ofSeconds(drainSeconds));
            int running = server.connectToRunning();
            if (running < 0) {
                server.serve(reactor.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), server.http()), false);
            } else {
                reactor.register(server.new Taker(running), dev.reactor.Ownership.OWNED);
                Fds.write(running, ByteBuffer.wrap(new byte[] {'H'}));   // a fresh Unix socket has room for one byte
            }
            reactor.run();
        }
        if (server.failed) System.exit(1);
    }

    private ConnectionHandler http() {
        return (r, fd, peer) -> new HttpConnection(fd, HotRestart::routes, stats);
    }

    private static void routes(Reactor r, HttpRequest request, HttpResponse response) {
        if (request.path().equals("/pid")) response.send(200, HttpServer.TEXT, "pid " + PID + "\n");
        else HttpServer.basicRoutes(r, request, response);
    }

    /** The control socket of a server already running at the path, connected; -1 when there is none. */
    private int connectToRunning() throws IOException {
        int fd = Sockets.open(controlPath);
        try {
            if (Sockets.connect(fd, controlPath)) return fd;
            throw new IllegalStateException("a Unix socket connect in progress");   // not on Linux or the BSDs
        } catch (ReactorException e) {
            Fds.close(fd);
            if (e.errno() == Errno.ECONNREFUSED) Files.deleteIfExists(controlPath.getPath());   // left by a crash
            else if (e.errno() != Errno.ENOENT) throw e;
            return -1;
        }
    }

    /** Serves on the listener and opens the control socket for the next restart. */
    private void serve(int listenFd, boolean adopted) throws IOException {
        listener = listenFd;
        // Taking over, the old process freed the path before its D; without a D it is gone, its path stale.
        if (adopted) Files.deleteIfExists(controlPath.getPath());
        control = reactor.listen(controlPath, (r, fd, peer) -> new Giver(fd));
        System.out.println("SERVING pid=" + PID + " port=" + Sockets.localPort(listenFd) + " adopted=" + adopted);
    }

    // ---- the running process: hands its listener over ------------------------------------------

    /** A control connection to the running server: a new process asking for the listener. */
    private final class Giver implements Context {
        private final int fd;
        private final ByteBuffer in = ByteBuffer.allocate(16);
        private boolean sent;

        Giver(int fd) {
            this.fd = fd;
        }

        @Override public int fd() { return fd; }

        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor r, int events) throws IOException {
            int n = Fds.read(fd, in.clear());
            if (n == 0) return;
            if (n < 0) {                         // the new process is gone
                r.close(fd);
                if (sent) resume();
                return;
            }
            for (int i = 0; i < n; i++) {
                byte b = in.get(i);
                if (b == 'H' && !handingOver) handOver(r);
                else if (b == 'A' && sent) adopted(r);
            }
        }

        private void handOver(Reactor r) throws IOException {
            handingOver = true;
            // snippet: hand-over
            r.deregister(listener);              // stops accepting; the fd stays open, ours again
            ByteBuffer note = ByteBuffer.wrap(("listener " + PID).getBytes(StandardCharsets.UTF_8));
            if (Sockets.sendFds(fd, note, listener) == 0) throw new ReactorException("sendFds(fd=" + fd + ")", Errno.EAGAIN);
            // end snippet
            // A short send went with the fd: the rest is plain bytes.
            while (note.hasRemaining()) {
                if (Fds.write(fd, note) == 0) throw new ReactorException("write(fd=" + fd + ")", Errno.EAGAIN);
            }
            sent = true;
            System.out.println("HANDED pid=" + PID + " fd=" + listener);
        }

        /** The new process listens: close our copy and the control socket, free the path, drain. */
        private void adopted(Reactor r) throws IOException {
            Fds.close(listener);
            listener = -1;
            r.close(control);
            Files.deleteIfExists(controlPath.getPath());
            Fds.write(fd, ByteBuffer.wrap(new byte[] {'D'}));
            r.close(fd);
            stats.draining = true;
            System.out.println("DRAINING open=" + stats.connectionsOpen);
            long deadline = System.nanoTime() + drainFor.toNanos();
            r.timeout(Duration.ZERO, (rr, id) -> drain(rr, deadline));
        }

        @Override
        public void onError(Reactor r, Exception error) {
            System.err.println("HotRestart: control connection: " + error);
            r.close(fd);
            if (sent || handingOver) {
                try {
                    resume();
                } catch (IOException e) {
                    System.err.println("HotRestart: cannot take the listener back: " + e);
                    r.stop();
                }
            }
        }
    }

    /** The handover failed before the new process said it listens: accept again, as before. */
    private void resume() throws IOException {
        if (listener < 0 || !handingOver) return;
        handingOver = false;
        reactor.listen(listener, http());
        System.out.println("RESUMED pid=" + PID);
    }

    /** Waits for the open connections to end (each closes after its next answer), at most until the deadline. */
    private void drain(Reactor r, long deadlineNanos) {
        if (stats.connectionsOpen == 0 || System.nanoTime() - deadlineNanos > 0) {
            System.out.println("EXITING pid=" + PID + " requests=" + stats.requests + " open=" + stats.connectionsOpen);
            r.stop();                            // close() then closes whatever is left
            return;
        }
        r.timeout(Duration.ofMillis(10), (rr, id) -> drain(rr, deadlineNanos));
    }

    // ---- the new process: takes the listener over --------------------------------------------

    /** The control connection of the new process to the running one. */
    private final class Taker implements Context {
        private final int fd;
        private final ByteBuffer in = ByteBuffer.allocate(64);
        private final int[] fds = new int[1];
        private boolean adopted;

        Taker(int fd) {
            this.fd = fd;
        }

        @Override public int fd() { return fd; }

        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor r, int events) throws IOException {
            if (!adopted) {
                // snippet: take-over
                int n = Sockets.receiveFds(fd, in.clear(), fds);
                if (n == 0) return;
                if (n < 0 || fds[0] < 0) {
                    throw new IOException("the running server " + (n < 0 ? "closed the control connection" : "sent no fd"));
                }
                try {
                    r.listen(fds[0], http());
                } catch (IOException | RuntimeException e) {
                    Fds.close(fds[0]);           // refused: still ours; the old one takes its own back
                    throw e;
                }
                // end snippet
                adopted = true;
                listener = fds[0];
                Fds.write(fd, ByteBuffer.wrap(new byte[] {'A'}));
                return;
            }
            // After A: D (the path is free) or the end of the connection.
            int n = Fds.read(fd, in.clear());
            if (n == 0) return;
            r.close(fd);
            serve(listener, true);
        }

        @Override
        public void onError(Reactor r, Exception error) {
            System.err.println("HotRestart: taking over failed: " + error.getMessage());
            failed = true;
            r.stop();
        }
    }
}
