package dev.reactor;

import dev.reactor.ffi.Errno;

import java.io.IOException;

/**
 * A failed system call: carries errno and the call as it was made, e.g.
 * {@code epoll_ctl(ADD, fd=42): EBADF (Bad file descriptor)}.
 */
public class ReactorException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;

    public ReactorException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /**
     * A failure that is not a system call's (e.g. a connect timeout): errno is the nearest match,
     * and the message still names it, e.g. {@code register(fd=7): EEXIST (File exists): already registered to ...}.
     */
    public ReactorException(String call, int errno, String message) {
        super(call + ": " + Errno.describe(errno) + ": " + message);
        this.call = call;
        this.errno = errno;
    }

    /** The errno value of the failed call (the running OS's numbering). */
    public int errno() {
        return errno;
    }

    /** The call and its arguments, e.g. {@code epoll_ctl(ADD, fd=42)}. */
    public String call() {
        return call;
    }
}
