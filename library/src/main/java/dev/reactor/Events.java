package dev.reactor;

import dev.reactor.sys.Poller;

/** What the poller reported for an fd: bits, passed to {@link Context#onEvent(Reactor, int)}. */
public final class Events {
    private Events() { }

    /** Data can be read, or a listening socket has a connection to accept (EPOLLIN; EVFILT_READ). */
    public static final int READABLE = Poller.READABLE;
    /** Room to write, or a non-blocking connect has finished (EPOLLOUT; EVFILT_WRITE). */
    public static final int WRITABLE = Poller.WRITABLE;
    /** The peer closed its end, or hung up (EPOLLHUP, EPOLLRDHUP; EV_EOF). A read returns what is left, then -1. */
    public static final int HANGUP = Poller.HANGUP;
    /** An error is pending on the fd (EPOLLERR; EV_ERROR); for a socket, SO_ERROR says which. */
    public static final int ERROR = Poller.ERROR;
    /** Priority data or an exceptional condition (EPOLLPRI), for a registration with {@link Interest#PRIORITY}. */
    public static final int PRIORITY = Poller.PRIORITIZED;

    /**
     * {@return whether {@link #READABLE} is set}
     * @param events the bits given to {@code onEvent}
     */
    public static boolean isReadable(int events) { return (events & READABLE) != 0; }
    /**
     * {@return whether {@link #WRITABLE} is set}
     * @param events the bits given to {@code onEvent}
     */
    public static boolean isWritable(int events) { return (events & WRITABLE) != 0; }
    /**
     * {@return whether {@link #HANGUP} is set}
     * @param events the bits given to {@code onEvent}
     */
    public static boolean isHangup(int events) { return (events & HANGUP) != 0; }
    /**
     * {@return whether {@link #ERROR} is set}
     * @param events the bits given to {@code onEvent}
     */
    public static boolean isError(int events) { return (events & ERROR) != 0; }

    /**
     * {@return whether {@link #PRIORITY} is set}
     * @param events Events bits
     */
    public static boolean isPriority(int events) { return (events & PRIORITY) != 0; }

    /**
     * Names the bits for logs: {@code "READABLE|HANGUP"}, {@code "0"} for none; unknown bits print in hex.
     * @param events Events bits
     * @return the names joined by {@code |}
     */
    public static String toString(int events) {
        return Bits.toString(events, new String[] {"READABLE", "WRITABLE", "HANGUP", "ERROR", "PRIORITY"});
    }
}
