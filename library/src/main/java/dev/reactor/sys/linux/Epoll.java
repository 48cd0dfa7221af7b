package dev.reactor.sys.linux;

import dev.reactor.sys.Platform;

/**
 * epoll's constants and the layout of {@code struct epoll_event}: packed on x86_64 (12 bytes,
 * data at offset 4), naturally aligned on aarch64 (16 bytes, data at 8). Checked against C by
 * the probe test. Layout and constants only: policy lives in {@link EpollPoller}.
 */
public final class Epoll {
    private Epoll() { }

    public static final int EPOLLIN = 0x1;
    public static final int EPOLLPRI = 0x2;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;

    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 0x80000;

    public static final int SIZEOF_EPOLL_EVENT = Platform.X86_64 ? 12 : 16;
    public static final int OFFSETOF_EPOLL_EVENT_EVENTS = 0;
    public static final int OFFSETOF_EPOLL_EVENT_DATA = Platform.X86_64 ? 4 : 8;
}
