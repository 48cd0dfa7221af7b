/* Prints every constant and struct layout the Java code uses, as "NAME value" lines.
 * The test suite (ProbeTest) compares each line with the Java field of the same name,
 * so no layout in the Java code is a literal that C has not confirmed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#if defined(__linux__) && !defined(PROBE_AS_BSD)  /* PROBE_AS_BSD: a syntax check of the BSD part on Linux */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/kcmp.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#else
/* macOS and FreeBSD: not compiled on this project's machines (none here); see the README. */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#endif

#define C(name) printf("%s %ld\n", #name, (long) (name))
#define SIZE(type, name) printf("SIZEOF_%s %zu\n", name, sizeof(type))
#define OFF(type, field, name) printf("OFFSETOF_%s %zu\n", name, offsetof(type, field))
#define FSIZE(type, field, name) printf("SIZEOF_%s %zu\n", name, sizeof(((type *) 0)->field))

#if defined(__x86_64__)
#define ARCH "x86_64"
#elif defined(__aarch64__) || defined(__arm64__)
#define ARCH "aarch64"
#else
#define ARCH "unknown" /* the library knows the two above; ProbeTest fails on anything else */
#endif

/* The sockaddr layouts and the errno values: the same names on every OS, other values. */
static void sockaddrs(void) {
    SIZE(struct sockaddr_in, "SOCKADDR_IN");
    OFF(struct sockaddr_in, sin_port, "SOCKADDR_IN_SIN_PORT");
    OFF(struct sockaddr_in, sin_addr, "SOCKADDR_IN_SIN_ADDR");
    SIZE(struct sockaddr_in6, "SOCKADDR_IN6");
    OFF(struct sockaddr_in6, sin6_port, "SOCKADDR_IN6_SIN6_PORT");
    OFF(struct sockaddr_in6, sin6_flowinfo, "SOCKADDR_IN6_SIN6_FLOWINFO");
    OFF(struct sockaddr_in6, sin6_addr, "SOCKADDR_IN6_SIN6_ADDR");
    OFF(struct sockaddr_in6, sin6_scope_id, "SOCKADDR_IN6_SIN6_SCOPE_ID");
    SIZE(struct sockaddr_un, "SOCKADDR_UN");
    OFF(struct sockaddr_un, sun_path, "SOCKADDR_UN_SUN_PATH");
    SIZE(struct sockaddr_storage, "SOCKADDR_STORAGE");
}

/* sendmsg/recvmsg with SCM_RIGHTS: the same names on every OS; CMSG_ALIGN's unit and CMSG_DATA's
 * offset are printed under the name given (the BSDs' carry the flavour: they differ). */
static void msghdrs(const char *align, const char *data) {
    C(SCM_RIGHTS); C(MSG_CTRUNC);
    SIZE(struct msghdr, "MSGHDR");
    OFF(struct msghdr, msg_name, "MSGHDR_MSG_NAME");
    OFF(struct msghdr, msg_namelen, "MSGHDR_MSG_NAMELEN");
    OFF(struct msghdr, msg_iov, "MSGHDR_MSG_IOV");
    OFF(struct msghdr, msg_iovlen, "MSGHDR_MSG_IOVLEN");
    FSIZE(struct msghdr, msg_iovlen, "MSGHDR_MSG_IOVLEN");
    OFF(struct msghdr, msg_control, "MSGHDR_MSG_CONTROL");
    OFF(struct msghdr, msg_controllen, "MSGHDR_MSG_CONTROLLEN");
    FSIZE(struct msghdr, msg_controllen, "MSGHDR_MSG_CONTROLLEN");
    OFF(struct msghdr, msg_flags, "MSGHDR_MSG_FLAGS");
    SIZE(struct iovec, "IOVEC");
    OFF(struct iovec, iov_base, "IOVEC_IOV_BASE");
    OFF(struct iovec, iov_len, "IOVEC_IOV_LEN");
    SIZE(struct cmsghdr, "CMSGHDR");
    OFF(struct cmsghdr, cmsg_len, "CMSGHDR_CMSG_LEN");
    FSIZE(struct cmsghdr, cmsg_len, "CMSGHDR_CMSG_LEN");
    OFF(struct cmsghdr, cmsg_level, "CMSGHDR_CMSG_LEVEL");
    OFF(struct cmsghdr, cmsg_type, "CMSGHDR_CMSG_TYPE");
    printf("%s %ld\n", align, (long) (CMSG_SPACE(1) - CMSG_SPACE(0)));
    printf("%s %ld\n", data, (long) CMSG_LEN(0));
}

static void errnos(void) {
    C(EPERM); C(ENOENT); C(ESRCH); C(EINTR); C(EIO); C(EBADF); C(ENOMEM); C(EACCES); C(EFAULT); C(EEXIST); C(ENOTDIR); C(EINVAL);
    C(ENFILE); C(EMFILE); C(ENOSPC); C(EPIPE); C(ENAMETOOLONG); C(ENOBUFS); C(EAGAIN); C(EINPROGRESS); C(EALREADY); C(ENOTSOCK); C(EMSGSIZE); C(EADDRINUSE);
    C(EADDRNOTAVAIL); C(ENETUNREACH); C(ECONNABORTED); C(ECONNRESET); C(ENOTCONN); C(ETIMEDOUT);
    C(ECONNREFUSED); C(EHOSTUNREACH); C(ENOSYS); C(EOPNOTSUPP);
}

#if !defined(__linux__) || defined(PROBE_AS_BSD)
/* The BSD tables (Bsd, BsdErrno, Kqueue): the flavour-specific names carry the OS in their suffix. */
#if defined(__APPLE__)
#define FLAVOUR "MACOS"
#else
#define FLAVOUR "FREEBSD"
#endif
static int bsd(void) {
    printf("# os %s\n", FLAVOUR);
    C(F_GETFD); C(F_SETFD); C(F_GETFL); C(F_SETFL); C(FD_CLOEXEC); C(O_NONBLOCK);
    C(AF_UNIX); C(AF_INET); C(AF_INET6); C(SOCK_STREAM); C(SOL_SOCKET); C(SO_REUSEADDR); C(SO_KEEPALIVE);
    C(SO_REUSEPORT); C(SO_SNDBUF); C(SO_RCVBUF); C(SO_ERROR); C(SO_NOSIGPIPE); C(SO_TYPE); C(SO_ACCEPTCONN);
    C(IPPROTO_TCP); C(IPPROTO_IPV6); C(IPV6_V6ONLY); C(TCP_NODELAY); C(SHUT_RD); C(SHUT_WR); C(SHUT_RDWR);
    sockaddrs();
    msghdrs("CMSG_ALIGNMENT_" FLAVOUR, "CMSG_DATA_OFFSET_" FLAVOUR);
    /* kqueue */
    C(EVFILT_READ); C(EVFILT_WRITE); printf("EVFILT_USER_%s %d\n", FLAVOUR, (int) EVFILT_USER);
    C(EV_ADD); C(EV_DELETE); C(EV_ENABLE); C(EV_DISABLE); C(EV_ONESHOT); C(EV_CLEAR); C(EV_RECEIPT);
    C(EV_DISPATCH); C(EV_ERROR); C(EV_EOF); C(NOTE_TRIGGER);
    printf("SIZEOF_KEVENT_%s %zu\n", FLAVOUR, sizeof(struct kevent));
    OFF(struct kevent, ident, "KEVENT_IDENT");
    OFF(struct kevent, filter, "KEVENT_FILTER");
    OFF(struct kevent, flags, "KEVENT_FLAGS");
    OFF(struct kevent, fflags, "KEVENT_FFLAGS");
    OFF(struct kevent, data, "KEVENT_DATA");
    OFF(struct kevent, udata, "KEVENT_UDATA");
    SIZE(struct timespec, "TIMESPEC");
    errnos();
    return 0;
}
#endif

int main(void) {
    /* which build this is: ProbeTest checks it against the JVM's os.arch (a comment line) */
    printf("# arch %s\n", ARCH);
#if !defined(__linux__) || defined(PROBE_AS_BSD)
    return bsd();
#else
    /* epoll */
    C(EPOLLIN); C(EPOLLPRI); C(EPOLLOUT); C(EPOLLERR); C(EPOLLHUP); C(EPOLLRDHUP);
    C(EPOLLEXCLUSIVE); C(EPOLLONESHOT); printf("EPOLLET %d\n", (int) EPOLLET);
    C(EPOLL_CTL_ADD); C(EPOLL_CTL_DEL); C(EPOLL_CTL_MOD); C(EPOLL_CLOEXEC);
    SIZE(struct epoll_event, "EPOLL_EVENT");
    OFF(struct epoll_event, events, "EPOLL_EVENT_EVENTS");
    OFF(struct epoll_event, data, "EPOLL_EVENT_DATA");

    /* fds */
    C(F_GETFD); C(F_SETFD); C(F_GETFL); C(F_SETFL); C(FD_CLOEXEC); C(O_NONBLOCK); C(O_CLOEXEC);
    C(EFD_NONBLOCK); C(EFD_CLOEXEC); C(EFD_SEMAPHORE);
    C(TFD_NONBLOCK); C(TFD_CLOEXEC); C(TFD_TIMER_ABSTIME); C(CLOCK_REALTIME); C(CLOCK_MONOTONIC);
    C(PR_SET_TIMERSLACK); C(PR_GET_TIMERSLACK);
    C(SYS_kcmp); C(KCMP_EPOLL_TFD);
    SIZE(struct kcmp_epoll_slot, "KCMP_EPOLL_SLOT");
    OFF(struct kcmp_epoll_slot, efd, "KCMP_EPOLL_SLOT_EFD");
    OFF(struct kcmp_epoll_slot, tfd, "KCMP_EPOLL_SLOT_TFD");
    OFF(struct kcmp_epoll_slot, toff, "KCMP_EPOLL_SLOT_TOFF");
    C(SYS_read); C(SYS_write); C(SYS_pidfd_open);
    C(SYS_signalfd4); C(SFD_NONBLOCK); C(SFD_CLOEXEC);
    SIZE(struct signalfd_siginfo, "SIGNALFD_SIGINFO");
    OFF(struct signalfd_siginfo, ssi_signo, "SIGNALFD_SIGINFO_SIGNO");
    OFF(struct signalfd_siginfo, ssi_pid, "SIGNALFD_SIGINFO_PID");
    OFF(struct signalfd_siginfo, ssi_uid, "SIGNALFD_SIGINFO_UID");
    C(SIGHUP); C(SIGINT); C(SIGQUIT); C(SIGILL); C(SIGTRAP); C(SIGABRT); C(SIGBUS); C(SIGFPE); C(SIGKILL);
    C(SIGUSR1); C(SIGSEGV); C(SIGUSR2); C(SIGPIPE); C(SIGALRM); C(SIGTERM); C(SIGCHLD); C(SIGCONT); C(SIGSTOP);
    C(SIGTSTP); C(SIGTTIN); C(SIGTTOU); C(SIGURG); C(SIGXCPU); C(SIGXFSZ); C(SIGVTALRM); C(SIGPROF); C(SIGWINCH);
    C(SIGIO); C(SIGPWR); C(SIGSYS);
    /* inotify(7) */
    C(IN_NONBLOCK); C(IN_CLOEXEC);
    C(IN_ACCESS); C(IN_MODIFY); C(IN_ATTRIB); C(IN_CLOSE_WRITE); C(IN_CLOSE_NOWRITE); C(IN_OPEN);
    C(IN_MOVED_FROM); C(IN_MOVED_TO); C(IN_CREATE); C(IN_DELETE); C(IN_DELETE_SELF); C(IN_MOVE_SELF);
    C(IN_ALL_EVENTS); C(IN_UNMOUNT); C(IN_Q_OVERFLOW); C(IN_IGNORED);
    C(IN_ONLYDIR); C(IN_DONT_FOLLOW); C(IN_EXCL_UNLINK); C(IN_MASK_CREATE); C(IN_MASK_ADD); C(IN_ISDIR);
    printf("IN_ONESHOT %d\n", (int) IN_ONESHOT);   /* bit 31: as Java's int reads it */
    SIZE(struct inotify_event, "INOTIFY_EVENT");
    OFF(struct inotify_event, wd, "INOTIFY_EVENT_WD");
    OFF(struct inotify_event, mask, "INOTIFY_EVENT_MASK");
    OFF(struct inotify_event, cookie, "INOTIFY_EVENT_COOKIE");
    OFF(struct inotify_event, len, "INOTIFY_EVENT_LEN");
    OFF(struct inotify_event, name, "INOTIFY_EVENT_NAME");
    SIZE(struct timespec, "TIMESPEC");
    OFF(struct timespec, tv_sec, "TIMESPEC_TV_SEC");
    OFF(struct timespec, tv_nsec, "TIMESPEC_TV_NSEC");
    SIZE(struct itimerspec, "ITIMERSPEC");
    OFF(struct itimerspec, it_interval, "ITIMERSPEC_IT_INTERVAL");
    OFF(struct itimerspec, it_value, "ITIMERSPEC_IT_VALUE");

    /* sockets */
    C(AF_UNIX); C(AF_INET); C(AF_INET6); C(SOCK_STREAM); C(SOCK_DGRAM); C(SOCK_NONBLOCK); C(SOCK_CLOEXEC);
    C(SOL_SOCKET); C(SO_REUSEADDR); C(SO_ERROR); C(SO_SNDBUF); C(SO_RCVBUF); C(SO_KEEPALIVE); C(SO_REUSEPORT);
    C(SO_TYPE); C(SO_ACCEPTCONN);
    C(IPPROTO_TCP); C(IPPROTO_IPV6); C(IPV6_V6ONLY); C(TCP_NODELAY);
    C(SHUT_RD); C(SHUT_WR); C(SHUT_RDWR); C(SOMAXCONN);
    sockaddrs();
    msghdrs("CMSG_ALIGNMENT", "CMSG_DATA_OFFSET");
    C(MSG_NOSIGNAL); C(MSG_CMSG_CLOEXEC);

    errnos();
    return 0;
#endif
}
