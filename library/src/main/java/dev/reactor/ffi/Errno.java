package dev.reactor.ffi;

/**
 * errno names and messages for the values this library meets. The numbers differ by OS
 * (EAGAIN is 11 on Linux, 35 on macOS), so they come from {@link Platform}; the probe in
 * native/ checks the Linux ones against the C headers.
 */
public final class Errno {
    private Errno() { }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = Platform.LINUX ? 36 : 63;
    public static final int EAGAIN = Platform.LINUX ? 11 : 35;
    public static final int EINPROGRESS = Platform.LINUX ? 115 : 36;
    public static final int EALREADY = Platform.LINUX ? 114 : 37;
    public static final int ENOTSOCK = Platform.LINUX ? 88 : 38;
    public static final int EADDRINUSE = Platform.LINUX ? 98 : 48;
    public static final int EADDRNOTAVAIL = Platform.LINUX ? 99 : 49;
    public static final int ENETUNREACH = Platform.LINUX ? 101 : 51;
    public static final int ECONNABORTED = Platform.LINUX ? 103 : 53;
    public static final int ECONNRESET = Platform.LINUX ? 104 : 54;
    public static final int ENOBUFS = Platform.LINUX ? 105 : 55;
    public static final int ENOTCONN = Platform.LINUX ? 107 : 57;
    public static final int ETIMEDOUT = Platform.LINUX ? 110 : 60;
    public static final int ECONNREFUSED = Platform.LINUX ? 111 : 61;
    public static final int EHOSTUNREACH = Platform.LINUX ? 113 : 65;
    public static final int ENOSYS = Platform.LINUX ? 38 : 78;
    public static final int EOPNOTSUPP = Platform.LINUX ? 95 : 102;

    /** "EBADF (Bad file descriptor)", or "errno 1234" for a value not in the table. */
    public static String describe(int errno) {
        String name = name(errno);
        return name == null ? "errno " + errno : name + " (" + message(errno) + ")";
    }

    /** The symbolic name, or null when unknown. */
    public static String name(int errno) {
        if (errno == EPERM) return "EPERM";
        if (errno == ENOENT) return "ENOENT";
        if (errno == EINTR) return "EINTR";
        if (errno == EBADF) return "EBADF";
        if (errno == ENOMEM) return "ENOMEM";
        if (errno == EACCES) return "EACCES";
        if (errno == EFAULT) return "EFAULT";
        if (errno == EEXIST) return "EEXIST";
        if (errno == EINVAL) return "EINVAL";
        if (errno == ENFILE) return "ENFILE";
        if (errno == EMFILE) return "EMFILE";
        if (errno == EPIPE) return "EPIPE";
        if (errno == ENAMETOOLONG) return "ENAMETOOLONG";
        if (errno == EAGAIN) return "EAGAIN";
        if (errno == EINPROGRESS) return "EINPROGRESS";
        if (errno == EALREADY) return "EALREADY";
        if (errno == ENOTSOCK) return "ENOTSOCK";
        if (errno == EADDRINUSE) return "EADDRINUSE";
        if (errno == EADDRNOTAVAIL) return "EADDRNOTAVAIL";
        if (errno == ENETUNREACH) return "ENETUNREACH";
        if (errno == ECONNABORTED) return "ECONNABORTED";
        if (errno == ECONNRESET) return "ECONNRESET";
        if (errno == ENOBUFS) return "ENOBUFS";
        if (errno == ENOTCONN) return "ENOTCONN";
        if (errno == ETIMEDOUT) return "ETIMEDOUT";
        if (errno == ECONNREFUSED) return "ECONNREFUSED";
        if (errno == EHOSTUNREACH) return "EHOSTUNREACH";
        if (errno == ENOSYS) return "ENOSYS";
        if (errno == EOPNOTSUPP) return "EOPNOTSUPP";
        return null;
    }

    static String message(int errno) {
        if (errno == EPERM) return "Operation not permitted";
        if (errno == ENOENT) return "No such file or directory";
        if (errno == EINTR) return "Interrupted system call";
        if (errno == EBADF) return "Bad file descriptor";
        if (errno == ENOMEM) return "Cannot allocate memory";
        if (errno == EACCES) return "Permission denied";
        if (errno == EFAULT) return "Bad address";
        if (errno == EEXIST) return "File exists";
        if (errno == EINVAL) return "Invalid argument";
        if (errno == ENFILE) return "Too many open files in system";
        if (errno == EMFILE) return "Too many open files";
        if (errno == EPIPE) return "Broken pipe";
        if (errno == ENAMETOOLONG) return "File name too long";
        if (errno == EAGAIN) return "Resource temporarily unavailable";
        if (errno == EINPROGRESS) return "Operation now in progress";
        if (errno == EALREADY) return "Operation already in progress";
        if (errno == ENOTSOCK) return "Socket operation on non-socket";
        if (errno == EADDRINUSE) return "Address already in use";
        if (errno == EADDRNOTAVAIL) return "Cannot assign requested address";
        if (errno == ENETUNREACH) return "Network is unreachable";
        if (errno == ECONNABORTED) return "Software caused connection abort";
        if (errno == ECONNRESET) return "Connection reset by peer";
        if (errno == ENOBUFS) return "No buffer space available";
        if (errno == ENOTCONN) return "Transport endpoint is not connected";
        if (errno == ETIMEDOUT) return "Connection timed out";
        if (errno == ECONNREFUSED) return "Connection refused";
        if (errno == EHOSTUNREACH) return "No route to host";
        if (errno == ENOSYS) return "Function not implemented";
        if (errno == EOPNOTSUPP) return "Operation not supported";
        return "errno " + errno;
    }
}
