package dev.reactor;

import java.io.IOException;

/**
 * A failed system call: carries errno and the call as it was made, e.g.
 * {@code epoll_ctl(ADD, fd=42): EBADF (Bad file descriptor)}.
 */
public class ReactorException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The errno value, in the numbering of the OS that threw it. */
    private final int errno;
    /** The call and its arguments, e.g. {@code epoll_ctl(ADD, fd=42)}. */
    private final String call;

    /**
     * A system call failed: the message is the call, then errno's name and text, e.g.
     * {@code epoll_ctl(ADD, fd=42): EBADF (Bad file descriptor)}.
     *
     * @param call the call and its arguments, e.g. {@code epoll_ctl(ADD, fd=42)}
     * @param errno the positive errno value the call failed with
     */
    public ReactorException(String call, int errno) {
        super(call + ": " + dev.reactor.sys.Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /**
     * A failure that is not a system call's (e.g. a connect timeout): errno is the nearest match,
     * and the message still names it, e.g. {@code register(fd=7): EEXIST (File exists): already registered to ...}.
     *
     * @param call the operation and its arguments, e.g. {@code register(fd=7)}
     * @param errno the positive errno value nearest to the failure
     * @param message what went wrong, appended after errno's name and text
     */
    public ReactorException(String call, int errno, String message) {
        super(call + ": " + dev.reactor.sys.Errno.describe(errno) + ": " + message);
        this.call = call;
        this.errno = errno;
    }

    /**
     * {@return the errno value of the failed call} It is the running OS's numbering: compare it
     * with {@link Errno}'s constants ({@code e.errno() == Errno.EAGAIN}), never with a literal
     * (EAGAIN is 11 on Linux, 35 on macOS).
     */
    public int errno() {
        return errno;
    }

    /**
     * {@return errno's symbolic name, e.g. "EAGAIN": the same string on every OS, so it can be
     * switched on} For a value {@link Errno} does not list, "errno " and the number.
     */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** {@return the call and its arguments, e.g. {@code epoll_ctl(ADD, fd=42)}} */
    public String call() {
        return call;
    }
}
