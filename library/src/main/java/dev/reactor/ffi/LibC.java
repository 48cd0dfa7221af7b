package dev.reactor.ffi;

import java.nio.ByteBuffer;

/**
 * The system calls this library makes, one method each, with primitive arguments only: ints,
 * and native addresses as {@code long}. Every method returns the call's result, or
 * {@code -errno} when it failed; errno is captured by the same downcall, never read afterwards.
 * No policy lives here (no retry on EINTR, no flags added): that is the caller's job.
 *
 * <p>A call the running OS does not have (epoll on macOS, kqueue on Linux) returns
 * {@code -ENOSYS}, in the numbering the {@link Abi} gives. This package knows no OS: which
 * constants to pass is the OS layer's business ({@code dev.reactor.sys}). Implementations: Panama
 * FFM (JDK 22+) and jnr-ffi (JDK 17+); see {@link Native}.
 *
 * <p>The exception: read and write of a direct {@link ByteBuffer}, whose memory may belong to an
 * {@code Arena} (JDK 22+, {@code MemorySegment.asByteBuffer()}). Touching it after the Arena was
 * closed, or from a thread a confined Arena does not belong to, is refused as the JDK's channels
 * refuse it: {@link IllegalStateException}, {@code WrongThreadException}. These are the caller's
 * bugs, not the OS's answers, and no -errno could say them.
 */
public interface LibC extends KeventCalls {
    /** "panama" or "jnr". */
    String name();

    /** The native address of a direct buffer's first byte (not its position). */
    long address(ByteBuffer direct);

    // ---- epoll (Linux) ----
    int epoll_create1(int flags);
    int epoll_ctl(int epfd, int op, int fd, long event);
    int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);
    /** epoll_pwait2 with a NULL sigmask: a {@code struct timespec} timeout (0 = infinite). Kernel 5.11+. */
    int epoll_pwait2(int epfd, long events, int maxEvents, long timespec);

    // ---- kqueue (macOS, BSD): see KeventCalls ----
    @Override default String keventLibrary() { return "libc"; }

    // ---- fds ----
    int eventfd(int initval, int flags);
    int timerfd_create(int clockId, int flags);
    int timerfd_settime(int fd, int flags, long newValue, long oldValue);
    /** inotify_init1(2) (Linux 2.6.27+): an inotify instance's fd. */
    int inotify_init1(int flags);
    /** inotify_add_watch(2): path is the address of a NUL-terminated path; returns the watch descriptor. */
    int inotify_add_watch(int fd, long path, int mask);
    /** inotify_rm_watch(2): the kernel then queues IN_IGNORED for wd. */
    int inotify_rm_watch(int fd, int wd);
    int pipe2(long fds, int flags);
    int pipe(long fds);
    long read(int fd, long buf, long count);
    long write(int fd, long buf, long count);
    /**
     * read(2) into bytes {@code [offset, offset + count)} of a direct buffer (its position and
     * limit are ignored). Checks first that this thread may touch the buffer's memory now (see
     * above; the exception names the call and fd). Panama passes the buffer's segment, so the
     * call holds its Arena open; jnr passes the address: a shared Arena closed by another thread
     * during the call can still free the memory under it.
     */
    long read(int fd, ByteBuffer direct, int offset, int count);
    /** write(2) from bytes {@code [offset, offset + count)} of a direct buffer; checked as {@link #read(int, ByteBuffer, int, int)}. */
    long write(int fd, ByteBuffer direct, int offset, int count);
    int close(int fd);
    int fcntl(int fd, int cmd, int arg);
    int dup(int fd);
    /** prctl(option, arg2): only the one-argument options (PR_SET_TIMERSLACK, PR_GET_TIMERSLACK). */
    int prctl(int option, long arg2);
    int getpid();
    /** syscall(2) with up to five arguments (pass 0 for the unused ones): for calls the C library has no wrapper for. */
    long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    // ---- sockets ----
    int socket(int domain, int type, int protocol);
    int socketpair(int domain, int type, int protocol, long sv);
    int bind(int fd, long addr, int addrLen);
    int listen(int fd, int backlog);
    int accept4(int fd, long addr, long addrLen, int flags);
    int accept(int fd, long addr, long addrLen);
    int connect(int fd, long addr, int addrLen);
    int getsockopt(int fd, int level, int name, long value, long valueLen);
    int setsockopt(int fd, int level, int name, long value, int valueLen);
    int getsockname(int fd, long addr, long addrLen);
    int getpeername(int fd, long addr, long addrLen);
    int shutdown(int fd, int how);
    /** sendmsg(2): msghdr is the address of a {@code struct msghdr} in the OS's layout; returns bytes sent or -errno. */
    long sendmsg(int fd, long msghdr, int flags);
    /** recvmsg(2): fills the {@code struct msghdr} at msghdr (its buffers, msg_controllen, msg_flags); returns bytes or -errno. */
    long recvmsg(int fd, long msghdr, int flags);
}
