package dev.reactor.sys;

import dev.reactor.ReactorException;
import dev.reactor.ffi.Abi;
import dev.reactor.ffi.KeventCalls;
import dev.reactor.ffi.LibC;
import dev.reactor.ffi.Native;
import dev.reactor.sys.bsd.BsdOs;
import dev.reactor.sys.linux.LinuxOs;

import java.nio.ByteBuffer;

/**
 * The door to the OS: everything above this package ({@code dev.reactor}, {@code dev.reactor.io})
 * asks it and never tests which OS it runs on. One subclass per OS family, in its own package
 * ({@code sys.linux}, {@code sys.bsd}), holding that OS's constants, layouts and call sequences;
 * {@link #current()} picks one, once, here. Methods that make fds return them non-blocking and
 * close-on-exec, and throw {@link ReactorException} naming the call the OS made.
 */
public abstract class Os {
    private static final Os CURRENT = choose();

    private static Os choose() {
        if (Platform.LINUX) return new LinuxOs();
        if (Platform.BSD) return new BsdOs(Platform.MACOS);
        return new LinuxOs();   // no poller for it (Pollers says why); the tables only name errno values
    }

    /** {@return the OS this JVM runs on} */
    public static Os current() {
        return CURRENT;
    }

    /** The default FFI backend ({@code -Ddev.reactor.ffi}, default "auto") for this OS; throws if it cannot load. */
    public static LibC libc() {
        return Native.libc(CURRENT.abi());
    }

    /**
     * The default FFI backend ({@code -Ddev.reactor.ffi}, default "auto") for this OS, the one
     * {@code Fds} and {@code Sockets} use; null if it cannot be loaded (an unknown value, Panama
     * on JDK 17), and then {@link #libcFailure()} says why. So those classes initialise anyway and
     * each call says why, instead of one ExceptionInInitializerError and NoClassDefFoundErrors after.
     */
    public static synchronized LibC libcOrNull() {
        if (jvmLibcDecided) return jvmLibc;
        jvmLibcDecided = true;              // once per JVM: Fds and every reactor share the decision
        try {
            return jvmLibc = Native.libc(CURRENT.abi());
        } catch (RuntimeException e) {
            libcFailure = e;
            return null;
        } catch (LinkageError e) {
            // jnr-ffi missing from the path, jffi's stub refused (a noexec temp dir), a backend
            // class failing its own initialisation: said as what it means for the user.
            libcFailure = new UnsupportedOperationException("cannot load the FFI backend ("
                    + Native.PROPERTY + "=" + System.getProperty(Native.PROPERTY, "auto") + "): " + e, e);
            return null;
        }
    }

    private static volatile RuntimeException libcFailure;
    private static LibC jvmLibc;
    private static boolean jvmLibcDecided;

    /** Why {@link #libcOrNull()} returned null: a new exception of the same kind each time, naming the property. */
    public static RuntimeException libcFailure() {
        RuntimeException cause = libcFailure;
        if (cause instanceof UnsupportedOperationException) return new UnsupportedOperationException(cause.getMessage(), cause);
        if (cause instanceof IllegalArgumentException) return new IllegalArgumentException(cause.getMessage(), cause);
        return new IllegalStateException(cause == null ? "the FFI backend is loaded" : cause.getMessage(), cause);
    }

    /** The FFI backend "auto", "panama" or "jnr" for this OS. */
    public static LibC libc(String backend) {
        return Native.load(backend, CURRENT.abi());
    }

    /** kqueue and kevent from the shared library at path, on the FFI backend asked for. */
    public static KeventCalls kevent(String backend, String path) {
        return Native.kevent(backend, path, CURRENT.abi());
    }

    /** "linux", "macos" or "freebsd". */
    public abstract String name();

    /** What the FFI layer needs to know of this OS. */
    protected abstract Abi abi();

    /** The class whose public static final int fields are this OS's errno values, by name ({@link Errno}). */
    protected abstract Class<?> errnoTable();

    /** Why there is no poller on this OS and CPU, or null when there is one. */
    public abstract String unsupported();

    // ---- fds -------------------------------------------------------------------------------------

    // The portable call sequences, for an OS that cannot make an fd non-blocking and
    // close-on-exec in the call that creates it (macOS: no pipe2, no SOCK_NONBLOCK, no accept4):
    // the call, then fcntl(2) twice. An OS with one-call forms overrides them.

    /** pipe: {@code [readEnd, writeEnd]}, both non-blocking and close-on-exec. */
    public int[] pipe(LibC c, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        Errors.check(c.pipe(scratchAddress), "pipe");
        return nonBlockingPair(c, scratch.getInt(0), scratch.getInt(4));
    }

    /** A connected pair of AF_UNIX stream sockets, both non-blocking and close-on-exec. */
    public int[] socketpair(LibC c, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        Errors.check(c.socketpair(sockaddr().layout().afUnix(), sockStream, 0, scratchAddress), "socketpair");
        return nonBlockingPair(c, scratch.getInt(0), scratch.getInt(4));
    }

    /** A stream socket of the family, non-blocking and close-on-exec. */
    public int socket(LibC c, int family) throws ReactorException {
        int fd = c.socket(family, sockStream, 0);
        if (fd < 0) throw new ReactorException("socket(" + sockaddr().familyName(family) + ", SOCK_STREAM)", -fd);
        try {
            setNonBlocking(c, fd);
            setCloseOnExec(c, fd);
        } catch (ReactorException e) {
            c.close(fd);
            throw e;
        }
        return fd;
    }

    /**
     * accept(2) on a listening fd, the new fd non-blocking and close-on-exec; EINTR retried.
     * Returns the fd, or -1 when nothing is waiting (EAGAIN).
     */
    public int accept(LibC c, int fd) throws ReactorException {
        int r;
        do {
            r = c.accept(fd, 0L, 0L);
        } while (r == -Errno.EINTR);
        if (r == -Errno.EAGAIN) return -1;
        if (r < 0) throw new ReactorException("accept(fd=" + fd + ")", -r);
        try {
            setNonBlocking(c, r);
            setCloseOnExec(c, r);
        } catch (ReactorException e) {
            c.close(r);
            throw e;
        }
        return r;
    }

    /** An eventfd; ENOSYS where the OS has none. */
    public int eventfd(LibC c, int initialValue, boolean semaphore) throws ReactorException {
        throw new ReactorException("eventfd()", Errno.ENOSYS, name() + " has no eventfd");
    }

    /**
     * A pidfd: an fd that becomes readable when process pid exits (Linux 5.3+), close-on-exec.
     * Elsewhere UnsupportedOperationException, saying what to use instead.
     */
    public int pidfd(LibC c, long pid) throws ReactorException {
        throw new UnsupportedOperationException("pidfd_open(pid=" + pid + "): pidfds are Linux's (5.3+); " + name()
                + " watches a process with kqueue's EVFILT_PROC, which this library does not offer yet");
    }

    /**
     * A signalfd for the named signals ("USR1", "TERM"; with or without "SIG"), non-blocking and
     * close-on-exec, after checking that every thread of the process blocks them. Elsewhere
     * UnsupportedOperationException, saying what to use instead.
     */
    public int signalfd(LibC c, String[] signals, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        throw new UnsupportedOperationException("signalfd(" + String.join(", ", signals) + "): signalfd is Linux's; " + name()
                + " delivers signals to a kqueue as EVFILT_SIGNAL, which this library does not offer yet");
    }

    /**
     * Reads one {@code struct signalfd_siginfo}: {@code [signal, pid, uid]}, or null when none is
     * pending; EINTR retried.
     */
    public int[] signalfdRead(LibC c, int fd, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        throw new ReactorException("read(fd=" + fd + ")", Errno.ENOSYS, name() + " has no signalfd");
    }

    /** A signal's name without "SIG" ("USR1"), or "signal N" for a number this OS does not name. */
    public String signalName(int number) {
        return "signal " + number;
    }

    /**
     * An inotify instance (Linux 2.6.27+), non-blocking and close-on-exec. Elsewhere
     * UnsupportedOperationException, saying what to use instead.
     */
    public int inotify(LibC c) throws ReactorException {
        throw noInotify("inotify_init1()");
    }

    /**
     * inotify_add_watch(2) of the NUL-terminated path at pathAddress; path names it in errors.
     * Returns the watch descriptor.
     */
    public int inotifyAddWatch(LibC c, int fd, long pathAddress, String path, int mask) throws ReactorException {
        throw noInotify("inotify_add_watch(fd=" + fd + ", " + path + ")");
    }

    /** inotify_rm_watch(2). */
    public void inotifyRemoveWatch(LibC c, int fd, int wd) throws ReactorException {
        throw noInotify("inotify_rm_watch(fd=" + fd + ", wd=" + wd + ")");
    }

    private UnsupportedOperationException noInotify(String call) {
        return new UnsupportedOperationException(call + ": inotify is Linux's; " + name()
                + " watches files and directories with kqueue's EVFILT_VNODE, which this library does not offer yet");
    }

    /** A CLOCK_MONOTONIC timerfd, disarmed; ENOSYS where the OS has none. */
    public int timerfd(LibC c) throws ReactorException {
        throw new ReactorException("timerfd_create()", Errno.ENOSYS, name() + " has no timerfd");
    }

    /** Arms a timerfd (0 disarms; an interval of 0 fires once), through the scratch buffer. */
    public void timerfdSet(LibC c, int fd, long initialNanos, long intervalNanos, ByteBuffer scratch, long scratchAddress)
            throws ReactorException {
        throw new ReactorException("timerfd_settime(fd=" + fd + ")", Errno.ENOSYS, name() + " has no timerfd");
    }

    /**
     * fcntl(2)'s commands and flags as an OS numbers them (the commands and FD_CLOEXEC agree
     * everywhere; O_NONBLOCK does not: 0x800 on Linux, 0x4 on the BSDs).
     *
     * @param getfd F_GETFD
     * @param setfd F_SETFD
     * @param getfl F_GETFL
     * @param setfl F_SETFL
     * @param cloexec FD_CLOEXEC
     * @param nonblock O_NONBLOCK
     */
    public record Fcntl(int getfd, int setfd, int getfl, int setfl, int cloexec, int nonblock) { }

    private final Fcntl f;
    /** SOCK_STREAM */
    private final int sockStream;

    /** {@return SOCK_STREAM on this OS} */
    public int sockStream() {
        return sockStream;
    }

    protected Os(Fcntl fcntl, int sockStream) {
        this.f = fcntl;
        this.sockStream = sockStream;
    }

    public final void setNonBlocking(LibC c, int fd) throws ReactorException {
        int flags = (int) Errors.check(c.fcntl(fd, f.getfl(), 0), "fcntl", "F_GETFL", fd);
        if ((flags & f.nonblock()) == 0) Errors.check(c.fcntl(fd, f.setfl(), flags | f.nonblock()), "fcntl", "F_SETFL", fd);
    }

    public final boolean isNonBlocking(LibC c, int fd) throws ReactorException {
        int flags = (int) Errors.check(c.fcntl(fd, f.getfl(), 0), "fcntl", "F_GETFL", fd);
        return (flags & f.nonblock()) != 0;
    }

    public final void setCloseOnExec(LibC c, int fd) throws ReactorException {
        Errors.check(c.fcntl(fd, f.setfd(), f.cloexec()), "fcntl", "F_SETFD", fd);
    }

    public final boolean isOpen(LibC c, int fd) {
        return fd >= 0 && c.fcntl(fd, f.getfd(), 0) >= 0;
    }

    /** Sets both flags on a fresh pair where the OS cannot create them so, or closes both and throws. */
    protected final int[] nonBlockingPair(LibC c, int a, int b) throws ReactorException {
        try {
            for (int fd : new int[] {a, b}) {
                setNonBlocking(c, fd);
                setCloseOnExec(c, fd);
            }
        } catch (ReactorException e) {
            c.close(a);
            c.close(b);
            throw e;
        }
        return new int[] {a, b};
    }

    // ---- sockets ---------------------------------------------------------------------------------

    /** How this OS lays out socket addresses. */
    public abstract SockAddr sockaddr();

    /** How this OS lays out sendmsg/recvmsg's msghdr, iovec and SCM_RIGHTS control messages. */
    public abstract MsgHdr msghdr();

    /**
     * The recvmsg flag that makes received fds close-on-exec in the call itself (Linux's
     * MSG_CMSG_CLOEXEC), or 0 where the portable sequence runs: then the caller sets FD_CLOEXEC
     * on each fd after the call ({@link #setCloseOnExec}). Between the two another thread's
     * fork+exec could inherit them, as with accept then fcntl.
     */
    public int recvmsgCloexec() {
        return 0;
    }

    /** The flags sendmsg always takes here (Linux: MSG_NOSIGNAL); 0 where sockets carry SO_NOSIGPIPE instead. */
    public int sendmsgFlags() {
        return 0;
    }

    private final int[] sockoptLevels = new int[SockOpt.values().length];
    private final int[] sockoptNames = new int[SockOpt.values().length];

    /** Names a socket option's level and number on this OS: every SockOpt once, in the constructor. */
    protected final void sockopt(SockOpt option, int level, int name) {
        sockoptLevels[option.ordinal()] = level;
        sockoptNames[option.ordinal()] = name;
    }

    /** The level of a socket option for get/setsockopt. */
    public final int sockoptLevel(SockOpt option) {
        return sockoptLevels[option.ordinal()];
    }

    /** The number of a socket option for get/setsockopt. */
    public final int sockoptName(SockOpt option) {
        return sockoptNames[option.ordinal()];
    }

    // ---- thread policy ---------------------------------------------------------------------------

    /**
     * Asks the kernel to round the calling thread's timeouts by at most {@code slackNanos}
     * (Linux's timer slack: 50 µs by default, added to every timed wait). Returns what to pass to
     * {@link #restoreTimerSlack} when the loop leaves the thread, or -1 when nothing changed
     * (the OS has no such knob, or it already was that value).
     */
    public long tightenTimerSlack(LibC c, long slackNanos) {
        return -1;
    }

    /** Undoes {@link #tightenTimerSlack}; -1 does nothing. */
    public void restoreTimerSlack(LibC c, long previous) { }
}
