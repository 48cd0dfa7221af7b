package dev.reactor;

import dev.reactor.sys.Poller;

/** What a registration watches for: bits, combined with {@code |}. */
public final class Interest {
    private Interest() { }

    /** Readable, or the peer hung up (EPOLLIN|EPOLLRDHUP; EVFILT_READ). */
    public static final int READ = Poller.READ;
    /** Writable (EPOLLOUT; EVFILT_WRITE). */
    public static final int WRITE = Poller.WRITE;
    /** Edge-triggered: report a change of readiness once, not while it lasts (EPOLLET; EV_CLEAR). */
    public static final int EDGE = Poller.EDGE;
    /** Report once, then stay quiet until {@link Reactor#interest(int, int)} re-arms (EPOLLONESHOT; EV_DISPATCH, and a READ|WRITE registration is disarmed whole). */
    public static final int ONESHOT = Poller.ONESHOT;

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
