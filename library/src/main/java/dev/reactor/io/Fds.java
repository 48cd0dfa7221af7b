package dev.reactor.io;

import dev.reactor.ReactorException;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.Os;

import java.io.FileDescriptor;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.time.Duration;

/**
 * Make, read, write and close file descriptors without another library. Every fd made here is
 * non-blocking and close-on-exec. Errors are {@link ReactorException}s naming the call and fd.
 * Safe from any thread.
 */
public final class Fds {
    private Fds() { }

    // Null when -Ddev.reactor.ffi names a backend that cannot load: then every call throws why.
    private static final LibC C = Os.libcOrNull();
    private static final Os OS = Os.current();

    /** The FFI backend of Fds and Sockets, or the failure to load it, thrown (naming -Ddev.reactor.ffi). */
    static LibC libc() {
        LibC c = C;
        if (c == null) throw Os.libcFailure();
        return c;
    }

    // ---- make ----------------------------------------------------------------------------------

    /**
     * A non-blocking pipe.
     * @return {@code [readEnd, writeEnd]}; the caller closes both
     * @throws ReactorException with errno EMFILE or ENFILE when out of fds
     */
    public static int[] pipe() throws ReactorException {
        Scratch s = Scratch.get();
        return OS.pipe(libc(), s.small, s.smallAddress);
    }

    /**
     * A connected pair of non-blocking AF_UNIX stream sockets; bytes written to one are read from the other.
     * @return {@code [one, other]}; the caller closes both
     * @throws ReactorException with errno EMFILE or ENFILE when out of fds
     */
    public static int[] socketpair() throws ReactorException {
        Scratch s = Scratch.get();
        return OS.socketpair(libc(), s.small, s.smallAddress);
    }

    /**
     * A non-blocking eventfd with counter 0. Linux only.
     * @return the eventfd; read it with {@link #eventfdRead}, bump it with {@link #eventfdWrite}
     * @throws ReactorException EMFILE or ENFILE when out of fds; ENOSYS where the OS has no eventfd
     */
    public static int eventfd() throws ReactorException {
        return eventfd(0, false);
    }

    /**
     * A non-blocking eventfd; semaphore mode makes each read take 1 instead of the whole counter. Linux only.
     * @param initialValue the counter to start with (readable at once if not 0)
     * @param semaphore true for EFD_SEMAPHORE
     * @return the eventfd
     * @throws ReactorException EMFILE or ENFILE when out of fds; ENOSYS where the OS has no eventfd
     */
    public static int eventfd(int initialValue, boolean semaphore) throws ReactorException {
        return OS.eventfd(libc(), initialValue, semaphore);
    }

    /**
     * Adds value to an eventfd's counter (it becomes readable); retried on EINTR.
     * @param fd an eventfd
     * @param value what to add, as an unsigned 64-bit number up to 0xfffffffffffffffe
     * @throws ReactorException EAGAIN when the counter would pass 0xfffffffffffffffe; EINVAL for
     *         0xffffffffffffffff (-1L); EBADF if fd is not open
     */
    public static void eventfdWrite(int fd, long value) throws ReactorException {
        Scratch s = Scratch.get();
        s.small.putLong(0, value);
        Errors.check(retry(fd, s.smallAddress, 8, true), "write", fd);
    }

    /**
     * Reads and resets an eventfd's counter (in semaphore mode, takes 1 from it); retried on EINTR.
     * @param fd an eventfd
     * @return the counter (unsigned), or 0 when it was 0 (would block)
     * @throws ReactorException EBADF if fd is not open
     */
    public static long eventfdRead(int fd) throws ReactorException {
        Scratch s = Scratch.get();
        long r = retry(fd, s.smallAddress, 8, false);
        if (r == -Errno.EAGAIN) return 0;
        Errors.check(r, "read", fd);
        return s.small.getLong(0);
    }

    /**
     * A pidfd for process pid (Linux 5.3+): readable once the process has exited, so a loop
     * learns of a child's end without a thread per child; close-on-exec. Register it for READ;
     * reaping the child stays its parent's business (a {@link Process} reaps its own). The fd
     * stays valid after the process is gone.
     * @param pid a process id, e.g. {@code process.pid()}
     * @return the pidfd
     * @throws ReactorException ESRCH if there is no such process; EMFILE when out of fds
     * @throws UnsupportedOperationException off Linux (macOS: kqueue's EVFILT_PROC, not offered
     *         yet), or on a kernel before 5.3
     * @throws IllegalArgumentException if pid is not positive
     */
    public static int pidfd(long pid) throws ReactorException {
        return OS.pidfd(libc(), pid);
    }

    /**
     * A signalfd (Linux): the named signals become reads on an fd that a reactor watches, instead
     * of handlers. In a JVM this works only for signals that <em>every</em> thread blocks: the
     * kernel hands a process-directed signal ({@code kill PID}) to any thread that does not block
     * it, and the JVM starts its threads with the mask it inherited. So block them before the JVM
     * starts, {@code env --block-signal=USR1,TERM java -Xrs ...} (coreutils 8.31+); HUP, INT,
     * TERM and QUIT also need {@code -Xrs}, or the JVM unblocks them for its shutdown hooks and
     * thread dumps (and then shutdown hooks do not run on them: the signalfd's reader decides what
     * a TERM does). This checks every thread's mask (in {@code /proc/self/task}) and says which
     * do not block a signal, rather than return an fd that would never see it.
     * @param signals names, with or without "SIG": "USR1", "TERM", "SIGCHLD", ...
     * @return the signalfd, non-blocking and close-on-exec; read it with {@link #signalfdRead}
     * @throws IllegalStateException if some thread does not block one of them (it names the
     *         threads and the fix)
     * @throws IllegalArgumentException for an unknown name, for KILL and STOP, and for the signals
     *         a signalfd must not take from a JVM: the faults HotSpot handles in the thread that
     *         hits them (SEGV, BUS, FPE, ILL, TRAP), ABRT (abort(3) unblocks it) and USR2 (HotSpot's
     *         suspend/resume signal)
     * @throws UnsupportedOperationException off Linux (macOS: kqueue's EVFILT_SIGNAL, not offered yet)
     * @throws java.io.UncheckedIOException if {@code /proc/self/task} cannot be read
     * @throws ReactorException EMFILE when out of fds
     */
    public static int signalfd(String... signals) throws ReactorException {
        Scratch s = Scratch.get();
        return OS.signalfd(libc(), signals.clone(), s.small, s.smallAddress);
    }

    /**
     * One signal read from a signalfd.
     * @param number the signal's number
     * @param name its name without "SIG" ("USR1")
     * @param pid the process that sent it (0 for one the kernel raised)
     * @param uid the real user id of that process
     */
    public record Signal(int number, String name, int pid, int uid) { }

    /**
     * Reads one signal from a signalfd (a {@code struct signalfd_siginfo}); retried on EINTR.
     * @param fd a signalfd from {@link #signalfd}
     * @return the signal, or null when none is pending (would block)
     * @throws ReactorException EBADF if fd is not open, EINVAL if it is not a signalfd
     */
    public static Signal signalfdRead(int fd) throws ReactorException {
        Scratch s = Scratch.get();
        int[] info = OS.signalfdRead(libc(), fd, s.small, s.smallAddress);
        return info == null ? null : new Signal(info[0], OS.signalName(info[0]), info[1], info[2]);
    }

    /**
     * A non-blocking, close-on-exec inotify instance ({@code inotify_init1(IN_NONBLOCK|IN_CLOEXEC)},
     * inotify(7)): readable when file-system events are queued. {@link Inotify} adds watches to
     * it and decodes what it reads; {@link Inotify#open()} makes one with this.
     * @return the inotify fd; the caller closes it
     * @throws ReactorException EMFILE when this user has max_user_instances inotify instances,
     *         or when out of fds; ENFILE
     * @throws UnsupportedOperationException off Linux (macOS: kqueue's EVFILT_VNODE, not offered
     *         yet), or where the kernel has no inotify
     */
    public static int inotify() throws ReactorException {
        return OS.inotify(libc());
    }

    /**
     * A non-blocking CLOCK_MONOTONIC timerfd, disarmed. Linux only.
     * @return the timerfd; arm it with {@link #timerfdSet}
     * @throws ReactorException EMFILE or ENFILE when out of fds; ENOSYS where the OS has no timerfd
     */
    public static int timerfd() throws ReactorException {
        return OS.timerfd(libc());
    }

    /**
     * A timerfd armed to expire after {@code initial}, then every {@code interval}. Linux only. On
     * failure no fd is left open.
     * @param initial the first expiry from now; {@link Duration#ZERO} leaves it disarmed
     * @param interval the period after that; {@link Duration#ZERO}: expire once
     * @return the armed timerfd
     * @throws ReactorException EMFILE or ENFILE when out of fds; ENOSYS where the OS has no timerfd
     * @throws IllegalArgumentException for a negative duration
     */
    public static int timerfd(Duration initial, Duration interval) throws ReactorException {
        int fd = timerfd();
        try {
            timerfdSet(fd, initial.toNanos(), interval.toNanos());
        } catch (ReactorException | RuntimeException e) {
            libc().close(fd);
            throw e;
        }
        return fd;
    }

    /**
     * Arms (or, with 0, disarms) a timerfd: relative initial expiry, then a period (0: once).
     * @param fd a timerfd
     * @param initialNanos the first expiry from now; 0 disarms it
     * @param intervalNanos the period after that; 0: expire once
     * @throws ReactorException EBADF if fd is not open, EINVAL if it is not a timerfd
     * @throws IllegalArgumentException for a negative time
     */
    public static void timerfdSet(int fd, long initialNanos, long intervalNanos) throws ReactorException {
        if (initialNanos < 0 || intervalNanos < 0) {
            throw new IllegalArgumentException("timerfd_settime(fd=" + fd + "): negative time");
        }
        Scratch s = Scratch.get();
        OS.timerfdSet(libc(), fd, initialNanos, intervalNanos, s.small, s.smallAddress);
    }

    /**
     * Expirations since the last read (resets the count); retried on EINTR.
     * @param fd a timerfd
     * @return the expirations, or 0 when none (would block)
     * @throws ReactorException EBADF if fd is not open
     */
    public static long timerfdRead(int fd) throws ReactorException {
        return eventfdRead(fd);   // same 8-byte counter protocol
    }

    // ---- move bytes ----------------------------------------------------------------------------

    /**
     * Reads into buf from its position: returns bytes read (position advanced), 0 when it would
     * block (or buf is full), -1 at end of stream. Heap buffers go through a per-thread native
     * bounce buffer; direct buffers are read into directly.
     *
     * <p>A direct buffer may view an Arena's memory (JDK 22+, {@code MemorySegment.asByteBuffer()}).
     * As the JDK's channels do, this refuses it before touching the fd when the Arena is closed
     * ({@link IllegalStateException}) or is confined to another thread ({@code WrongThreadException}).
     * On Panama the call also holds the Arena open until read(2) returns: closing it meanwhile fails
     * in the closing thread. On jnr it does not: a shared Arena closed by another thread during the
     * call can still free the memory under it (as any use of the memory after the close would), so
     * do not close a shared Arena while another thread may be reading or writing its buffers.
     *
     * @param fd a non-blocking fd (a blocking one blocks the calling thread)
     * @param buf where the bytes go, from its position to its limit
     * @return bytes read; 0 when it would block (or buf is full); -1 at end of stream
     * @throws ReactorException errno of read(2) other than EAGAIN and EINTR (retried): ECONNRESET, EBADF, EIO...
     * @throws java.nio.ReadOnlyBufferException if buf is read-only
     */
    public static int read(int fd, ByteBuffer buf) throws ReactorException {
        // Checked first: a read-only direct buffer would be written natively, and a heap one
        // would fail only after the bytes were taken from the fd.
        if (buf.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        int len = buf.remaining();
        if (len == 0) return 0;
        long r;
        if (buf.isDirect()) {
            r = retry(fd, buf, buf.position(), len, false);
            if (r > 0) buf.position(buf.position() + (int) r);
        } else {
            Scratch s = Scratch.get();
            r = retry(fd, s.bounceAddress(), Math.min(len, Scratch.BOUNCE), false);
            if (r > 0) buf.put(s.bounce().duplicate().position(0).limit((int) r));
        }
        if (r > 0) return (int) r;
        if (r == 0) return -1;
        if (r == -Errno.EAGAIN) return 0;
        Errors.check(r, "read", fd);
        return 0;   // not reached
    }

    /**
     * Writes buf's remaining bytes from its position: returns bytes written (position advanced),
     * 0 when it would block. A direct buffer of an Arena is checked (and, on Panama, held) as in
     * {@link #read(int, ByteBuffer)}; the same race remains on jnr. A heap buffer writes at most
     * the per-thread bounce buffer's size per call.
     *
     * @param fd a non-blocking fd (a blocking one blocks the calling thread)
     * @param buf the bytes to write, from its position to its limit
     * @return bytes written, possibly fewer than remaining; 0 when it would block
     * @throws ReactorException errno of write(2) other than EAGAIN and EINTR (retried): EPIPE
     *         (the reader is gone), ECONNRESET, EBADF...
     */
    public static int write(int fd, ByteBuffer buf) throws ReactorException {
        int len = buf.remaining();
        if (len == 0) return 0;
        long r;
        if (buf.isDirect()) {
            r = retry(fd, buf, buf.position(), len, true);
        } else {
            Scratch s = Scratch.get();
            int n = Math.min(len, Scratch.BOUNCE);
            s.bounce().duplicate().position(0).put(buf.duplicate().limit(buf.position() + n));
            r = retry(fd, s.bounceAddress(), n, true);
        }
        if (r >= 0) {
            buf.position(buf.position() + (int) r);
            return (int) r;
        }
        if (r == -Errno.EAGAIN) return 0;
        Errors.check(r, "write", fd);
        return 0;   // not reached
    }

    /** read/write of a direct buffer's bytes [offset, offset + count), retried on EINTR; returns the count or -errno. */
    private static long retry(int fd, ByteBuffer direct, int offset, int count, boolean write) {
        long r;
        do {
            r = write ? libc().write(fd, direct, offset, count) : libc().read(fd, direct, offset, count);
        } while (r == -Errno.EINTR);
        return r;
    }

    /** read/write, retried on EINTR; returns the count or -errno. */
    private static long retry(int fd, long address, long len, boolean write) {
        long r;
        do {
            r = write ? libc().write(fd, address, len) : libc().read(fd, address, len);
        } while (r == -Errno.EINTR);
        return r;
    }

    // ---- fd flags and lifetime -----------------------------------------------------------------

    /**
     * Closes fd. EINTR is not an error: on Linux the fd is released anyway (man 2 close).
     * @param fd the fd to close; not one registered with a Reactor (use {@link dev.reactor.Reactor#close(int)})
     * @throws ReactorException EBADF if fd is not open; EIO (the fd is closed all the same)
     */
    public static void close(int fd) throws ReactorException {
        int r = libc().close(fd);
        if (r != -Errno.EINTR) Errors.check(r, "close", fd);
    }

    /**
     * Closes fd, ignoring errors: for cleanup paths.
     * @param fd the fd to close; a negative one is ignored
     */
    public static void closeQuietly(int fd) {
        if (fd >= 0) libc().close(fd);
    }

    /**
     * Sets O_NONBLOCK on fd (fcntl F_SETFL), keeping its other status flags; no write if it is set already.
     * The flag belongs to the open file, so every dup of fd, in any process, sees it too.
     * @param fd an open fd
     * @throws ReactorException EBADF if fd is not open
     */
    public static void setNonBlocking(int fd) throws ReactorException {
        OS.setNonBlocking(libc(), fd);
    }

    /**
     * {@return whether O_NONBLOCK is set on fd (fcntl F_GETFL)}
     * @param fd an open fd
     * @throws ReactorException EBADF if fd is not open
     */
    public static boolean isNonBlocking(int fd) throws ReactorException {
        return OS.isNonBlocking(libc(), fd);
    }

    /**
     * Sets FD_CLOEXEC: the fd is not passed on to programs this process executes. Every fd this
     * library makes has it already; this is for an fd made or inherited elsewhere.
     * @param fd an open fd
     * @throws ReactorException EBADF if fd is not open
     */
    public static void setCloseOnExec(int fd) throws ReactorException {
        OS.setCloseOnExec(libc(), fd);
    }

    /**
     * {@return whether fd is an open descriptor in this process (fcntl F_GETFD succeeds)}
     * The answer can be stale at once if another thread closes or opens fds.
     * @param fd any number; a negative one is never open
     */
    public static boolean isOpen(int fd) {
        return OS.isOpen(libc(), fd);
    }

    // ---- fds held by the JDK -------------------------------------------------------------------

    /**
     * The fd number inside a {@link FileDescriptor}; -1 when it is not valid. The JDK still owns it.
     * The JDK offers no supported way to read it, so this reads a private field: run java with
     * {@code --add-opens java.base/java.io=dev.reactor} on the module path ({@code =ALL-UNNAMED}
     * on the class path).
     *
     * @param fd e.g. {@code FileInputStream.getFD()}
     * @return the fd number, or -1
     * @throws UnsupportedOperationException without that flag; the message names it
     */
    public static int of(FileDescriptor fd) {
        if (!fd.valid()) return -1;
        return JdkFds.fd(fd);
    }

    /**
     * The fd of a java.nio channel (socket, server socket, pipe, datagram). The channel still owns
     * it: put the channel in non-blocking mode first, and close the channel, not the fd. Reads
     * private fields, as {@link #of(FileDescriptor)} does: needs
     * {@code --add-opens java.base/sun.nio.ch=dev.reactor --add-opens java.base/java.io=dev.reactor}
     * ({@code =ALL-UNNAMED} on the class path).
     *
     * @param channel an open channel
     * @return the fd number, valid while the channel is open
     * @throws IllegalArgumentException if the channel is closed
     * @throws UnsupportedOperationException without those flags (the message names the missing
     *         ones), or for a channel that keeps no fd where the JDK's do
     */
    public static int of(SelectableChannel channel) {
        if (!channel.isOpen()) throw new IllegalArgumentException("Fds.of: channel is closed: " + channel);
        return JdkFds.channelFd(channel);
    }
}
