package dev.reactor.sys;

import dev.reactor.ffi.KeventCalls;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.bsd.Kqueue;
import dev.reactor.sys.bsd.KqueuePoller;
import dev.reactor.sys.linux.EpollPoller;

import java.io.IOException;
import java.util.Locale;

/**
 * Picks the poller: the one place a poller is chosen (a new one is one more case here).
 * "auto" is epoll on Linux and kqueue on macOS and the BSDs; {@code -Ddev.reactor.poller} or the
 * config forces one. kqueue comes from the C library, or from the shared library
 * {@code -Ddev.reactor.kqueue.library} (or the config) names, with the struct kevent ABI of this OS
 * (macOS's 32 bytes; FreeBSD's 64), or on another OS {@code -Ddev.reactor.kqueue.abi=macos|freebsd}.
 */
public final class Pollers {
    private Pollers() { }

    public static final String PROPERTY = "dev.reactor.poller";
    public static final String KQUEUE_LIBRARY = "dev.reactor.kqueue.library";
    public static final String KQUEUE_ABI = "dev.reactor.kqueue.abi";

    /**
     * @param libc the FFI backend the reactor uses
     * @param backend its name as asked for ("auto", "panama", "jnr"), for a kqueue library's binding
     * @param poller "auto", "epoll" or "kqueue"
     * @param kqueueLibrary a shared library to take kqueue and kevent from, or null for the C library's
     * @param kqueueAbi the layout that library speaks where the OS does not decide: "macos" or "freebsd"
     */
    public static Poller open(LibC libc, String backend, int initialEvents, String poller, String kqueueLibrary,
            String kqueueAbi) throws IOException {
        String choice = poller.toLowerCase(Locale.ROOT);
        if (choice.equals("auto")) {
            if (!Platform.LINUX && !Platform.BSD) {
                throw new UnsupportedOperationException("no poller for " + System.getProperty("os.name")
                        + ": epoll (Linux) and kqueue (macOS, FreeBSD) are implemented");
            }
            choice = Platform.LINUX ? "epoll" : "kqueue";
        }
        boolean ownOs;                    // the OS's own poller, whose layouts Os must know
        switch (choice) {
            case "epoll":
                if (!Platform.LINUX) {
                    throw new UnsupportedOperationException("epoll is Linux's; this is " + System.getProperty("os.name"));
                }
                ownOs = true;
                break;
            case "kqueue":
                if (kqueueLibrary == null && !Platform.BSD) {
                    throw new UnsupportedOperationException("kqueue is the BSDs'; on " + System.getProperty("os.name")
                            + " name a library that has it (-D" + KQUEUE_LIBRARY + ")");
                }
                ownOs = kqueueLibrary == null;
                break;
            default:
                throw new IllegalArgumentException("unknown poller '" + poller + "' (auto, epoll, kqueue)");
        }
        if (ownOs) {
            String refused = Os.current().unsupported();
            if (refused != null) throw new UnsupportedOperationException(refused);
        }
        if (choice.equals("epoll")) return new EpollPoller(libc, initialEvents);
        Kqueue.Abi abi = kqueueAbi(kqueueAbi);
        KeventCalls kevent = kqueueLibrary == null ? libc : Os.kevent(backend, kqueueLibrary);
        return new KqueuePoller(libc, kevent, abi, initialEvents);
    }

    /** The struct kevent ABI: the OS's own, or on another (an emulator on Linux) the one asked for. */
    static Kqueue.Abi kqueueAbi(String asked) {
        if (Platform.MACOS) return Kqueue.Abi.MACOS;
        if (Platform.FREEBSD) return Kqueue.Abi.FREEBSD;
        switch (asked.toLowerCase(Locale.ROOT)) {
            case "macos": return Kqueue.Abi.MACOS;
            case "freebsd": return Kqueue.Abi.FREEBSD;
            default: throw new IllegalArgumentException("unknown kqueue ABI '" + asked + "' (macos, freebsd; -D"
                    + KQUEUE_ABI + " or ReactorConfig.kqueueAbi)");
        }
    }
}
