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

    /**
     * True on the Linux kqueue emulator, which cannot put a socket's error in EV_EOF's fflags
     * without consuming it (reading SO_ERROR clears it on Linux): there a socket error shows as
     * HANGUP alone, with the error still pending for SO_ERROR; real kqueue adds ERROR.
     */
    public static boolean emulatedKqueue() {
        return kqueue() && System.getProperty("dev.reactor.kqueue.library", "").contains("kqueue-emu");
    }

    /** True where every fd is made by the portable call sequences (accept, then fcntl): the BSDs, or Linux told to. */
    public static boolean portableCalls() {
        return Boolean.getBoolean("dev.reactor.sys.portableCalls");
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
