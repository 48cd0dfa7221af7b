package dev.reactor.sys;

import dev.reactor.ffi.LibC;
import dev.reactor.ffi.Platform;
import dev.reactor.sys.linux.EpollPoller;

import java.io.IOException;

/** Picks the poller for this OS. */
public final class Pollers {
    private Pollers() { }

    public static Poller open(LibC libc, int initialEvents) throws IOException {
        if (Platform.LINUX) return new EpollPoller(libc, initialEvents);
        throw new UnsupportedOperationException("no poller for " + System.getProperty("os.name")
                + " yet: epoll (Linux) is implemented, kqueue (macOS/BSD) is not");
    }
}
