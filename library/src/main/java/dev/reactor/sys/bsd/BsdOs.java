package dev.reactor.sys.bsd;

import dev.reactor.ReactorException;
import dev.reactor.ffi.Abi;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.MsgHdr;
import dev.reactor.sys.Os;
import dev.reactor.sys.Platform;
import dev.reactor.sys.SockAddr;
import dev.reactor.sys.SockOpt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.reactor.sys.bsd.Bsd.*;

/**
 * macOS and FreeBSD: every fd is made by the portable sequences (the call, then fcntl for
 * non-blocking and close-on-exec: macOS has no pipe2, SOCK_NONBLOCK or accept4); sockaddrs start
 * with a length byte; each socket gets SO_NOSIGPIPE, since write(2) has no MSG_NOSIGNAL and a
 * write to a closed peer raises SIGPIPE (HotSpot ignores it, but a JVM run with -Xrs, or a native
 * library that installs its own handler, may not). No eventfd, no timerfd.
 * Not run here: no macOS or FreeBSD machine; see the README.
 */
public final class BsdOs extends Os {
    private final boolean macos;
    private final SockAddr sockaddr;
    private final MsgHdr msghdr;
    private final int soNoSigpipe;

    /** macOS, or FreeBSD: the few constants that differ between them follow this, not the running OS. */
    public BsdOs(boolean macos) {
        super(new Fcntl(F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC, O_NONBLOCK), SOCK_STREAM);
        sockopt(SockOpt.SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR);
        sockopt(SockOpt.SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT);
        sockopt(SockOpt.SO_ERROR, SOL_SOCKET, SO_ERROR);
        sockopt(SockOpt.SO_SNDBUF, SOL_SOCKET, SO_SNDBUF);
        sockopt(SockOpt.SO_RCVBUF, SOL_SOCKET, SO_RCVBUF);
        sockopt(SockOpt.SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE);
        sockopt(SockOpt.TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY);
        sockopt(SockOpt.IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY);
        sockopt(SockOpt.SO_TYPE, SOL_SOCKET, SO_TYPE);
        sockopt(SockOpt.SO_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN);
        this.macos = macos;
        this.sockaddr = new SockAddr(new SockAddr.Layout(true, AF_UNIX, AF_INET, afInet6(macos),
                SIZEOF_SOCKADDR_IN, OFFSETOF_SOCKADDR_IN_SIN_PORT, OFFSETOF_SOCKADDR_IN_SIN_ADDR,
                SIZEOF_SOCKADDR_IN6, OFFSETOF_SOCKADDR_IN6_SIN6_PORT, OFFSETOF_SOCKADDR_IN6_SIN6_ADDR,
                OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID, SIZEOF_SOCKADDR_UN, OFFSETOF_SOCKADDR_UN_SUN_PATH,
                SIZEOF_SOCKADDR_STORAGE));
        this.soNoSigpipe = soNoSigpipe(macos);
        this.msghdr = new MsgHdr(new MsgHdr.Layout(SIZEOF_MSGHDR, OFFSETOF_MSGHDR_MSG_NAME,
                OFFSETOF_MSGHDR_MSG_NAMELEN, OFFSETOF_MSGHDR_MSG_IOV, OFFSETOF_MSGHDR_MSG_IOVLEN, SIZEOF_MSGHDR_MSG_IOVLEN,
                OFFSETOF_MSGHDR_MSG_CONTROL, OFFSETOF_MSGHDR_MSG_CONTROLLEN, SIZEOF_MSGHDR_MSG_CONTROLLEN,
                OFFSETOF_MSGHDR_MSG_FLAGS, SIZEOF_IOVEC, OFFSETOF_IOVEC_IOV_BASE, OFFSETOF_IOVEC_IOV_LEN,
                SIZEOF_CMSGHDR, OFFSETOF_CMSGHDR_CMSG_LEN, SIZEOF_CMSGHDR_CMSG_LEN, OFFSETOF_CMSGHDR_CMSG_LEVEL,
                OFFSETOF_CMSGHDR_CMSG_TYPE, macos ? CMSG_ALIGNMENT_MACOS : CMSG_ALIGNMENT_FREEBSD,
                SOL_SOCKET, SCM_RIGHTS, MSG_CTRUNC));
    }

    @Override public String name() { return macos ? "macos" : "freebsd"; }

    /** No syscall numbers: read and write of a caller's buffer take the slice path (see FfmLibC). */
    @Override protected Abi abi() { return new Abi(BsdErrno.ENOSYS, BsdErrno.EIO, -1, -1); }

    @Override protected Class<?> errnoTable() { return BsdErrno.class; }

    /**
     * kqueue on macOS and FreeBSD, x86_64 and arm64 (built for both ABIs; run here only on the
     * Linux emulator, see the README). The other BSDs have other constants and struct kevent
     * layouts (NetBSD, OpenBSD), and 32-bit CPUs other layouts: refused, not guessed.
     */
    @Override public String unsupported() {
        if (!Platform.MACOS && !Platform.FREEBSD) {
            return "no poller for " + System.getProperty("os.name") + ": kqueue's constants and layouts are known"
                    + " for macOS and FreeBSD only";
        }
        if (!Platform.X86_64 && !Platform.AARCH64) {
            return "no poller for " + System.getProperty("os.name") + " on " + System.getProperty("os.arch")
                    + ": struct kevent's layout is known for x86_64 and arm64 only";
        }
        return null;
    }

    @Override public int[] socketpair(LibC c, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        int[] pair = super.socketpair(c, scratch, scratchAddress);
        try {
            noSigpipe(c, pair[0]);
        } catch (ReactorException e) {
            c.close(pair[1]);                   // noSigpipe closed pair[0]
            throw e;
        }
        try {
            noSigpipe(c, pair[1]);
        } catch (ReactorException e) {
            c.close(pair[0]);
            throw e;
        }
        return pair;
    }

    @Override public int socket(LibC c, int family) throws ReactorException {
        int fd = super.socket(c, family);
        noSigpipe(c, fd);
        return fd;
    }

    @Override public int accept(LibC c, int fd) throws ReactorException {
        int r = super.accept(c, fd);
        if (r >= 0) noSigpipe(c, r);
        return r;
    }

    /** One native int per thread, for setsockopt's value. */
    private static final ThreadLocal<ByteBuffer> ONE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()));

    private void noSigpipe(LibC c, int fd) throws ReactorException {
        ByteBuffer b = ONE.get();
        b.putInt(0, 1);
        int r = c.setsockopt(fd, SOL_SOCKET, soNoSigpipe, c.address(b), 4);
        if (r < 0) {
            c.close(fd);
            throw new ReactorException("setsockopt(fd=" + fd + ", SO_NOSIGPIPE)", -r);
        }
    }

    @Override public SockAddr sockaddr() { return sockaddr; }

    /** recvmsg then fcntl for close-on-exec (the default sequence); sendmsg with no flags: our sockets carry SO_NOSIGPIPE. */
    @Override public MsgHdr msghdr() { return msghdr; }

}
