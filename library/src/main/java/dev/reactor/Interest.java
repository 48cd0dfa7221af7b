package dev.reactor;

/** What a registration watches for: bits, combined with {@code |}. */
public final class Interest {
    private Interest() { }

    /** Readable, or the peer hung up (EPOLLIN|EPOLLRDHUP; EVFILT_READ). */
    public static final int READ = 1;
    /** Writable (EPOLLOUT; EVFILT_WRITE). */
    public static final int WRITE = 1 << 1;
    /** Edge-triggered: report a change of readiness once, not while it lasts (EPOLLET; EV_CLEAR). */
    public static final int EDGE = 1 << 2;
    /** Report once, then stay quiet until {@link Reactor#interest(int, int)} re-arms (EPOLLONESHOT; EV_ONESHOT). */
    public static final int ONESHOT = 1 << 3;

    static final int ALL = READ | WRITE | EDGE | ONESHOT;

    /**
     * Names the bits for logs: {@code "READ|WRITE|EDGE"}, {@code "0"} for none; unknown bits print in hex.
     * @param interest Interest bits
     * @return the names joined by {@code |}
     */
    public static String toString(int interest) {
        return Bits.toString(interest, new String[] {"READ", "WRITE", "EDGE", "ONESHOT"});
    }
}
