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
 * and says so; the old one closes its copy and its idle keep-alive connections, answers each
 * other open connection's next request with {@code Connection: close}, and exits 0 when the last one is closed (or after the drain
 * deadline). The port never stops listening: connections that arrive meanwhile wait in the
 * socket's accept queue, which belongs to the socket, not to a process.
 *
 * <p>{@code java ... dev.reactor.examples.HotRestart CONTROL_PATH [PORT] [DRAIN_SECONDS]}
 * (port default 8081, 0 for any; drain deadline 30 s). {@code GET /pid} says which process
 * answered; the HTTP example's routes work too. The control protocol is one byte each way:
 * {@code H} (hand over), then the listener with its bytes {@code "listener <pid>"}, {@code A}
 * (adopted), {@code D} (done: the path is free). If the new process goes away before
 * {@code A}, or says nothing for the handover deadline (10 s; system property
 * {@value #HANDOVER_SECONDS}), the old one closes that control connection, takes its listener
 * back and goes on serving; a second new process asking meanwhile is turned away (its control
 * connection closed). The new one gives up (exit 1) without a listener by the same deadline.
 * Once it has adopted the listener it keeps it: an error or the end of the control connection
 * then means the old process is gone, and the new one serves on. (If the old one's deadline
 * passes just as the new one adopts, both serve the port until one is stopped: never none.)
 *
 * <p>Access: any local process that can connect to the control path gets the listener. The
 * path's directory is the guard: keep it where only this server's user can reach it (a
 * directory of mode 0700).
 *
 * <p>Each line it prints is {@code WORD key=value ...}: {@code SERVING pid= port= adopted=},
 * {@code HANDED pid= fd=}, {@code RESUMED}, {@code DRAINING open=}, {@code EXITING pid= requests=};
 * and, for tests only, {@code PAUSED pid= step=}: with the system property {@value #PAUSE_AT}
 * set to {@code readable} (the new process, when the listener's message is readable, before it
 * receives it) or {@code handed} (the old one, right after HANDED), it stops its loop there
 * until a line comes on stdin, so that a test can kill it at that point.
 */
public final class HotRestart {
    private static final String USAGE = "HotRestart CONTROL_PATH [PORT] [DRAIN_SECONDS]  (port default 8081, 0: any;"
            + " drain default 30 s)";
    private static final long PID = ProcessHandle.current().pid();
    /** The system property with the handover deadline in seconds (default 10). */
    public static final String HANDOVER_SECONDS = "dev.reactor.examples.HotRestart.handoverSeconds";
    /** The system property naming the step to pause at (tests only): {@code readable} or {@code handed}. */
    public static final String PAUSE_AT = "dev.reactor.examples.HotRestart.pauseAt";

    private final Reactor reactor;
    private final UnixDomainSocketAddress controlPath;
    private final Duration drainFor;
    private final Duration handoverFor = Duration.ofSeconds(Long.getLong(HANDOVER_SECONDS, 10));
    private final HttpServer.Stats stats = new HttpServer.Stats();
    private int listener = -1;
    private int control = -1;
    /** A Giver is handing the listener over (deregistered): no other may start, and only it resumes. */
    private boolean handingOver;
    /** Taking over failed: exit 1. */
    private boolean failed;

    private HotRestart(Reactor reactor, UnixDomainSocketAddress controlPath, Duration drainFor) {
        this.reactor = reactor;
        this.controlPath = controlPath;
        this.drainFor = drainFor;
    }

    /**
     * Runs the server, or takes over from the one running at the control path.
     * @param args {@code CONTROL_PATH [PORT] [DRAIN_SECONDS]}
     * @throws IOException if the reactor or the listener cannot be set up
     */
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
                reactor.timeout(server.handoverFor, running);          // Taker.onTimeout: no listener in time
                // A fresh Unix socket has room for one byte; if not, say so rather than wait for nothing.
                if (Fds.write(running, ByteBuffer.wrap(new byte[] {'H'})) == 0) {
                    System.err.println("HotRestart: no room for H on the control connection (EAGAIN)");
                    server.failed = true;
                }
            }
            if (!server.failed) reactor.run();
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

    /** Test knob ({@value #PAUSE_AT}): at that step, says PAUSED and blocks the loop until a line on stdin. */
    private static void pauseAt(String step) {
        if (!step.equals(System.getProperty(PAUSE_AT))) return;
        System.out.println("PAUSED pid=" + PID + " step=" + step);
        try {
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            System.err.println("HotRestart: reading stdin at " + step + ": " + e);
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
        /** This connection's H started the handover, not yet adopted: only its failure takes the listener back. */
        private boolean owner;
        private boolean sent;
        private boolean closed;

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
                end(r);
                return;
            }
            for (int i = 0; i < n; i++) {
                byte b = in.get(i);
                if (b == 'H' && !handingOver) {
                    handOver(r);
                } else if (b == 'H' && !owner) {
                    System.err.println("HotRestart: a handover is in progress already: turning a second one away");
                    close(r);
                    return;
                } else if (b == 'A' && owner && sent) {
                    adopted(r);
                    return;
                }
            }
        }

        private void handOver(Reactor r) throws IOException {
            owner = true;
            handingOver = true;
            r.timeout(handoverFor, fd);          // onTimeout; dropped when this connection is closed
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
            pauseAt("handed");
        }

        /**
         * The new process listens: drain and exit, whatever fails below. So the drain is set up
         * first; closing our copy, the control socket, freeing the path and the D are best-effort.
         */
        private void adopted(Reactor r) {
            owner = false;                       // the listener is the new process's now: never resume
            stats.draining = true;
            long deadline = System.nanoTime() + drainFor.toNanos();
            r.timeout(Duration.ZERO, (rr, id) -> drain(rr, deadline));
            Fds.closeQuietly(listener);
            listener = -1;
            r.close(control);
            control = -1;
            for (HttpConnection c : new java.util.ArrayList<>(stats.open)) c.closeIfIdle(r);   // the rest at their next answer
            System.out.println("DRAINING open=" + stats.connectionsOpen);
            try {
                Files.deleteIfExists(controlPath.getPath());
            } catch (IOException e) {
                System.err.println("HotRestart: cannot delete the control path: " + e);
            }
            try {
                if (Fds.write(fd, ByteBuffer.wrap(new byte[] {'D'})) == 0) {
                    System.err.println("HotRestart: no room for D on the control connection (EAGAIN)");
                }
            } catch (ReactorException e) {       // the new process died after its A: nothing to tell
                System.err.println("HotRestart: cannot send D: " + e.getMessage());
            }
            close(r);
        }

        private void close(Reactor r) {
            if (closed) return;                  // the number may be another file's by now
            closed = true;
            r.close(fd);
        }

        /** No A within the handover deadline: the new process hangs. */
        @Override
        public void onTimeout(Reactor r, long timerId) {
            System.err.println("HotRestart: no A within " + handoverFor.toSeconds() + " s: the handover is off");
            end(r);
        }

        @Override
        public void onError(Reactor r, Exception error) {
            System.err.println("HotRestart: control connection: " + error);
            end(r);
        }

        /** This control connection ends before A: closed, and the listener taken back if its handover it was. */
        private void end(Reactor r) {
            close(r);
            if (!owner) return;
            owner = false;
            try {
                resume();
            } catch (IOException e) {
                System.err.println("HotRestart: cannot take the listener back: " + e);
                r.stop();
            }
        }
    }

    /** The handover failed before the new process said it listens: accept again, as before. */
    private void resume() throws IOException {
        handingOver = false;
        if (listener < 0) return;
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
        private boolean closed;

        Taker(int fd) {
            this.fd = fd;
        }

        @Override public int fd() { return fd; }

        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor r, int events) throws IOException {
            if (!adopted) {
                pauseAt("readable");
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
                // From here on the listener is ours alone to keep: no failure of the control
                // connection may stop this process (its close would shut the port).
                try {
                    if (Fds.write(fd, ByteBuffer.wrap(new byte[] {'A'})) == 0) {
                        // Cannot happen on a fresh Unix socket; if it did, the old one would wait for
                        // nothing: closing tells it the handover is off, and both serve for a while.
                        oldGone(r, "no room for A (EAGAIN)");
                    }
                } catch (ReactorException e) {
                    oldGone(r, e.getMessage());  // EPIPE, ECONNRESET: the old process died after sending
                }
                return;
            }
            // After A: D (the path is free) or the end of the connection; the rest of the note may come first.
            int n;
            try {
                n = Fds.read(fd, in.clear());
            } catch (ReactorException e) {
                oldGone(r, e.getMessage());
                return;
            }
            if (n == 0) return;
            if (n < 0) {
                oldGone(r, null);
                return;
            }
            for (int i = 0; i < n; i++) {
                if (in.get(i) == 'D') {
                    close(r);
                    serve(listener, true);
                    return;
                }
            }
        }

        /** Adopted, and the control connection failed or ended without D: serve on, with the path taken over. */
        private void oldGone(Reactor r, String why) throws IOException {
            if (why != null) System.err.println("HotRestart: control connection after adopting: " + why);
            close(r);
            serve(listener, true);
        }

        private void close(Reactor r) {
            if (closed) return;                  // the number may be another file's by now
            closed = true;
            r.close(fd);
        }

        /** No listener within the handover deadline: give up (the old one takes its listener back). */
        @Override
        public void onTimeout(Reactor r, long timerId) {
            if (adopted) return;
            System.err.println("HotRestart: taking over failed: no listener within " + handoverFor.toSeconds() + " s");
            failed = true;
            r.stop();
        }

        @Override
        public void onError(Reactor r, Exception error) {
            if (adopted) {                       // serve() failed (the control path): the listener is served still
                System.err.println("HotRestart: after adopting: " + error);
                close(r);
                return;
            }
            System.err.println("HotRestart: taking over failed: " + error.getMessage());
            failed = true;
            r.stop();
        }
    }
}
