package dev.reactor.sys.bsd;

/**
 * kqueue's constants and the layout of {@code struct kevent}, per ABI: macOS (xnu
 * bsd/sys/event.h: 32 bytes on LP64, {@code intptr_t data}) and FreeBSD 12+ (freebsd-src
 * sys/sys/event.h: 64 bytes, {@code int64_t data} and {@code uint64_t ext[4]} at 32; the default
 * {@code kevent} symbol is that ABI, and a 32-byte stride there loses events). Filters and flags
 * are the same in both headers but EVFILT_USER. Layout and constants only: policy lives in
 * {@link KqueuePoller}. Checked by the probe where it is compiled on macOS or FreeBSD; on Linux
 * the emulator (native/kqueue-emu.h, written from the same headers) is what these meet.
 */
public final class Kqueue {
    public static final short EVFILT_READ = -1;
    public static final short EVFILT_WRITE = -2;
    public static final short EVFILT_USER_MACOS = -10;
    public static final short EVFILT_USER_FREEBSD = -11;

    public static final int EV_ADD = 0x0001;
    public static final int EV_DELETE = 0x0002;
    public static final int EV_ENABLE = 0x0004;
    public static final int EV_DISABLE = 0x0008;
    public static final int EV_ONESHOT = 0x0010;
    public static final int EV_CLEAR = 0x0020;
    public static final int EV_RECEIPT = 0x0040;
    public static final int EV_DISPATCH = 0x0080;
    public static final int EV_ERROR = 0x4000;
    public static final int EV_EOF = 0x8000;

    public static final int NOTE_TRIGGER = 0x01000000;

    public static final int OFFSETOF_KEVENT_IDENT = 0;
    public static final int OFFSETOF_KEVENT_FILTER = 8;
    public static final int OFFSETOF_KEVENT_FLAGS = 10;
    public static final int OFFSETOF_KEVENT_FFLAGS = 12;
    public static final int OFFSETOF_KEVENT_DATA = 16;
    public static final int OFFSETOF_KEVENT_UDATA = 24;
    public static final int SIZEOF_KEVENT_MACOS = 32;
    public static final int SIZEOF_KEVENT_FREEBSD = 64;

    /** struct timespec on LP64: tv_sec and tv_nsec, 8 bytes each. */
    public static final int SIZEOF_TIMESPEC = 16;

    /** The ABI a kqueue speaks: its struct kevent stride and its EVFILT_USER. */
    public enum Abi {
        MACOS(SIZEOF_KEVENT_MACOS, EVFILT_USER_MACOS),
        FREEBSD(SIZEOF_KEVENT_FREEBSD, EVFILT_USER_FREEBSD);

        public final int sizeofKevent;
        public final short evfiltUser;

        Abi(int sizeofKevent, short evfiltUser) {
            this.sizeofKevent = sizeofKevent;
            this.evfiltUser = evfiltUser;
        }
    }

    private Kqueue() { }
}
