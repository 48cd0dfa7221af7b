package dev.reactor.sys.bsd;

import dev.reactor.sys.Platform;

/**
 * errno on macOS and FreeBSD, the values this library meets: the same 4.4BSD numbering on both
 * (macOS: xnu bsd/sys/errno.h; FreeBSD: sys/sys/errno.h), but for EOPNOTSUPP.
 * {@code dev.reactor.sys.Errno} gives them portable names. Not checked by a probe here (no macOS
 * or FreeBSD machine): ProbeTest checks them when the probe is compiled there.
 */
public final class BsdErrno {
    private BsdErrno() { }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 63;
    public static final int EAGAIN = 35;
    public static final int EINPROGRESS = 36;
    public static final int EALREADY = 37;
    public static final int ENOTSOCK = 38;
    public static final int EMSGSIZE = 40;
    public static final int EADDRINUSE = 48;
    public static final int EADDRNOTAVAIL = 49;
    public static final int ENETUNREACH = 51;
    public static final int ECONNABORTED = 53;
    public static final int ECONNRESET = 54;
    public static final int ENOBUFS = 55;
    public static final int ENOTCONN = 57;
    public static final int ETIMEDOUT = 60;
    public static final int ECONNREFUSED = 61;
    public static final int EHOSTUNREACH = 65;
    public static final int ENOSYS = 78;
    /** macOS 102 (with _DARWIN_UNIX03; 45 is its ENOTSUP), FreeBSD 45. */
    public static final int EOPNOTSUPP = Platform.MACOS ? 102 : 45;
}
