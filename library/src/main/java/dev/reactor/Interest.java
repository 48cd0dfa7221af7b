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

    /**
     * Priority data or an exceptional condition (EPOLLPRI): TCP urgent data, a PSI pressure
     * trigger (/proc/pressure/*), a cgroup's events file, a sysfs attribute that notifies, a
     * tty packet-mode change. May stand alone (such files need no READ). Linux's epoll only:
     * on kqueue a registration asking for it fails with EOPNOTSUPP.
     */
    public static final int PRIORITY = Poller.PRIORITY;
    static final int ALL = READ | WRITE | EDGE | ONESHOT | PRIORITY;

    /**
     * Names the bits for logs: {@code "READ|WRITE|EDGE"}, {@code "0"} for none; unknown bits print in hex.
     * @param interest Interest bits
     * @return the names joined by {@code |}
     */
    public static String toString(int interest) {
        return Bits.toString(interest, new String[] {"READ", "WRITE", "EDGE", "ONESHOT", "PRIORITY"});
    }
}
