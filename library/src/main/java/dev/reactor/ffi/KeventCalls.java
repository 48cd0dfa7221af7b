package dev.reactor.ffi;

/**
 * kqueue(2) and kevent(2), from the C library ({@link LibC} is one) or from a shared library
 * named by path ({@link Native#kevent(String, String, Abi)}): any implementation with the BSD
 * ABI can be plugged in, e.g. the test emulator on Linux. Result, or {@code -errno}.
 */
public interface KeventCalls {
    /** "libc", or the library's path. */
    String keventLibrary();

    int kqueue();

    int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec);
}
