package dev.reactor.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Which poller this suite's reactors run on ({@code -Ddev.reactor.poller}), for the few tests
 * whose expectations differ: the kernel call a message names, or an epoll-only mechanism.
 */
public final class PollerKind {
    private PollerKind() { }

    /** True in the kqueue suites. */
    public static boolean kqueue() {
        return "kqueue".equals(System.getProperty("dev.reactor.poller"));
    }

    /** "epoll" or "kqueue": what {@code Reactor.backend()} starts with. */
    public static String name() {
        return kqueue() ? "kqueue" : "epoll";
    }

    /** Skips, saying why, a test of something only epoll has. */
    public static void assumeEpoll(String why) {
        assumeFalse(kqueue(), "epoll only: " + why);
    }

    /** The call a failed registration names. */
    public static String add(int fd) {
        return kqueue() ? "kevent(EV_ADD, fd=" + fd + ")" : "epoll_ctl(ADD, fd=" + fd + ")";
    }

    /** The call a failed interest change names. */
    public static String modify(int fd) {
        return kqueue() ? "kevent(modify, fd=" + fd + ")" : "epoll_ctl(MOD, fd=" + fd + ")";
    }
}
