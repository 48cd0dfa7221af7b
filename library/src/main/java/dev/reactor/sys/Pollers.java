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
     */
    public static Poller open(LibC libc, String backend, int initialEvents, String poller, String kqueueLibrary)
            throws IOException {
        String choice = poller.toLowerCase(Locale.ROOT);
        if (choice.equals("auto")) {
            if (!Platform.LINUX && !Platform.BSD) {
                throw new UnsupportedOperationException("no poller for " + System.getProperty("os.name")
                        + ": epoll (Linux) and kqueue (macOS, FreeBSD) are implemented");
            }
            String unsupported = Os.current().unsupported();
            if (unsupported != null) throw new UnsupportedOperationException(unsupported);
            choice = Platform.LINUX ? "epoll" : "kqueue";
        }
        switch (choice) {
            case "epoll":
                if (!Platform.LINUX) {
                    throw new UnsupportedOperationException("epoll is Linux's; this is " + System.getProperty("os.name"));
                }
                String refused = Os.current().unsupported();
                if (refused != null) throw new UnsupportedOperationException(refused);
                return new EpollPoller(libc, initialEvents);
            case "kqueue":
                if (kqueueLibrary == null) {
                    if (!Platform.BSD) {
                        throw new UnsupportedOperationException("kqueue is the BSDs'; on " + System.getProperty("os.name")
                                + " name a library that has it (-D" + KQUEUE_LIBRARY + ")");
                    }
                    String refusal = Os.current().unsupported();
                    if (refusal != null) throw new UnsupportedOperationException(refusal);
                }
                KeventCalls kevent = kqueueLibrary == null ? libc : Os.kevent(backend, kqueueLibrary);
                return new KqueuePoller(libc, kevent, kqueueAbi(), initialEvents);
            default:
                throw new IllegalArgumentException("unknown poller '" + poller + "' (auto, epoll, kqueue)");
        }
    }

    /** The struct kevent ABI: the OS's own, or on another (an emulator on Linux) -Ddev.reactor.kqueue.abi. */
    static Kqueue.Abi kqueueAbi() {
        if (Platform.MACOS) return Kqueue.Abi.MACOS;
        if (Platform.FREEBSD) return Kqueue.Abi.FREEBSD;
        String abi = System.getProperty(KQUEUE_ABI, "macos").toLowerCase(Locale.ROOT);
        switch (abi) {
            case "macos": return Kqueue.Abi.MACOS;
            case "freebsd": return Kqueue.Abi.FREEBSD;
            default: throw new IllegalArgumentException("unknown kqueue ABI '" + abi + "' (macos, freebsd)");
        }
    }
}
