package dev.reactor.testing;

import jnr.ffi.LibraryLoader;

/**
 * The kqueue suites' emulator (native/kqueue-emu.c), when this JVM runs on it: after close(kq) it
 * keeps its own few fds (child epoll sets, EVFILT_USER eventfds; never a user's file) until the
 * next kqueue(2) or kevent(2) call, which a leak check would count. {@link #collect()} releases
 * them at once; {@link FdSnapshot#take()} calls it.
 */
public final class KqueueEmulator {
    private KqueueEmulator() { }

    /** The emulator's one call that BSD does not have. */
    public interface Collect {
        int kqueue_emu_collect();
    }

    private static final Collect EMULATOR = load();

    private static Collect load() {
        String library = System.getProperty("dev.reactor.kqueue.library");
        if (library == null || !library.contains("kqueue-emu")) return null;
        return LibraryLoader.create(Collect.class).failImmediately().load(library);
    }

    /** True when this JVM's reactors run on the emulator. */
    public static boolean active() {
        return EMULATOR != null;
    }

    /** Closes the fds the emulator still holds for closed queues; nothing without the emulator. */
    public static void collect() {
        if (EMULATOR != null) EMULATOR.kqueue_emu_collect();
    }
}
