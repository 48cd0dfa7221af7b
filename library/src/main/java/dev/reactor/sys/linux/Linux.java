package dev.reactor.sys.linux;

import dev.reactor.sys.Platform;

/**
 * Linux constants and struct layouts (x86_64 and aarch64), named as in the C headers.
 * Every field here is compared with the C compiler's value by a test (native/probe.c).
 * Epoll's own layout lives in {@code dev.reactor.sys.linux.Epoll}.
 */
public final class Linux {
    private Linux() { }

    // fcntl(2), open(2)
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // eventfd(2), timerfd_create(2)
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_SEMAPHORE = 1;
    public static final int TFD_NONBLOCK = 0x800;
    public static final int TFD_CLOEXEC = 0x80000;
    public static final int TFD_TIMER_ABSTIME = 1;
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;

    // syscall(2) numbers (asm/unistd.h): x86_64 has its own table, aarch64 the generic one
    public static final int SYS_read = Platform.X86_64 ? 0 : 63;
    public static final int SYS_write = Platform.X86_64 ? 1 : 64;

    // prctl(2): a thread's timer slack, the rounding the kernel may add to its timeouts
    public static final int PR_SET_TIMERSLACK = 29;
    public static final int PR_GET_TIMERSLACK = 30;

    // kcmp(2), reached through syscall(2): is fd's file the one an epoll set holds under a number?
    public static final int SYS_kcmp = Platform.X86_64 ? 312 : 272;
    // pidfd_open(2), Linux 5.3+: one number on every architecture (the unified table from 424 on).
    public static final int SYS_pidfd_open = 434;
    // signalfd4(2): the kernel's call (glibc's signalfd wraps it), with the kernel's 8-byte sigset
    public static final int SYS_signalfd4 = Platform.X86_64 ? 289 : 74;
    public static final int SFD_NONBLOCK = 0x800;
    public static final int SFD_CLOEXEC = 0x80000;
    // struct signalfd_siginfo (sys/signalfd.h): 128 bytes, of which these fields are read
    public static final int SIZEOF_SIGNALFD_SIGINFO = 128;
    public static final int OFFSETOF_SIGNALFD_SIGINFO_SIGNO = 0;
    public static final int OFFSETOF_SIGNALFD_SIGINFO_PID = 12;
    public static final int OFFSETOF_SIGNALFD_SIGINFO_UID = 16;
    // signal numbers (asm-generic/signal.h; x86_64 and aarch64 agree)
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGILL = 4;
    public static final int SIGTRAP = 5;
    public static final int SIGABRT = 6;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGSEGV = 11;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGTSTP = 20;
    public static final int SIGTTIN = 21;
    public static final int SIGTTOU = 22;
    public static final int SIGURG = 23;
    public static final int SIGXCPU = 24;
    public static final int SIGXFSZ = 25;
    public static final int SIGVTALRM = 26;
    public static final int SIGPROF = 27;
    public static final int SIGWINCH = 28;
    public static final int SIGIO = 29;
    public static final int SIGPWR = 30;
    public static final int SIGSYS = 31;
    public static final int KCMP_EPOLL_TFD = 7;
    public static final int SIZEOF_KCMP_EPOLL_SLOT = 12;
    public static final int OFFSETOF_KCMP_EPOLL_SLOT_EFD = 0;
    public static final int OFFSETOF_KCMP_EPOLL_SLOT_TFD = 4;
    public static final int OFFSETOF_KCMP_EPOLL_SLOT_TOFF = 8;

    // inotify(7), <sys/inotify.h>: inotify_init1's flags, the event bits of inotify_add_watch's
    // mask and of struct inotify_event's, and that struct's layout (a name of len bytes, NUL-padded, follows it)
    public static final int IN_NONBLOCK = 0x800;
    public static final int IN_CLOEXEC = 0x80000;
    public static final int IN_ACCESS = 0x1;
    public static final int IN_MODIFY = 0x2;
    public static final int IN_ATTRIB = 0x4;
    public static final int IN_CLOSE_WRITE = 0x8;
    public static final int IN_CLOSE_NOWRITE = 0x10;
    public static final int IN_OPEN = 0x20;
    public static final int IN_MOVED_FROM = 0x40;
    public static final int IN_MOVED_TO = 0x80;
    public static final int IN_CREATE = 0x100;
    public static final int IN_DELETE = 0x200;
    public static final int IN_DELETE_SELF = 0x400;
    public static final int IN_MOVE_SELF = 0x800;
    public static final int IN_ALL_EVENTS = 0xfff;
    public static final int IN_UNMOUNT = 0x2000;
    public static final int IN_Q_OVERFLOW = 0x4000;
    public static final int IN_IGNORED = 0x8000;
    public static final int IN_ONLYDIR = 0x01000000;
    public static final int IN_DONT_FOLLOW = 0x02000000;
    public static final int IN_EXCL_UNLINK = 0x04000000;
    public static final int IN_MASK_CREATE = 0x10000000;   // Linux 4.18+
    public static final int IN_MASK_ADD = 0x20000000;
    public static final int IN_ISDIR = 0x40000000;
    public static final int IN_ONESHOT = 0x80000000;
    public static final int SIZEOF_INOTIFY_EVENT = 16;
    public static final int OFFSETOF_INOTIFY_EVENT_WD = 0;
    public static final int OFFSETOF_INOTIFY_EVENT_MASK = 4;
    public static final int OFFSETOF_INOTIFY_EVENT_COOKIE = 8;
    public static final int OFFSETOF_INOTIFY_EVENT_LEN = 12;
    public static final int OFFSETOF_INOTIFY_EVENT_NAME = 16;

    // struct timespec { time_t tv_sec; long tv_nsec; } and struct itimerspec { interval; value; }
    public static final int SIZEOF_TIMESPEC = 16;
    public static final int OFFSETOF_TIMESPEC_TV_SEC = 0;
    public static final int OFFSETOF_TIMESPEC_TV_NSEC = 8;
    public static final int SIZEOF_ITIMERSPEC = 32;
    public static final int OFFSETOF_ITIMERSPEC_IT_INTERVAL = 0;
    public static final int OFFSETOF_ITIMERSPEC_IT_VALUE = 16;

    // sockets: socket(2), socket(7), ip(7), tcp(7), unix(7)
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_ACCEPTCONN = 30;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int TCP_NODELAY = 1;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    public static final int SOMAXCONN = 4096;

    // struct sockaddr_in / sockaddr_in6 / sockaddr_un / sockaddr_storage
    public static final int SIZEOF_SOCKADDR_IN = 16;
    public static final int OFFSETOF_SOCKADDR_IN_SIN_PORT = 2;
    public static final int OFFSETOF_SOCKADDR_IN_SIN_ADDR = 4;
    public static final int SIZEOF_SOCKADDR_IN6 = 28;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_PORT = 2;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_FLOWINFO = 4;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_ADDR = 8;
    public static final int OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID = 24;
    public static final int SIZEOF_SOCKADDR_UN = 110;
    public static final int OFFSETOF_SOCKADDR_UN_SUN_PATH = 2;
    public static final int SIZEOF_SOCKADDR_STORAGE = 128;

    // sendmsg(2), recvmsg(2), cmsg(3), unix(7): passing fds (SCM_RIGHTS). glibc's bits/socket.h
    // has size_t msg_iovlen, msg_controllen and cmsg_len (the BSDs have int and socklen_t).
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SIZEOF_MSGHDR = 56;
    public static final int OFFSETOF_MSGHDR_MSG_NAME = 0;
    public static final int OFFSETOF_MSGHDR_MSG_NAMELEN = 8;
    public static final int OFFSETOF_MSGHDR_MSG_IOV = 16;
    public static final int OFFSETOF_MSGHDR_MSG_IOVLEN = 24;
    public static final int SIZEOF_MSGHDR_MSG_IOVLEN = 8;
    public static final int OFFSETOF_MSGHDR_MSG_CONTROL = 32;
    public static final int OFFSETOF_MSGHDR_MSG_CONTROLLEN = 40;
    public static final int SIZEOF_MSGHDR_MSG_CONTROLLEN = 8;
    public static final int OFFSETOF_MSGHDR_MSG_FLAGS = 48;
    public static final int SIZEOF_IOVEC = 16;
    public static final int OFFSETOF_IOVEC_IOV_BASE = 0;
    public static final int OFFSETOF_IOVEC_IOV_LEN = 8;
    public static final int SIZEOF_CMSGHDR = 16;
    public static final int OFFSETOF_CMSGHDR_CMSG_LEN = 0;
    public static final int SIZEOF_CMSGHDR_CMSG_LEN = 8;
    public static final int OFFSETOF_CMSGHDR_CMSG_LEVEL = 8;
    public static final int OFFSETOF_CMSGHDR_CMSG_TYPE = 12;
    /** CMSG_ALIGN's unit, as the probe measures it: CMSG_SPACE(1) - CMSG_SPACE(0). */
    public static final int CMSG_ALIGNMENT = 8;
    /** CMSG_DATA(cmsg) - cmsg, that is CMSG_LEN(0). */
    public static final int CMSG_DATA_OFFSET = 16;
}
