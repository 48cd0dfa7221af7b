package dev.reactor.sys.bsd;

import dev.reactor.sys.Platform;

/**
 * macOS and FreeBSD constants and struct layouts (LP64: x86_64 and arm64), named as in the C
 * headers; where the two differ, the field says both. From xnu's bsd/sys/fcntl.h,
 * bsd/sys/socket.h, bsd/netinet/in.h, bsd/netinet6/in6.h, bsd/netinet/tcp.h, bsd/sys/un.h, and
 * FreeBSD's sys/sys/fcntl.h, sys/sys/socket.h, sys/netinet/in.h, sys/netinet6/in6.h,
 * sys/netinet/tcp.h, sys/sys/un.h. native/probe.c prints each when compiled there; no macOS or
 * FreeBSD machine is here to run it, so ProbeTest on Linux says these are unchecked.
 */
public final class Bsd {
    private Bsd() { }

    // fcntl(2)
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x4;

    // sockets
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    /** This OS's: see {@link #afInet6(boolean)}. */
    public static final int AF_INET6 = afInet6(Platform.MACOS);
    public static final int SOCK_STREAM = 1;
    public static final int SOL_SOCKET = 0xffff;
    public static final int SO_ACCEPTCONN = 0x2;
    public static final int SO_REUSEADDR = 0x4;
    public static final int SO_KEEPALIVE = 0x8;
    public static final int SO_REUSEPORT = 0x200;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;
    public static final int SO_ERROR = 0x1007;
    public static final int SO_TYPE = 0x1008;
    /** A write to a closed peer fails with EPIPE instead of raising SIGPIPE. This OS's: see {@link #soNoSigpipe(boolean)}. */
    public static final int SO_NOSIGPIPE = soNoSigpipe(Platform.MACOS);
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 27;
    public static final int TCP_NODELAY = 1;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // struct sockaddr_in / sockaddr_in6 / sockaddr_un / sockaddr_storage: each starts with a
    // one-byte length (sin_len, sin6_len, sun_len) and a one-byte family.
    public static final int SIZEOF_SOCKADDR_IN = 16;
    public static final int OFFSETOF_SOCKADDR_IN_SIN_PORT = 2;
    public static final int OFFSETOF_SOCKADDR_IN_SIN_ADDR = 4;
    public static final int SIZEOF_SOCKADDR_IN6 = 28;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_PORT = 2;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_FLOWINFO = 4;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_ADDR = 8;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID = 24;
    /** sun_path is 104 bytes on both. */
    public static final int SIZEOF_SOCKADDR_UN = 106;
    public static final int OFFSETOF_SOCKADDR_UN_SUN_PATH = 2;
    public static final int SIZEOF_SOCKADDR_STORAGE = 128;

    // sendmsg(2), recvmsg(2): struct msghdr has int msg_iovlen and socklen_t msg_controllen, struct
    // cmsghdr a socklen_t cmsg_len (xnu bsd/sys/socket.h; FreeBSD sys/sys/socket.h), unlike
    // Linux's size_t. The same on both but for CMSG_ALIGN (below). MSG_CMSG_CLOEXEC and
    // MSG_NOSIGNAL exist on FreeBSD only: both take the portable way (fcntl, SO_NOSIGPIPE).
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x20;
    public static final int SIZEOF_MSGHDR = 48;
    public static final int OFFSETOF_MSGHDR_MSG_NAME = 0;
    public static final int OFFSETOF_MSGHDR_MSG_NAMELEN = 8;
    public static final int OFFSETOF_MSGHDR_MSG_IOV = 16;
    public static final int OFFSETOF_MSGHDR_MSG_IOVLEN = 24;
    public static final int SIZEOF_MSGHDR_MSG_IOVLEN = 4;
    public static final int OFFSETOF_MSGHDR_MSG_CONTROL = 32;
    public static final int OFFSETOF_MSGHDR_MSG_CONTROLLEN = 40;
    public static final int SIZEOF_MSGHDR_MSG_CONTROLLEN = 4;
    public static final int OFFSETOF_MSGHDR_MSG_FLAGS = 44;
    public static final int SIZEOF_IOVEC = 16;
    public static final int OFFSETOF_IOVEC_IOV_BASE = 0;
    public static final int OFFSETOF_IOVEC_IOV_LEN = 8;
    public static final int SIZEOF_CMSGHDR = 12;
    public static final int OFFSETOF_CMSGHDR_CMSG_LEN = 0;
    public static final int SIZEOF_CMSGHDR_CMSG_LEN = 4;
    public static final int OFFSETOF_CMSGHDR_CMSG_LEVEL = 4;
    public static final int OFFSETOF_CMSGHDR_CMSG_TYPE = 8;
    /** CMSG_ALIGN's unit (CMSG_SPACE(1) - CMSG_SPACE(0)) on macOS: {@code __DARWIN_ALIGN32}, 4 bytes on x86_64 and arm64. */
    public static final int CMSG_ALIGNMENT_MACOS = 4;
    /** On FreeBSD: {@code _ALIGN}, {@code sizeof(long)} on amd64 and arm64. */
    public static final int CMSG_ALIGNMENT_FREEBSD = 8;
    /** CMSG_DATA(cmsg) - cmsg (CMSG_LEN(0)) on macOS: the 12-byte cmsghdr, 4-aligned. */
    public static final int CMSG_DATA_OFFSET_MACOS = 12;
    /** On FreeBSD: the 12-byte cmsghdr rounded up to 8. */
    public static final int CMSG_DATA_OFFSET_FREEBSD = 16;

    // Where macOS and FreeBSD differ, by flavour (a BsdOs of either can be made anywhere, for tests).

    /** AF_INET6: 30 on macOS, 28 on FreeBSD. */
    public static int afInet6(boolean macos) {
        return macos ? 30 : 28;
    }

    /** SO_NOSIGPIPE: 0x1022 on macOS, 0x0800 on FreeBSD. */
    public static int soNoSigpipe(boolean macos) {
        return macos ? 0x1022 : 0x0800;
    }
}
