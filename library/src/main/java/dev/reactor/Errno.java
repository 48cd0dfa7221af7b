package dev.reactor;

/**
 * errno values by name, in the running OS's numbering, for comparing with
 * {@link ReactorException#errno()}: EAGAIN is 11 on Linux and 35 on macOS, and
 * {@code e.errno() == Errno.EAGAIN} holds on both. The values are read at class initialisation
 * from the OS layer's table, so they are not compile-time constants: compare with {@code ==}, or
 * switch on {@link ReactorException#errnoName()}, which is the same string on every OS.
 * Only the errno values this library's calls can fail with are here.
 */
public final class Errno {
    private Errno() { }

    /** Operation not permitted (epoll refuses a regular file or a directory with it). */
    public static final int EPERM = dev.reactor.sys.Errno.EPERM;
    /** No such file or directory (epoll and kqueue: the fd is not in the set). */
    public static final int ENOENT = dev.reactor.sys.Errno.ENOENT;
    /** No such process (pidfd_open of a pid that does not exist). */
    public static final int ESRCH = dev.reactor.sys.Errno.ESRCH;
    /** Interrupted system call. */
    public static final int EINTR = dev.reactor.sys.Errno.EINTR;
    /** Input/output error (also: a call failed without setting errno). */
    public static final int EIO = dev.reactor.sys.Errno.EIO;
    /** Bad file descriptor: the fd is not open. */
    public static final int EBADF = dev.reactor.sys.Errno.EBADF;
    /** Cannot allocate memory. */
    public static final int ENOMEM = dev.reactor.sys.Errno.ENOMEM;
    /** Permission denied. */
    public static final int EACCES = dev.reactor.sys.Errno.EACCES;
    /** Bad address. */
    public static final int EFAULT = dev.reactor.sys.Errno.EFAULT;
    /** File exists (the fd is registered already). */
    public static final int EEXIST = dev.reactor.sys.Errno.EEXIST;
    /** Not a directory (inotify's ONLYDIR on a file). */
    public static final int ENOTDIR = dev.reactor.sys.Errno.ENOTDIR;
    /** Invalid argument. */
    public static final int EINVAL = dev.reactor.sys.Errno.EINVAL;
    /** Too many open files in the system. */
    public static final int ENFILE = dev.reactor.sys.Errno.ENFILE;
    /** Too many open files in this process (RLIMIT_NOFILE). */
    public static final int EMFILE = dev.reactor.sys.Errno.EMFILE;
    /** No space left on device (inotify: the user's max_user_watches are in use). */
    public static final int ENOSPC = dev.reactor.sys.Errno.ENOSPC;
    /** Broken pipe: the reading end is closed. */
    public static final int EPIPE = dev.reactor.sys.Errno.EPIPE;
    /** File name too long (a Unix socket path). */
    public static final int ENAMETOOLONG = dev.reactor.sys.Errno.ENAMETOOLONG;
    /** Resource temporarily unavailable: a non-blocking call would block. */
    public static final int EAGAIN = dev.reactor.sys.Errno.EAGAIN;
    /** Operation now in progress (a non-blocking connect). */
    public static final int EINPROGRESS = dev.reactor.sys.Errno.EINPROGRESS;
    /** Operation already in progress. */
    public static final int EALREADY = dev.reactor.sys.Errno.EALREADY;
    /** Socket operation on non-socket. */
    public static final int ENOTSOCK = dev.reactor.sys.Errno.ENOTSOCK;
    /**
     * Message too long. {@code Sockets.receiveFds} reports with it that more fds came than the
     * caller had room for (MSG_CTRUNC).
     */
    public static final int EMSGSIZE = dev.reactor.sys.Errno.EMSGSIZE;
    /** Address already in use. */
    public static final int EADDRINUSE = dev.reactor.sys.Errno.EADDRINUSE;
    /** Cannot assign requested address. */
    public static final int EADDRNOTAVAIL = dev.reactor.sys.Errno.EADDRNOTAVAIL;
    /** Network is unreachable. */
    public static final int ENETUNREACH = dev.reactor.sys.Errno.ENETUNREACH;
    /** Software caused connection abort. */
    public static final int ECONNABORTED = dev.reactor.sys.Errno.ECONNABORTED;
    /** Connection reset by peer. */
    public static final int ECONNRESET = dev.reactor.sys.Errno.ECONNRESET;
    /** No buffer space available. */
    public static final int ENOBUFS = dev.reactor.sys.Errno.ENOBUFS;
    /** The socket is not connected. */
    public static final int ENOTCONN = dev.reactor.sys.Errno.ENOTCONN;
    /** Connection timed out (also: a connect's own deadline passed). */
    public static final int ETIMEDOUT = dev.reactor.sys.Errno.ETIMEDOUT;
    /** Connection refused. */
    public static final int ECONNREFUSED = dev.reactor.sys.Errno.ECONNREFUSED;
    /** No route to host. */
    public static final int EHOSTUNREACH = dev.reactor.sys.Errno.EHOSTUNREACH;
    /** Function not implemented: the OS or kernel lacks the call. */
    public static final int ENOSYS = dev.reactor.sys.Errno.ENOSYS;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = dev.reactor.sys.Errno.EOPNOTSUPP;

    /**
     * {@return the symbolic name of an errno value of the running OS, e.g. "EAGAIN"; for one this
     * class does not list, "errno " and the number}
     * @param errno a positive errno value
     */
    public static String name(int errno) {
        String name = dev.reactor.sys.Errno.name(errno);
        return name != null ? name : "errno " + errno;
    }

    /**
     * {@return the name and the C library's text, e.g. "EBADF (Bad file descriptor)"; "errno " and
     * the number for one this class does not list} As ReactorException's messages give it.
     * @param errno a positive errno value
     */
    public static String describe(int errno) {
        return dev.reactor.sys.Errno.describe(errno);
    }
}
