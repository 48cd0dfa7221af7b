package dev.reactor;

/** What the poller reported for an fd: bits, passed to {@link Context#onEvent(Reactor, int)}. */
public final class Events {
    private Events() { }

    public static final int READABLE = 1;
    public static final int WRITABLE = 1 << 1;
    /** The peer closed its end, or hung up (EPOLLHUP, EPOLLRDHUP; EV_EOF). A read returns what is left, then -1. */
    public static final int HANGUP = 1 << 2;
    /** An error is pending on the fd (EPOLLERR; EV_ERROR); for a socket, SO_ERROR says which. */
    public static final int ERROR = 1 << 3;

    public static boolean isReadable(int events) { return (events & READABLE) != 0; }
    public static boolean isWritable(int events) { return (events & WRITABLE) != 0; }
    public static boolean isHangup(int events) { return (events & HANGUP) != 0; }
    public static boolean isError(int events) { return (events & ERROR) != 0; }

    /** "READABLE|HANGUP", or "0". */
    public static String toString(int events) {
        return Bits.toString(events, new String[] {"READABLE", "WRITABLE", "HANGUP", "ERROR"});
    }
}
