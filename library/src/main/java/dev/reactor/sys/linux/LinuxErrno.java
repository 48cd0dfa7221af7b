package dev.reactor.sys.linux;

/**
 * errno on Linux (asm-generic/errno-base.h, asm-generic/errno.h; the same on x86_64 and
 * aarch64): the values this library meets. {@code dev.reactor.sys.Errno} gives them portable
 * names; the probe (native/probe.c) checks each against the C headers.
 */
public final class LinuxErrno {
    private LinuxErrno() { }

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
    public static final int ENAMETOOLONG = 36;
    public static final int EAGAIN = 11;
    public static final int EINPROGRESS = 115;
    public static final int EALREADY = 114;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;
}
