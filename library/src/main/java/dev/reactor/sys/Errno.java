package dev.reactor.sys;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * errno by name, in the running OS's numbering (EAGAIN is 11 on Linux, 35 on macOS): the values
 * come from the OS's own table ({@code dev.reactor.sys.linux.LinuxErrno},
 * {@code dev.reactor.sys.bsd.BsdErrno}), chosen by {@link Os}. Not compile-time constants, so
 * compare with {@code ==}, never in a {@code case} label.
 */
public final class Errno {
    private Errno() { }

    private static final Map<String, Integer> VALUES = values(Os.current().errnoTable());
    private static final Map<Integer, String> NAMES = new HashMap<>();

    public static final int EPERM = value("EPERM");
    public static final int ENOENT = value("ENOENT");
    public static final int ESRCH = value("ESRCH");
    public static final int EINTR = value("EINTR");
    public static final int EIO = value("EIO");
    public static final int EBADF = value("EBADF");
    public static final int ENOMEM = value("ENOMEM");
    public static final int EACCES = value("EACCES");
    public static final int EFAULT = value("EFAULT");
    public static final int EEXIST = value("EEXIST");
    public static final int ENOTDIR = value("ENOTDIR");
    public static final int EINVAL = value("EINVAL");
    public static final int ENFILE = value("ENFILE");
    public static final int EMFILE = value("EMFILE");
    public static final int ENOSPC = value("ENOSPC");
    public static final int EPIPE = value("EPIPE");
    public static final int ENAMETOOLONG = value("ENAMETOOLONG");
    public static final int EAGAIN = value("EAGAIN");
    public static final int EINPROGRESS = value("EINPROGRESS");
    public static final int EALREADY = value("EALREADY");
    public static final int ENOTSOCK = value("ENOTSOCK");
    public static final int EMSGSIZE = value("EMSGSIZE");
    public static final int EADDRINUSE = value("EADDRINUSE");
    public static final int EADDRNOTAVAIL = value("EADDRNOTAVAIL");
    public static final int ENETUNREACH = value("ENETUNREACH");
    public static final int ECONNABORTED = value("ECONNABORTED");
    public static final int ECONNRESET = value("ECONNRESET");
    public static final int ENOBUFS = value("ENOBUFS");
    public static final int ENOTCONN = value("ENOTCONN");
    public static final int ETIMEDOUT = value("ETIMEDOUT");
    public static final int ECONNREFUSED = value("ECONNREFUSED");
    public static final int EHOSTUNREACH = value("EHOSTUNREACH");
    public static final int ENOSYS = value("ENOSYS");
    public static final int EOPNOTSUPP = value("EOPNOTSUPP");

    /** The text for each name (glibc's wording; the BSDs word a few differently). */
    private static final Map<String, String> MESSAGES = Map.ofEntries(
            Map.entry("EPERM", "Operation not permitted"),
            Map.entry("ENOENT", "No such file or directory"),
            Map.entry("ESRCH", "No such process"),
            Map.entry("EINTR", "Interrupted system call"),
            Map.entry("EIO", "Input/output error"),
            Map.entry("EBADF", "Bad file descriptor"),
            Map.entry("ENOMEM", "Cannot allocate memory"),
            Map.entry("EACCES", "Permission denied"),
            Map.entry("EFAULT", "Bad address"),
            Map.entry("EEXIST", "File exists"),
            Map.entry("ENOTDIR", "Not a directory"),
            Map.entry("EINVAL", "Invalid argument"),
            Map.entry("ENFILE", "Too many open files in system"),
            Map.entry("EMFILE", "Too many open files"),
            Map.entry("ENOSPC", "No space left on device"),
            Map.entry("EPIPE", "Broken pipe"),
            Map.entry("ENAMETOOLONG", "File name too long"),
            Map.entry("EMSGSIZE", "Message too long"),
            Map.entry("EAGAIN", "Resource temporarily unavailable"),
            Map.entry("EINPROGRESS", "Operation now in progress"),
            Map.entry("EALREADY", "Operation already in progress"),
            Map.entry("ENOTSOCK", "Socket operation on non-socket"),
            Map.entry("EADDRINUSE", "Address already in use"),
            Map.entry("EADDRNOTAVAIL", "Cannot assign requested address"),
            Map.entry("ENETUNREACH", "Network is unreachable"),
            Map.entry("ECONNABORTED", "Software caused connection abort"),
            Map.entry("ECONNRESET", "Connection reset by peer"),
            Map.entry("ENOBUFS", "No buffer space available"),
            Map.entry("ENOTCONN", "Transport endpoint is not connected"),
            Map.entry("ETIMEDOUT", "Connection timed out"),
            Map.entry("ECONNREFUSED", "Connection refused"),
            Map.entry("EHOSTUNREACH", "No route to host"),
            Map.entry("ENOSYS", "Function not implemented"),
            Map.entry("EOPNOTSUPP", "Operation not supported"));

    /** "EBADF (Bad file descriptor)", or "errno 1234" for a value not in the table. */
    public static String describe(int errno) {
        String name = name(errno);
        return name == null ? "errno " + errno : name + " (" + MESSAGES.get(name) + ")";
    }

    /** The symbolic name, or null when unknown. */
    public static String name(int errno) {
        return NAMES.get(errno);
    }

    private static int value(String name) {
        Integer v = VALUES.get(name);
        if (v == null) throw new IllegalStateException(name + " is missing from the OS's errno table");
        NAMES.putIfAbsent(v, name);
        return v;
    }

    /** The public static final int fields of an OS's errno class, by name. */
    static Map<String, Integer> values(Class<?> table) {
        Map<String, Integer> values = new HashMap<>();
        for (Field f : table.getFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == int.class) {
                try {
                    values.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return values;
    }
}
