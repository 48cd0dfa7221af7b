package dev.reactor.sys;

import dev.reactor.ReactorException;

/**
 * The one helper that turns a {@code -errno} result into a {@link ReactorException} naming the
 * call, the fd and errno: {@code read(fd=7): EBADF (Bad file descriptor)}.
 */
public final class Errors {
    private Errors() { }

    /** Returns result, or throws for {@code -errno}: {@code call(fd=N): EBADF (Bad file descriptor)}. */
    public static long check(long result, String call, int fd) throws ReactorException {
        if (result < 0) throw new ReactorException(call + "(fd=" + fd + ")", (int) -result);
        return result;
    }

    /** Returns result, or throws for {@code -errno}: {@code call(op, fd=N): errno}. */
    public static long check(long result, String call, String op, int fd) throws ReactorException {
        if (result < 0) throw new ReactorException(call + "(" + op + ", fd=" + fd + ")", (int) -result);
        return result;
    }

    /** Returns result, or throws for {@code -errno}: {@code call(): errno}. */
    public static long check(long result, String call) throws ReactorException {
        if (result < 0) throw new ReactorException(call + "()", (int) -result);
        return result;
    }
}
