package dev.reactor.io;

import dev.reactor.ReactorException;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.MsgHdr;
import dev.reactor.sys.Os;
import dev.reactor.sys.SockAddr;
import dev.reactor.sys.SockOpt;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Stream sockets on raw fds: make, bind, listen, accept, connect, options, addresses, shutdown,
 * and passing fds to another process over a Unix socket ({@link #sendFds}, {@link #receiveFds}).
 * Addresses are {@link InetSocketAddress} (IPv4 or IPv6, resolved) or
 * {@link java.net.UnixDomainSocketAddress}. Sockets made here are non-blocking and close-on-exec.
 * Failures are {@link ReactorException}s naming the call, the fd and errno. Safe from any thread.
 */
public final class Sockets {
    private Sockets() { }

    /** {@link #shutdown} direction, as in shutdown(2): no more reads; further input is discarded. */
    public static final int SHUT_RD = 0;
    /** {@link #shutdown} direction: no more writes; the peer reads end of stream after what was sent (a half-close). */
    public static final int SHUT_WR = 1;
    /** {@link #shutdown} direction: both {@link #SHUT_RD} and {@link #SHUT_WR}. The fd stays open. */
    public static final int SHUT_RDWR = 2;

    private static final Os OS = Os.current();
    private static final SockAddr ADDR = OS.sockaddr();

    // Where each struct lives in the per-thread scratch: a sockaddr_storage, then its socklen_t,
    // then an int option and its socklen_t.
    private static final int ADDR_LEN_AT = ADDR.storageSize();
    private static final int OPT_AT = ADDR_LEN_AT + 8;
    private static final int OPT_LEN_AT = OPT_AT + 4;

    private static final MsgHdr MSG = OS.msghdr();
    /** Where the control buffer starts in the per-thread message scratch (after the msghdr and its iovec). */
    private static final int CONTROL_AT = MSG.controlAt();

    /**
     * The most fds one {@link #sendFds} passes, and the most one {@link #receiveFds} takes: 253,
     * Linux's SCM_MAX_FD (include/net/scm.h), beyond which its sendmsg fails with EINVAL. The
     * BSDs allow more; this keeps one limit everywhere.
     */
    public static final int MAX_FDS = 253;

    static {
        if (CONTROL_AT + MSG.rightsSpace(MAX_FDS) > Scratch.MESSAGE) throw new AssertionError("Scratch.MESSAGE too small");
    }

    // ---- make and connect --------------------------------------------------------------------

    /**
     * A new stream socket for address's family (TCP over IPv4/IPv6, or Unix), non-blocking, close-on-exec.
     * @param address decides the family only; nothing is bound or connected yet
     * @return the socket; the caller closes it
     * @throws ReactorException EMFILE or ENFILE when out of fds; EAFNOSUPPORT where IPv6 is off
     * @throws IllegalArgumentException for an unresolved address, or one neither Inet nor Unix
     */
    public static int open(SocketAddress address) throws ReactorException {
        return OS.socket(Fds.libc(), ADDR.family(address));
    }

    /**
     * Binds the socket to a local address: bind(2).
     * @param fd a socket of the address's family
     * @param address port 0 picks a free port ({@link #localPort} says which); an empty Unix path autobinds
     * @throws ReactorException EADDRINUSE, EACCES (a port below 1024, a Unix path where it may not
     *         write), EADDRNOTAVAIL (an IP not of this host), ENAMETOOLONG for a Unix path too long for sun_path
     * @throws IllegalArgumentException for an unresolved address, or one neither Inet nor Unix
     */
    public static void bind(int fd, SocketAddress address) throws ReactorException {
        Scratch s = Scratch.get();
        int len = ADDR.encode(s.small, address, "bind", fd);
        int r = Fds.libc().bind(fd, s.smallAddress, len);
        if (r < 0) throw new ReactorException("bind(fd=" + fd + ", " + address + ")", -r);
    }

    /**
     * Marks a bound socket as listening: listen(2). Accept with {@link #accept} when it is readable.
     * @param fd a bound stream socket
     * @param backlog the accept queue length; the kernel caps it at net.core.somaxconn
     * @throws ReactorException EADDRINUSE (an unbound socket whose autobind found no port), EBADF, ENOTSOCK
     */
    public static void listen(int fd, int backlog) throws ReactorException {
        Errors.check(Fds.libc().listen(fd, backlog), "listen", fd);
    }

    /**
     * Starts connecting a non-blocking socket: true when connected at once (common for Unix
     * sockets), false when in progress. In progress means: wait until the fd is writable, then
     * {@link #socketError} says whether it worked.
     *
     * @param fd a non-blocking socket of the address's family
     * @param address where to connect
     * @return true when connected already, false when in progress
     * @throws ReactorException ECONNREFUSED, ENETUNREACH, ENOENT (no such Unix socket), EAGAIN (a
     *         Unix listener's queue is full), ENAMETOOLONG...: the connect failed at once
     * @throws IllegalArgumentException for an unresolved address, or one neither Inet nor Unix
     */
    public static boolean connect(int fd, SocketAddress address) throws ReactorException {
        Scratch s = Scratch.get();
        int len = ADDR.encode(s.small, address, "connect", fd);
        int r = Fds.libc().connect(fd, s.smallAddress, len);
        if (r == 0) return true;
        // EINTR: the connection goes on asynchronously (connect(2)), exactly like EINPROGRESS.
        if (r == -Errno.EINPROGRESS || r == -Errno.EINTR) return false;
        throw new ReactorException("connect(fd=" + fd + ", " + address + ")", -r);
    }

    /**
     * Accepts one pending connection as a non-blocking, close-on-exec fd; -1 when none is pending.
     * Errors (EMFILE, ECONNABORTED...) are thrown: the caller decides which ones to retry.
     * EINTR is retried here.
     *
     * @param fd a listening socket
     * @return the connected socket (the caller closes it), or -1 when none is pending
     * @throws ReactorException EMFILE or ENFILE when out of fds, ECONNABORTED, EINVAL (not listening)...
     */
    public static int accept(int fd) throws ReactorException {
        return OS.accept(Fds.libc(), fd);
    }

    /** accept(2) + fcntl, for systems without accept4 (macOS). */
    /**
     * Shuts one or both directions of a connected socket: shutdown(2). The fd stays open.
     * @param fd a connected socket
     * @param how {@link #SHUT_RD}, {@link #SHUT_WR} or {@link #SHUT_RDWR}
     * @throws ReactorException EINVAL for another how; ENOTCONN if fd is not connected
     */
    public static void shutdown(int fd, int how) throws ReactorException {
        if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
            throw new ReactorException("shutdown(fd=" + fd + ", how=" + how + ")", Errno.EINVAL,
                    "how must be SHUT_RD, SHUT_WR or SHUT_RDWR");
        }
        Errors.check(Fds.libc().shutdown(fd, how), "shutdown", fd);
    }

    // ---- passing fds -------------------------------------------------------------------------

    /**
     * Passes fds to the process at the other end of a Unix socket, with data: sendmsg(2) with one
     * SCM_RIGHTS control message (unix(7)). The peer's {@link #receiveFds} gets its own fds for
     * the same open files (as dup(2) makes, in its process): this process's fds stay open, and
     * closing them afterwards does not close the peer's. Until the peer receives them, the files
     * are held by the message in the kernel, so closing them here at once is safe.
     *
     * <p>At least one byte of data must go with the fds: a stream socket carries no message of
     * zero bytes, so the fds would have nothing to travel with. The fds go with the first byte
     * sent. If fewer bytes than remaining were sent, the fds went with them: send the rest with
     * {@link Fds#write}, not with sendFds again, which would pass the fds a second time. The data
     * is copied through a per-thread native buffer: at most 64 KiB go per call. Nothing is
     * allocated per call.
     *
     * @param socket a connected Unix socket (a TCP socket cannot carry fds: EINVAL), usually
     *        non-blocking; a blocking one blocks the calling thread while the peer's buffer is full
     * @param data the bytes that go with the fds, from its position (advanced by what was sent)
     * @param fds the fds to pass, 1 to {@link #MAX_FDS}; the caller still owns them
     * @return bytes sent, at least 1; 0 when the socket's buffer is full (EAGAIN): nothing was
     *         sent, no fd passed, try again when the socket is writable
     * @throws ReactorException naming the call, socket and count, e.g.
     *         {@code sendmsg(fd=5, SCM_RIGHTS 1 fd): EBADF (Bad file descriptor): fd 9 to pass is not open};
     *         EPIPE or ECONNRESET when the peer is gone; ENOTSOCK; EINVAL on a socket that is not
     *         a Unix one. EINTR is retried.
     * @throws IllegalArgumentException for no data, no fds, or more than {@link #MAX_FDS}
     */
    public static int sendFds(int socket, ByteBuffer data, int... fds) throws ReactorException {
        if (fds.length == 0 || fds.length > MAX_FDS) {
            throw new IllegalArgumentException("sendFds(fd=" + socket + "): " + fds.length + " fds; pass 1 to " + MAX_FDS
                    + " (bytes alone go with Fds.write)");
        }
        int len = Math.min(data.remaining(), Scratch.BOUNCE);
        if (len == 0) {
            throw new IllegalArgumentException("sendFds(fd=" + socket + "): no data; at least one byte must go with the fds"
                    + " (a stream socket sends no message of zero bytes)");
        }
        Scratch s = Scratch.get();
        s.bounce().put(0, data, data.position(), len);
        ByteBuffer m = s.message();
        long base = s.messageAddress();
        int controlLen = MSG.putRights(m, CONTROL_AT, fds);
        MSG.putMessage(m, base, s.bounceAddress(), len, CONTROL_AT, controlLen);
        LibC c = Fds.libc();
        long r;
        do {
            r = c.sendmsg(socket, base, OS.sendmsgFlags());
        } while (r == -Errno.EINTR);
        if (r == -Errno.EAGAIN) return 0;
        if (r < 0) throw sendFailure(socket, fds, (int) -r);
        data.position(data.position() + (int) r);
        return (int) r;
    }

    private static ReactorException sendFailure(int socket, int[] fds, int errno) {
        String call = "sendmsg(fd=" + socket + ", SCM_RIGHTS " + count(fds.length) + ")";
        // EBADF names no fd: the socket's, or one of those to pass?
        if (errno == Errno.EBADF && Fds.isOpen(socket)) {
            for (int fd : fds) {
                if (!Fds.isOpen(fd)) return new ReactorException(call, errno, "fd " + fd + " to pass is not open");
            }
        }
        return new ReactorException(call, errno);
    }

    private static String count(int fds) {
        return fds + (fds == 1 ? " fd" : " fds");
    }

    /**
     * Receives bytes and the fds that came with them: recvmsg(2), SCM_RIGHTS. The fds are new in
     * this process, close-on-exec (MSG_CMSG_CLOEXEC on Linux; fcntl right after the call
     * elsewhere), and the caller's to close. They share the open file (its offset, its O_NONBLOCK)
     * with the sender's: {@link Fds#setNonBlocking} or {@code Reactor.listen(int, ...)} sets the
     * flag for both.
     *
     * <p>Returns as {@link Fds#read} does, and fills {@code fds} from index 0 with the fds that
     * came, the rest with -1: check {@code fds[0] >= 0}. On a stream socket one call never
     * returns the bytes of two sendmsg calls that both carried fds, but the bytes of a plain write
     * may come with them: the protocol on top tells its messages apart. At most 64 KiB per call
     * (a per-thread native buffer, copied into data); nothing is allocated per call.
     *
     * <p>More fds than {@code fds} has room for is an error, never dropped silently: the kernel
     * installs what fits in the control buffer and discards the rest (MSG_CTRUNC); this closes the
     * ones installed, puts the bytes in data all the same (they were taken from the socket), and
     * throws EMSGSIZE. So size {@code fds} for the most the peer may send ({@link #MAX_FDS} at most).
     *
     * <p>A receiver out of fds gets no error from recvmsg on Linux: the kernel installs fds until
     * one cannot be (no free fd), discards the rest and sets MSG_CTRUNC, with fewer fds installed
     * than there is room for. This tells that apart: it closes the ones installed and throws
     * EMFILE (how many came is then unknown), the bytes in data as above. FreeBSD's and macOS's
     * kernels fail recvmsg itself instead, with their own errno (EMSGSIZE in their sources).
     *
     * @param socket a connected Unix socket, usually non-blocking
     * @param data where the bytes go, from its position (advanced); at least one byte of room
     * @param fds filled with the fds received, then -1s; its length is how many this call accepts
     * @return bytes read; 0 when nothing is waiting (EAGAIN; fds all -1); -1 at end of stream. (On a
     *         datagram or seqpacket socket made elsewhere, a message of zero bytes is 0 with its
     *         fds in fds, or -1 when it carried none.)
     * @throws ReactorException EMSGSIZE when more fds came than {@code fds} holds (all closed, the
     *         bytes in data): {@code recvmsg(fd=5, SCM_RIGHTS room for 1 fd): EMSGSIZE (Message too long): ...};
     *         EMFILE on Linux when the kernel stopped installing them, out of fds (those installed
     *         closed, the bytes in data); EBADF, ENOTSOCK, ECONNRESET. EINTR is retried.
     * @throws IllegalArgumentException if data has no room
     * @throws java.nio.ReadOnlyBufferException if data is read-only
     */
    public static int receiveFds(int socket, ByteBuffer data, int[] fds) throws ReactorException {
        if (data.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        int len = Math.min(data.remaining(), Scratch.BOUNCE);
        if (len == 0) throw new IllegalArgumentException("receiveFds(fd=" + socket + "): no room in data; fds come with bytes");
        java.util.Arrays.fill(fds, -1);
        int room = Math.min(fds.length, MAX_FDS);
        Scratch s = Scratch.get();
        ByteBuffer m = s.message();
        long base = s.messageAddress();
        int controlLen = room == 0 ? 0 : MSG.rightsSpace(room);
        MSG.putMessage(m, base, s.bounceAddress(), len, CONTROL_AT, controlLen);
        LibC c = Fds.libc();
        int cloexec = OS.recvmsgCloexec();
        long r;
        do {
            r = c.recvmsg(socket, base, cloexec);
        } while (r == -Errno.EINTR);
        if (r == -Errno.EAGAIN) return 0;
        String call = "recvmsg(fd=" + socket + ", SCM_RIGHTS room for " + count(room) + ")";
        if (r < 0) throw new ReactorException(call, (int) -r);
        // The bytes first: whatever happens to the fds, they were taken from the socket.
        if (r > 0) {
            data.put(data.position(), s.bounce(), 0, (int) r);
            data.position(data.position() + (int) r);
        }
        int[] got = s.received();
        int n = controlLen == 0 ? 0 : MSG.rights(m, CONTROL_AT, Math.min(MSG.controlLength(m), controlLen), got);
        n = Math.min(n, got.length);
        // Linux fills the control buffer's padding too: CMSG_SPACE(4) holds two fds, so more than
        // room can arrive without MSG_CTRUNC.
        boolean truncated = MSG.controlTruncated(m);
        if (truncated && n < room) {
            // The control buffer had room for more: the kernel stopped installing (Linux's
            // scm_detach_fds breaks at the first fd it cannot install and sets MSG_CTRUNC).
            for (int i = 0; i < n; i++) c.close(got[i]);
            throw new ReactorException(call, Errno.EMFILE, "MSG_CTRUNC with " + n + " of room for " + room
                    + " installed: the kernel stops at the first fd it cannot install (no free fd in this process,"
                    + " or a security module's refusal) and discards the rest; the " + n + " installed were closed;"
                    + " the " + r + " bytes that came with them are in the buffer");
        }
        if (truncated || n > room) {
            for (int i = 0; i < n; i++) c.close(got[i]);
            throw new ReactorException(call, Errno.EMSGSIZE, "MSG_CTRUNC: more fds came than fds[] has room for; the "
                    + n + " received were closed (the kernel discards any beyond its control buffer); the " + r
                    + " bytes that came with them are in the buffer");
        }
        if (cloexec == 0) {
            for (int i = 0; i < n; i++) {
                try {
                    OS.setCloseOnExec(c, got[i]);
                } catch (ReactorException e) {
                    for (int j = 0; j < n; j++) c.close(got[j]);
                    throw new ReactorException(call, e.errno(), "the " + count(n) + " received were closed: " + e.getMessage());
                }
            }
        }
        System.arraycopy(got, 0, fds, 0, n);
        if (r == 0) return n > 0 ? 0 : -1;   // a zero-byte message with fds (datagram sockets only), or end of stream
        return (int) r;
    }

    // ---- addresses ---------------------------------------------------------------------------

    /**
     * The address the socket is bound to (getsockname): with the real port after binding port 0.
     * @param fd a socket
     * @return an InetSocketAddress or a UnixDomainSocketAddress (empty path when unnamed or abstract)
     * @throws ReactorException EBADF, ENOTSOCK
     */
    public static SocketAddress localAddress(int fd) throws ReactorException {
        Scratch s = Scratch.get();
        s.small.putInt(ADDR_LEN_AT, ADDR.storageSize());
        Errors.check(Fds.libc().getsockname(fd, s.smallAddress, s.smallAddress + ADDR_LEN_AT), "getsockname", fd);
        return ADDR.decode(s.small, s.small.getInt(ADDR_LEN_AT));
    }

    /**
     * The connected peer's address (getpeername).
     * @param fd a connected socket
     * @return an InetSocketAddress or a UnixDomainSocketAddress (empty path when the peer is unnamed)
     * @throws ReactorException ENOTCONN when there is no peer; EBADF, ENOTSOCK
     */
    public static SocketAddress peerAddress(int fd) throws ReactorException {
        Scratch s = Scratch.get();
        s.small.putInt(ADDR_LEN_AT, ADDR.storageSize());
        Errors.check(Fds.libc().getpeername(fd, s.smallAddress, s.smallAddress + ADDR_LEN_AT), "getpeername", fd);
        return ADDR.decode(s.small, s.small.getInt(ADDR_LEN_AT));
    }

    /**
     * The local port of a TCP socket (e.g. after listening on port 0).
     * @param fd a socket
     * @return the port; -1 for a Unix socket
     * @throws ReactorException as {@link #localAddress} does
     */
    public static int localPort(int fd) throws ReactorException {
        SocketAddress a = localAddress(fd);
        return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getPort() : -1;
    }

    // ---- options -----------------------------------------------------------------------------

    /**
     * Reads and clears the socket's pending error (SO_ERROR): after a non-blocking connect, whether it worked.
     * @param fd a socket
     * @return 0 when none, else an errno (ECONNREFUSED, ETIMEDOUT...)
     * @throws ReactorException EBADF, ENOTSOCK: getsockopt itself failed
     */
    public static int socketError(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_ERROR);
    }

    /**
     * TCP_NODELAY: send small writes at once instead of waiting to coalesce them (Nagle).
     * @param fd a TCP socket
     * @param on true to send at once
     * @throws ReactorException EOPNOTSUPP or ENOPROTOOPT on a socket that is not TCP; EBADF
     */
    public static void setTcpNoDelay(int fd, boolean on) throws ReactorException {
        setInt(fd, SockOpt.TCP_NODELAY, on ? 1 : 0);
    }

    /**
     * {@return whether TCP_NODELAY is set}
     * @param fd a TCP socket
     * @throws ReactorException EOPNOTSUPP or ENOPROTOOPT on a socket that is not TCP; EBADF
     */
    public static boolean tcpNoDelay(int fd) throws ReactorException {
        return getInt(fd, SockOpt.TCP_NODELAY) != 0;
    }

    /**
     * SO_REUSEADDR: bind a port that still has connections in TIME_WAIT. Set it before bind.
     * @param fd a socket
     * @param on true to allow it
     * @throws ReactorException EBADF, ENOTSOCK
     */
    public static void setReuseAddress(int fd, boolean on) throws ReactorException {
        setInt(fd, SockOpt.SO_REUSEADDR, on ? 1 : 0);
    }

    /**
     * {@return whether SO_REUSEADDR is set}
     * @param fd a socket
     * @throws ReactorException EBADF, ENOTSOCK
     */
    public static boolean reuseAddress(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_REUSEADDR) != 0;
    }

    /**
     * SO_REUSEPORT: several sockets (of one user) listen on one port; the kernel spreads
     * connections. Set it on each, before bind.
     * @param fd a socket
     * @param on true to share the port
     * @throws ReactorException ENOPROTOOPT where the kernel lacks it; EBADF, ENOTSOCK
     */
    public static void setReusePort(int fd, boolean on) throws ReactorException {
        setInt(fd, SockOpt.SO_REUSEPORT, on ? 1 : 0);
    }

    /**
     * {@return whether SO_REUSEPORT is set}
     * @param fd a socket
     * @throws ReactorException ENOPROTOOPT where the kernel lacks it; EBADF, ENOTSOCK
     */
    public static boolean reusePort(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_REUSEPORT) != 0;
    }

    /**
     * SO_RCVBUF. Linux doubles the value asked for (bookkeeping room) and clamps it (socket(7)).
     * @param fd a socket
     * @param bytes the size asked for, positive; net.core.rmem_max caps it
     * @throws ReactorException EINVAL for bytes not positive; EBADF, ENOTSOCK
     */
    public static void setReceiveBufferSize(int fd, int bytes) throws ReactorException {
        setInt(fd, SockOpt.SO_RCVBUF, positive(fd, bytes, "SO_RCVBUF"));
    }

    /**
     * {@return the receive buffer size in bytes (SO_RCVBUF), as the kernel keeps it: double what was asked}
     * @param fd a socket
     * @throws ReactorException EBADF, ENOTSOCK
     */
    public static int receiveBufferSize(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_RCVBUF);
    }

    /**
     * SO_SNDBUF. Linux doubles the value asked for and clamps it (socket(7)).
     * @param fd a socket
     * @param bytes the size asked for, positive; net.core.wmem_max caps it
     * @throws ReactorException EINVAL for bytes not positive; EBADF, ENOTSOCK
     */
    public static void setSendBufferSize(int fd, int bytes) throws ReactorException {
        setInt(fd, SockOpt.SO_SNDBUF, positive(fd, bytes, "SO_SNDBUF"));
    }

    /**
     * {@return the send buffer size in bytes (SO_SNDBUF), as the kernel keeps it: double what was asked}
     * @param fd a socket
     * @throws ReactorException EBADF, ENOTSOCK
     */
    public static int sendBufferSize(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_SNDBUF);
    }

    private static int positive(int fd, int bytes, String name) throws ReactorException {
        if (bytes <= 0) {
            throw new ReactorException("setsockopt(fd=" + fd + ", " + name + ")", Errno.EINVAL,
                    "buffer size must be positive, not " + bytes);
        }
        return bytes;
    }

    private static int getInt(int fd, SockOpt option) throws ReactorException {
        int level = OS.sockoptLevel(option);
        int name = OS.sockoptName(option);
        Scratch s = Scratch.get();
        ByteBuffer b = s.small;
        b.putInt(OPT_AT, 0);
        b.putInt(OPT_LEN_AT, 4);
        int r = Fds.libc().getsockopt(fd, level, name, s.smallAddress + OPT_AT, s.smallAddress + OPT_LEN_AT);
        if (r < 0) throw new ReactorException("getsockopt(fd=" + fd + ", " + option + ")", -r);
        return b.getInt(OPT_AT);
    }

    private static void setInt(int fd, SockOpt option, int value) throws ReactorException {
        int level = OS.sockoptLevel(option);
        int name = OS.sockoptName(option);
        Scratch s = Scratch.get();
        s.small.putInt(OPT_AT, value);
        int r = Fds.libc().setsockopt(fd, level, name, s.smallAddress + OPT_AT, 4);
        if (r < 0) throw new ReactorException("setsockopt(fd=" + fd + ", " + option + "=" + value + ")", -r);
    }

    /**
     * {@return whether fd is a socket in the listening state (SO_ACCEPTCONN)}
     * @param fd a socket
     * @throws ReactorException ENOTSOCK if fd is not a socket; EBADF if it is not open
     */
    public static boolean isListening(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_ACCEPTCONN) != 0;
    }

    /**
     * {@return whether fd is a stream socket (SO_TYPE is SOCK_STREAM): TCP, or a Unix stream socket}
     * @param fd a socket
     * @throws ReactorException ENOTSOCK if fd is not a socket; EBADF if it is not open
     */
    public static boolean isStream(int fd) throws ReactorException {
        return getInt(fd, SockOpt.SO_TYPE) == OS.sockStream();
    }

    /**
     * An fd handed to this process by the one that started it, under the socket-activation
     * protocol of systemd and the supervisors that follow it (sd_listen_fds(3)).
     * @param fd the fd number (3, 4, ...)
     * @param name its name from LISTEN_FDNAMES (systemd's FileDescriptorName=), or "unknown"
     */
    public record Inherited(int fd, String name) { }

    /** The first fd of the protocol: SD_LISTEN_FDS_START. */
    private static final int LISTEN_FDS_START = 3;

    /**
     * The fds passed under the socket-activation protocol: {@code LISTEN_FDS} fds from 3 on, for
     * the process {@code LISTEN_PID}, named by {@code LISTEN_FDNAMES} (colon-separated). Each is
     * made close-on-exec, as sd_listen_fds does, so they are not passed on to children. Adopt a
     * listening one with {@code Reactor.listen(int, ConnectionHandler)}. Unlike sd_listen_fds,
     * which returns 0, a LISTEN_PID of another process is an error: a Java process cannot remove
     * the variables from its own environment, so a child it starts keeps them (unless removed with
     * {@code ProcessBuilder.environment()}), and is told rather than left to bind a port of its own.
     * @return the fds, in order; empty when LISTEN_FDS is not set (not socket-activated)
     * @throws IllegalStateException if LISTEN_PID is missing or names another process, or the
     *         variables are malformed, or a listed fd is not open
     */
    public static java.util.List<Inherited> inherited() {
        return inherited(System.getenv("LISTEN_PID"), System.getenv("LISTEN_FDS"), System.getenv("LISTEN_FDNAMES"),
                ProcessHandle.current().pid());
    }

    static java.util.List<Inherited> inherited(String pid, String fds, String names, long self) {
        if (fds == null) return java.util.List.of();
        if (pid == null) throw new IllegalStateException("LISTEN_FDS=" + fds + " without LISTEN_PID: not a socket activation");
        long listenPid;
        int n;
        try {
            listenPid = Long.parseLong(pid.trim());
            n = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("LISTEN_PID=" + pid + ", LISTEN_FDS=" + fds + ": not numbers");
        }
        if (listenPid != self) {
            throw new IllegalStateException("LISTEN_PID=" + listenPid + " is not this process (" + self + "): the "
                    + n + " fds of LISTEN_FDS were passed to that one (this process inherited its environment)");
        }
        if (n < 0) throw new IllegalStateException("LISTEN_FDS=" + n + ": negative");
        String[] named = names == null || names.isEmpty() ? new String[0] : names.split(":", -1);
        if (names != null && !names.isEmpty() && named.length != n) {
            throw new IllegalStateException("LISTEN_FDNAMES has " + named.length + " names for LISTEN_FDS=" + n);
        }
        java.util.List<Inherited> list = new java.util.ArrayList<>();   // not sized by n: a huge LISTEN_FDS fails at the first closed fd
        for (int i = 0; i < n; i++) {
            int fd = LISTEN_FDS_START + i;
            if (!Fds.isOpen(fd)) throw new IllegalStateException("LISTEN_FDS=" + n + ", but fd " + fd + " is not open");
            try {
                Fds.setCloseOnExec(fd);
            } catch (ReactorException e) {
                throw new IllegalStateException("LISTEN_FDS: fd " + fd + ": " + e.getMessage(), e);
            }
            list.add(new Inherited(fd, i < named.length ? named[i] : "unknown"));
        }
        return java.util.List.copyOf(list);
    }

    /**
     * {@return true for TCP (IPv4/IPv6) addresses, where TCP options apply}
     * @param address any address; null gives false
     */
    public static boolean isTcp(SocketAddress address) {
        return address instanceof InetSocketAddress;
    }
}
