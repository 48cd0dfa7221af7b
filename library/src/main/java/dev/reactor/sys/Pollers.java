package dev.reactor.sys;

import dev.reactor.ffi.LibC;
import dev.reactor.ffi.Platform;
import dev.reactor.sys.linux.EpollPoller;

import java.io.IOException;

/** Picks the poller for this OS. */
public final class Pollers {
    private Pollers() { }

    public static Poller open(LibC libc, int initialEvents) throws IOException {
        String unsupported = unsupported(Platform.LINUX, Platform.X86_64 || Platform.AARCH64,
                System.getProperty("os.name"), System.getProperty("os.arch"));
        if (unsupported != null) throw new UnsupportedOperationException(unsupported);
        return new EpollPoller(libc, initialEvents);
    }

    /**
     * Why this platform has no poller, or null when it has one. Linux needs a known CPU as well:
     * struct epoll_event's layout and the syscall numbers the library calls by number differ by
     * architecture, and a wrong guess would misread events or make another system call.
     */
    static String unsupported(boolean linux, boolean knownArch, String os, String arch) {
        if (!linux) {
            return "no poller for " + os + " yet: epoll (Linux) is implemented, kqueue (macOS/BSD) is not";
        }
        if (!knownArch) {
            return "no poller for Linux on " + arch + ": epoll's event layout and the syscall numbers"
                    + " are known for x86_64 (amd64) and aarch64 only";
        }
        return null;
    }
}
