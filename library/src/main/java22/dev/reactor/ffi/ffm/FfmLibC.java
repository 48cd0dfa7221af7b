package dev.reactor.ffi.ffm;

import dev.reactor.ffi.Abi;
import dev.reactor.ffi.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link LibC} through Panama FFM (JDK 22+). Pointers travel as {@code JAVA_LONG}: on the 64-bit
 * ABIs we support (SysV x86_64, AArch64) a pointer and a 64-bit integer use the same register,
 * and a long avoids wrapping every address in a MemorySegment. The exception is read and write of
 * a caller's buffer: they also pass the buffer's segment ({@code ADDRESS}), because a downcall
 * holds the scope of a segment argument until it returns, and an Arena cannot be closed under it.
 * errno is captured by the downcall itself ({@code captureCallState("errno")}) into a per-thread
 * segment.
 */
public final class FfmLibC implements LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE =
            STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private static final FunctionDescriptor I_I = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor I_II = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor I_III = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor I_IL = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor I_ILI = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor I_ILL = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor L_ILL = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);

    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", I_I);
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    // With a zero timeout epoll_wait never blocks, so it may skip the thread-state transition
    // (critical: no safepoint waits longer than one non-blocking syscall). A busy-polling loop
    // makes this call millions of times a second; measured ~2% off the spin round trip. It also
    // captures no errno: the capture segment is the one object on this path, and in some JIT runs
    // its handling was not scalar-replaced (DispatchAllocationTest once saw 40 B per event). A
    // non-blocking epoll_wait that fails changed nothing, so it is made again, capturing errno.
    private static final MethodHandle EPOLL_WAIT_NOW = LINKER.defaultLookup().find("epoll_wait")
            .map(symbol -> LINKER.downcallHandle(symbol,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.critical(false)))
            .orElse(null);
    private static final MethodHandle EPOLL_PWAIT2 = downcall("epoll_pwait2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle KQUEUE = downcall("kqueue", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle KEVENT = downcall("kevent",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EVENTFD = downcall("eventfd", I_II);
    private static final MethodHandle TIMERFD_CREATE = downcall("timerfd_create", I_II);
    private static final MethodHandle TIMERFD_SETTIME = downcall("timerfd_settime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle INOTIFY_INIT1 = downcall("inotify_init1", I_I);
    private static final MethodHandle INOTIFY_ADD_WATCH = downcall("inotify_add_watch", I_ILI);
    private static final MethodHandle INOTIFY_RM_WATCH = downcall("inotify_rm_watch", I_II);
    private static final MethodHandle PIPE2 = downcall("pipe2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle PIPE = downcall("pipe", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle READ = downcall("read", L_ILL);
    private static final MethodHandle WRITE = downcall("write", L_ILL);
    // A caller's buffer (see read(int, ByteBuffer, int, int)): syscall(SYS_read, fd, address,
    // count, segment) where the Abi gives the syscall numbers, read(fd, slice, count) elsewhere.
    private static final MethodHandle SYSCALL_HOLDING = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(1));
    private static final FunctionDescriptor L_IAL = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle READ_SEGMENT = downcall("read", L_IAL);
    private static final MethodHandle WRITE_SEGMENT = downcall("write", L_IAL);
    private static final MethodHandle CLOSE = downcall("close", I_I);
    // fcntl is variadic: the third argument must be passed as one (it matters on macOS/AArch64).
    private static final MethodHandle FCNTL = downcall("fcntl", I_III, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle DUP = downcall("dup", I_I);
    // prctl is variadic after the option.
    private static final MethodHandle PRCTL = downcall("prctl", I_IL, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT));
    // syscall(2) is variadic after the number; every argument goes as a long, as glibc reads them.
    private static final MethodHandle SYSCALL5 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SOCKET = downcall("socket", I_III);
    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle BIND = downcall("bind", I_ILI);
    private static final MethodHandle LISTEN = downcall("listen", I_II);
    private static final MethodHandle ACCEPT4 = downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle ACCEPT = downcall("accept", I_ILL);
    private static final MethodHandle CONNECT = downcall("connect", I_ILI);
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", I_ILL);
    private static final MethodHandle GETPEERNAME = downcall("getpeername", I_ILL);
    private static final MethodHandle SHUTDOWN = downcall("shutdown", I_II);
    private static final FunctionDescriptor L_ILI = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDMSG = downcall("sendmsg", L_ILI);
    private static final MethodHandle RECVMSG = downcall("recvmsg", L_ILI);

    /** A handle whose first parameter is the errno capture segment; null when the OS lacks the symbol. */
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.defaultLookup().find(name)
                .map(symbol -> LINKER.downcallHandle(symbol, fd, options))
                .orElse(null);
    }

    private int errno(MemorySegment state) {
        int e = (int) ERRNO_VALUE.get(state, 0L);
        return e != 0 ? e : eio;   // failed without setting errno: EIO, never -0 (success)
    }

    private int r(int result, MemorySegment state) {
        return result < 0 ? -errno(state) : result;
    }

    private long r(long result, MemorySegment state) {
        return result < 0 ? -errno(state) : result;
    }

    /** The captured errno of the last call on this thread (for the kevent binding of another library). */
    static int capturedErrno(MemorySegment state) {
        return (int) ERRNO_VALUE.get(state, 0L);
    }

    static MemorySegment captureState() {
        return CAPTURED.get();
    }

    static final Linker.Option ERRNO_OPTION = ERRNO;

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) return e;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** Fds.read/write ask for a buffer's segment on every call: remembered, not recomputed. */
    private final BufferSegments segments = new BufferSegments();
    /** -ENOSYS in the OS's numbering: what a call the C library lacks returns. */
    private final int noSuchCall;
    private final boolean syscallNumbers;
    private final long sysRead;
    private final long sysWrite;

    private final int eio;

    public FfmLibC(Abi abi) {
        this.eio = abi.eio();
        this.noSuchCall = -abi.enosys();
        this.syscallNumbers = abi.syscallNumbers();
        this.sysRead = abi.sysRead();
        this.sysWrite = abi.sysWrite();
    }

    @Override public String name() { return "panama"; }

    @Override public long address(ByteBuffer direct) {
        if (!direct.isDirect()) throw new IllegalArgumentException("not a direct buffer");
        return segments.base(direct);
    }

    /** The remembered segment of all of direct, once this thread may touch bytes [offset, offset + count) of it. */
    private MemorySegment checked(ByteBuffer direct, int offset, int count, String call, int fd) {
        MemorySegment whole = segments.whole(direct);
        Objects.checkFromIndexSize(offset, count, direct.capacity());
        ArenaBufferCheck.check(whole, call, fd);
        return whole;
    }

    @Override public int epoll_create1(int flags) {
        if (EPOLL_CREATE1 == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) EPOLL_CREATE1.invokeExact(st, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int epoll_ctl(int epfd, int op, int fd, long event) {
        if (EPOLL_CTL == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, event), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) {
        if (EPOLL_WAIT == null) return noSuchCall;
        try {
            if (timeoutMillis == 0) {
                int n = (int) EPOLL_WAIT_NOW.invokeExact(epfd, events, maxEvents, 0);
                if (n >= 0) return n;
            }
            // A timed wait; or a non-blocking one that failed, made again to capture its errno.
            MemorySegment st = CAPTURED.get();
            return r((int) EPOLL_WAIT.invokeExact(st, epfd, events, maxEvents, timeoutMillis), st);
        }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int epoll_pwait2(int epfd, long events, int maxEvents, long timespec) {
        if (EPOLL_PWAIT2 == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) EPOLL_PWAIT2.invokeExact(st, epfd, events, maxEvents, timespec, 0L), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int kqueue() {
        if (KQUEUE == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) KQUEUE.invokeExact(st), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec) {
        if (KEVENT == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) KEVENT.invokeExact(st, kq, changes, nChanges, events, nEvents, timespec), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int eventfd(int initval, int flags) {
        if (EVENTFD == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) EVENTFD.invokeExact(st, initval, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int timerfd_create(int clockId, int flags) {
        if (TIMERFD_CREATE == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) TIMERFD_CREATE.invokeExact(st, clockId, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int timerfd_settime(int fd, int flags, long newValue, long oldValue) {
        if (TIMERFD_SETTIME == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) TIMERFD_SETTIME.invokeExact(st, fd, flags, newValue, oldValue), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int inotify_init1(int flags) {
        if (INOTIFY_INIT1 == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) INOTIFY_INIT1.invokeExact(st, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int inotify_add_watch(int fd, long path, int mask) {
        if (INOTIFY_ADD_WATCH == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) INOTIFY_ADD_WATCH.invokeExact(st, fd, path, mask), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int inotify_rm_watch(int fd, int wd) {
        if (INOTIFY_RM_WATCH == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) INOTIFY_RM_WATCH.invokeExact(st, fd, wd), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int pipe2(long fds, int flags) {
        if (PIPE2 == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) PIPE2.invokeExact(st, fds, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int pipe(long fds) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) PIPE.invokeExact(st, fds), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public long read(int fd, long buf, long count) {
        MemorySegment st = CAPTURED.get();
        try { return r((long) READ.invokeExact(st, fd, buf, count), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public long write(int fd, long buf, long count) {
        MemorySegment st = CAPTURED.get();
        try { return r((long) WRITE.invokeExact(st, fd, buf, count), st); } catch (Throwable t) { throw rethrow(t); }
    }

    /*
     * A caller's buffer must stay allocated until read(2) returns, and only a segment argument
     * makes a downcall hold its scope. But bytes [offset, offset + count) of the remembered
     * segment are a slice, and a slice per call is garbage unless C2 scalar-replaces it, which
     * it did in some JVM runs and not in others (0 or 20 B per call, same test, same JDK). So on
     * Linux the call is syscall(SYS_read, fd, address + offset, count, segment): the kernel's
     * read takes three arguments and ignores the fourth, which is there for the linker to hold
     * its scope. syscall(2) is variadic, so the extra argument is plain C, and it is the same
     * system call that read(3) makes. Elsewhere (no syscall numbers probe-checked) a slice.
     */
    @Override public long read(int fd, ByteBuffer direct, int offset, int count) {
        MemorySegment whole = checked(direct, offset, count, "read", fd);
        MemorySegment st = CAPTURED.get();
        try {
            if (syscallNumbers) {
                return r((long) SYSCALL_HOLDING.invokeExact(st, sysRead, (long) fd,
                        whole.address() + offset, (long) count, whole), st);
            }
            return r((long) READ_SEGMENT.invokeExact(st, fd, whole.asSlice(offset, count), (long) count), st);
        } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public long write(int fd, ByteBuffer direct, int offset, int count) {
        MemorySegment whole = checked(direct, offset, count, "write", fd);
        MemorySegment st = CAPTURED.get();
        try {
            if (syscallNumbers) {
                return r((long) SYSCALL_HOLDING.invokeExact(st, sysWrite, (long) fd,
                        whole.address() + offset, (long) count, whole), st);
            }
            return r((long) WRITE_SEGMENT.invokeExact(st, fd, whole.asSlice(offset, count), (long) count), st);
        } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int close(int fd) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) CLOSE.invokeExact(st, fd), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) FCNTL.invokeExact(st, fd, cmd, arg), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int dup(int fd) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) DUP.invokeExact(st, fd), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int prctl(int option, long arg2) {
        if (PRCTL == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) PRCTL.invokeExact(st, option, arg2), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int getpid() {
        MemorySegment st = CAPTURED.get();
        try { return r((int) GETPID.invokeExact(st), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public long syscall(long number, long a1, long a2, long a3, long a4, long a5) {
        if (SYSCALL5 == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((long) SYSCALL5.invokeExact(st, number, a1, a2, a3, a4, a5), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int socket(int domain, int type, int protocol) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) SOCKET.invokeExact(st, domain, type, protocol), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int socketpair(int domain, int type, int protocol, long sv) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) SOCKETPAIR.invokeExact(st, domain, type, protocol, sv), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int bind(int fd, long addr, int addrLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) BIND.invokeExact(st, fd, addr, addrLen), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int listen(int fd, int backlog) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) LISTEN.invokeExact(st, fd, backlog), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int accept4(int fd, long addr, long addrLen, int flags) {
        if (ACCEPT4 == null) return noSuchCall;
        MemorySegment st = CAPTURED.get();
        try { return r((int) ACCEPT4.invokeExact(st, fd, addr, addrLen, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int accept(int fd, long addr, long addrLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) ACCEPT.invokeExact(st, fd, addr, addrLen), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int connect(int fd, long addr, int addrLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) CONNECT.invokeExact(st, fd, addr, addrLen), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int getsockopt(int fd, int level, int name, long value, long valueLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) GETSOCKOPT.invokeExact(st, fd, level, name, value, valueLen), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int setsockopt(int fd, int level, int name, long value, int valueLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) SETSOCKOPT.invokeExact(st, fd, level, name, value, valueLen), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int getsockname(int fd, long addr, long addrLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) GETSOCKNAME.invokeExact(st, fd, addr, addrLen), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int getpeername(int fd, long addr, long addrLen) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) GETPEERNAME.invokeExact(st, fd, addr, addrLen), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int shutdown(int fd, int how) {
        MemorySegment st = CAPTURED.get();
        try { return r((int) SHUTDOWN.invokeExact(st, fd, how), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public long sendmsg(int fd, long msghdr, int flags) {
        MemorySegment st = CAPTURED.get();
        try { return r((long) SENDMSG.invokeExact(st, fd, msghdr, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public long recvmsg(int fd, long msghdr, int flags) {
        MemorySegment st = CAPTURED.get();
        try { return r((long) RECVMSG.invokeExact(st, fd, msghdr, flags), st); } catch (Throwable t) { throw rethrow(t); }
    }
}
