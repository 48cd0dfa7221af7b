package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * The Context of a listening socket: accepts a bounded batch per readiness and hands each
 * connection to the {@link ConnectionHandler}. Out of fds (EMFILE/ENFILE) or memory, it stops
 * watching the listener for {@link ListenOptions#acceptPause()} instead of spinning on a
 * readiness it cannot consume: the pending connections wait in the kernel's queue meanwhile.
 */
final class Acceptor implements Context {

    private final int fd;
    private final boolean tcp;
    private final ListenOptions options;
    private final ConnectionHandler handler;
    private boolean paused;
    /** Still in a run of pauses (logged once per run, not once per retry). */
    private boolean starved;

    private Acceptor(int fd, boolean tcp, ListenOptions options, ConnectionHandler handler) {
        this.fd = fd;
        this.tcp = tcp;
        this.options = options;
        this.handler = handler;
    }

    /** socket, SO_REUSEADDR (TCP), SO_REUSEPORT if asked, bind, listen, register. Returns the listening fd. */
    static int listen(Reactor reactor, SocketAddress address, ListenOptions options, ConnectionHandler handler)
            throws IOException {
        int fd = Sockets.open(address);
        try {
            boolean tcp = Sockets.isTcp(address);
            if (tcp) {
                Sockets.setReuseAddress(fd, true);
                if (options.reusePort()) Sockets.setReusePort(fd, true);
            }
            Sockets.bind(fd, address);
            Sockets.listen(fd, options.backlog());
            reactor.register(new Acceptor(fd, tcp, options, handler), Ownership.OWNED);
        } catch (IOException | RuntimeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
        return fd;
    }

    /**
     * Adopts a socket that is listening already (inherited, passed over a Unix socket, made by
     * another library): checks it, makes it non-blocking and close-on-exec, registers it owned.
     * If this throws, the fd is left open, as the caller's.
     */
    static int adopt(Reactor reactor, int fd, ListenOptions options, ConnectionHandler handler) throws IOException {
        String call = "listen(fd=" + fd + ")";
        if (fd < 0) throw new ReactorException(call, Errno.EBADF);
        boolean listening;
        boolean stream;
        try {
            stream = Sockets.isStream(fd);
            listening = Sockets.isListening(fd);
        } catch (ReactorException e) {
            if (e.errno() == Errno.ENOTSOCK) {
                throw new ReactorException(call, Errno.ENOTSOCK, "not a socket; listen(int) adopts a listening stream socket");
            }
            throw new ReactorException(call, e.errno(), "cannot read its socket options (" + e.getMessage() + ")");
        }
        if (!stream) throw new ReactorException(call, Errno.EINVAL, "not a stream socket: only TCP and Unix stream listeners are supported");
        if (!listening) {
            throw new ReactorException(call, Errno.EINVAL, "the socket is not listening: call listen(2) on it first,"
                    + " or use listen(SocketAddress)");
        }
        boolean tcp = Sockets.isTcp(Sockets.localAddress(fd));     // an unknown family throws here, unchanged
        Context existing = reactor.context(fd);
        if (existing != null) throw new ReactorException(call, Errno.EEXIST, "already registered to " + existing);
        // Only now change it: a refused fd is left as it was.
        Fds.setNonBlocking(fd);
        Fds.setCloseOnExec(fd);
        reactor.register(new Acceptor(fd, tcp, options, handler), Ownership.OWNED);
        return fd;
    }

    @Override public int fd() { return fd; }

    @Override public int interest() { return Interest.READ; }

    @Override
    public void onEvent(Reactor reactor, int events) throws Exception {
        for (int i = options.acceptBatch(); i > 0; i--) {
            int conn;
            try {
                conn = Sockets.accept(fd);
            } catch (ReactorException e) {
                int errno = e.errno();
                if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM) {
                    pause(reactor, e);
                    return;
                }
                if (errno == Errno.EBADF || errno == Errno.EINVAL || errno == Errno.ENOTSOCK || errno == Errno.EFAULT) {
                    throw e;   // the listener itself is broken: onError closes it
                }
                // The connection died in the queue (ECONNABORTED), or a network error of its own
                // surfaced here (accept(2) says: treat those like EAGAIN). Try the next one.
                continue;
            }
            if (conn < 0) return;   // queue empty
            starved = false;
            accepted(reactor, conn);
            // The handler may have closed the listener (and its number may already be a new
            // listener's, or a connecting socket's): stop at the end of this registration. An
            // Acceptor is registered once, so its identity is its registration.
            if (reactor.isClosed() || reactor.context(fd) != this) return;
        }
    }

    private void accepted(Reactor reactor, int conn) {
        SocketAddress peer;
        try {
            if (tcp && options.tcpNoDelay()) Sockets.setTcpNoDelay(conn, true);
            peer = Sockets.peerAddress(conn);
        } catch (ReactorException e) {
            // ENOTCONN/ECONNRESET: the peer is gone already; nobody to hand it to.
            reactor.libc().close(conn);
            return;
        }
        Handover.open(reactor, handler, conn, peer);
    }

    private void pause(Reactor reactor, ReactorException cause) throws IOException {
        if (!starved) {
            starved = true;
            Logs.warning(() -> "listener fd " + fd + ": " + cause.getMessage()
                    + "; accepting pauses for " + options.acceptPause().toMillis() + " ms at a time until fds free up");
        }
        paused = true;
        reactor.interest(fd, 0);
        reactor.timeout(options.acceptPause(), fd);
    }

    @Override
    public void onTimeout(Reactor reactor, long timerId) throws IOException {
        if (!paused) return;
        paused = false;
        reactor.interest(fd, Interest.READ);
    }

    /** The listener cannot go on: close it rather than leave a dead socket registered. */
    @Override
    public void onError(Reactor reactor, Exception error) {
        if (reactor.isClosed()) return;       // closing: the reactor closes the listener itself
        Logs.error(() -> "listener fd " + fd + " failed; closed", error);
        reactor.close(fd);
    }

    @Override public String toString() {
        return "Acceptor{fd=" + fd + (paused ? ", paused" : "") + "}";
    }
}
