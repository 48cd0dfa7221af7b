package dev.reactor.sys;

import dev.reactor.ffi.LibC;
import dev.reactor.sys.linux.EpollPoller;

import java.io.IOException;

/** Picks the poller: the one place a poller is chosen (a new one is one more line here). */
public final class Pollers {
    private Pollers() { }

    public static Poller open(LibC libc, int initialEvents) throws IOException {
        String unsupported = Os.current().unsupported();
        if (unsupported != null) throw new UnsupportedOperationException(unsupported);
        return new EpollPoller(libc, initialEvents);
    }
}
