package dev.reactor.ffi.jnr;

import com.kenai.jffi.MemoryIO;
import dev.reactor.ffi.Abi;
import dev.reactor.ffi.BufferCheck;
import dev.reactor.ffi.LibC;
import dev.reactor.ffi.Native;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@link LibC} through jnr-ffi (JDK 17+). jnr saves errno right after the call, in the same
 * native stub ({@code @SaveError}); {@code getLastError()} reads that saved copy.
 * A symbol the OS lacks throws {@link UnsatisfiedLinkError} when called; we return -ENOSYS.
 * A buffer's memory is checked before the call ({@link Native#bufferCheck()}), but jnr passes an
 * address and cannot hold an Arena open while the call runs. Internal, not API.
 */
public final class JnrLibC implements LibC {

    /**
     * The raw bindings. Internal, not API: public only because jnr generates an implementation of
     * it in a class loader of its own; module-info opens this package for that, and exports it to
     * no one, so user code cannot compile against it.
     */
    public interface Raw {
        @SaveError int epoll_create1(int flags);
        @SaveError int epoll_ctl(int epfd, int op, int fd, long event);
        @SaveError int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);
        @SaveError int epoll_pwait2(int epfd, long events, int maxEvents, long timespec, long sigmask);
        @SaveError int eventfd(int initval, int flags);
        @SaveError int timerfd_create(int clockId, int flags);
        @SaveError int timerfd_settime(int fd, int flags, long newValue, long oldValue);
        @SaveError int inotify_init1(int flags);
        @SaveError int inotify_add_watch(int fd, long path, int mask);
        @SaveError int inotify_rm_watch(int fd, int wd);
        @SaveError int pipe2(long fds, int flags);
        @SaveError int pipe(long fds);
        @SaveError long read(int fd, long buf, long count);
        @SaveError long write(int fd, long buf, long count);
        @SaveError int close(int fd);
        @SaveError int fcntl(int fd, int cmd, int arg);
        @SaveError int dup(int fd);
        @SaveError int prctl(int option, long arg2);
        int getpid();
        /**
         * Seven arguments where syscall(2) needs six: jnr-ffi's generated stub corrupts the sixth
         * argument of a six-argument call (jnr-ffi#181, seen here with 2.2.17: a C function summing
         * six longs got garbage), and the seven-argument path does not. syscall(2) reads its
         * arguments from registers and the stack itself, so the last one is ignored.
         */
        @SaveError long syscall(long number, long a1, long a2, long a3, long a4, long a5, long unused);
        @SaveError int socket(int domain, int type, int protocol);
        @SaveError int socketpair(int domain, int type, int protocol, long sv);
        @SaveError int bind(int fd, long addr, int addrLen);
        @SaveError int listen(int fd, int backlog);
        @SaveError int accept4(int fd, long addr, long addrLen, int flags);
        @SaveError int accept(int fd, long addr, long addrLen);
        @SaveError int connect(int fd, long addr, int addrLen);
        @SaveError int getsockopt(int fd, int level, int name, long value, long valueLen);
        @SaveError int setsockopt(int fd, int level, int name, long value, int valueLen);
        @SaveError int getsockname(int fd, long addr, long addrLen);
        @SaveError int getpeername(int fd, long addr, long addrLen);
        @SaveError int shutdown(int fd, int how);
        @SaveError long sendmsg(int fd, long msghdr, int flags);
        @SaveError long recvmsg(int fd, long msghdr, int flags);
    }

    private final Raw raw;
    private final jnr.ffi.Runtime runtime;
    private final BufferCheck bufferCheck = Native.bufferCheck();
    /** -ENOSYS in the OS's numbering: what a call the C library lacks returns. */
    private final int noSuchCall;

    public JnrLibC(Abi abi) {
        this.raw = LibraryLoader.create(Raw.class).load(libc());
        this.runtime = jnr.ffi.Runtime.getRuntime(raw);
        this.noSuchCall = -abi.enosys();
        this.eio = abi.eio();
        this.kevents = new JnrKevent(null, abi);
    }

    /** EIO in the OS's numbering: a call that failed but left errno at 0 reports this. */
    private final int eio;

    private static final Path MAPS = Path.of("/proc/self/maps");

    /**
     * The C library to bind: the one this process already runs on. Asked for "c", jnr-ffi walks
     * java.library.path, jnr.ffi.library.path and ld.so.conf's directories and takes the first
     * libc.so.6 it finds, whatever its architecture: on a multiarch host (arm64 packages add
     * /etc/ld.so.conf.d/aarch64-linux-gnu.conf, which sorts before the x86_64 one), or with another
     * architecture's libc on java.library.path, that is the wrong one and the backend fails with
     * UnsatisfiedLinkError. The dynamic linker already chose for the JVM: its path is in
     * /proc/self/maps. Without /proc (macOS, the BSDs), "c" as before.
     */
    static String libc() {
        if (!Files.isReadable(MAPS)) return "c";
        try {
            String mapped = libc(Files.readAllLines(MAPS));
            return mapped != null ? mapped : "c";
        } catch (IOException | UncheckedIOException e) {
            return "c";
        }
    }

    /** The first mapped file that is a C library (glibc's libc.so.6 or libc-2.x.so, musl's), or null. */
    static String libc(List<String> mapsLines) {
        for (String line : mapsLines) {
            int slash = line.indexOf('/');
            if (slash < 0) continue;
            String path = line.substring(slash);
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (name.equals("libc.so.6") || name.matches("libc-[0-9.]+\\.so")
                    || name.matches("ld-musl-[a-z0-9_]+\\.so\\.1") || name.matches("libc\\.musl-[a-z0-9_]+\\.so\\.1")) {
                return path;
            }
        }
        return null;
    }

    @Override public String name() { return "jnr"; }

    @Override public long address(ByteBuffer direct) {
        if (!direct.isDirect()) throw new IllegalArgumentException("not a direct buffer");
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    private int r(int result) { return result < 0 ? -errno() : result; }
    private long r(long result) { return result < 0 ? -errno() : result; }

    /** The saved errno; EIO when a call failed without setting it (never 0: -0 would read as success). */
    private int errno() {
        int e = runtime.getLastError();
        return e != 0 ? e : eio;
    }

    @Override public int epoll_create1(int flags) {
        try { return r(raw.epoll_create1(flags)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int epoll_ctl(int epfd, int op, int fd, long event) {
        return r(raw.epoll_ctl(epfd, op, fd, event));
    }
    @Override public int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) {
        return r(raw.epoll_wait(epfd, events, maxEvents, timeoutMillis));
    }
    @Override public int epoll_pwait2(int epfd, long events, int maxEvents, long timespec) {
        try { return r(raw.epoll_pwait2(epfd, events, maxEvents, timespec, 0L)); }
        catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    /** kqueue and kevent through jffi directly (see {@link JnrKevent}: jnr-ffi corrupts kevent's sixth argument). */
    private final JnrKevent kevents;

    @Override public int kqueue() { return kevents.kqueue(); }

    @Override public int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec) {
        return kevents.kevent(kq, changes, nChanges, events, nEvents, timespec);
    }

    @Override public int eventfd(int initval, int flags) {
        try { return r(raw.eventfd(initval, flags)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int timerfd_create(int clockId, int flags) {
        try { return r(raw.timerfd_create(clockId, flags)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int timerfd_settime(int fd, int flags, long newValue, long oldValue) {
        return r(raw.timerfd_settime(fd, flags, newValue, oldValue));
    }
    @Override public int inotify_init1(int flags) {
        try { return r(raw.inotify_init1(flags)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int inotify_add_watch(int fd, long path, int mask) {
        try { return r(raw.inotify_add_watch(fd, path, mask)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int inotify_rm_watch(int fd, int wd) {
        try { return r(raw.inotify_rm_watch(fd, wd)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int pipe2(long fds, int flags) {
        try { return r(raw.pipe2(fds, flags)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int pipe(long fds) { return r(raw.pipe(fds)); }
    @Override public long read(int fd, long buf, long count) { return r(raw.read(fd, buf, count)); }
    @Override public long write(int fd, long buf, long count) { return r(raw.write(fd, buf, count)); }
    @Override public long read(int fd, ByteBuffer direct, int offset, int count) {
        long address = checkedAddress(direct, offset, count, "read", fd);
        try { return r(raw.read(fd, address, count)); } finally { Reference.reachabilityFence(direct); }
    }
    @Override public long write(int fd, ByteBuffer direct, int offset, int count) {
        long address = checkedAddress(direct, offset, count, "write", fd);
        try { return r(raw.write(fd, address, count)); } finally { Reference.reachabilityFence(direct); }
    }
    /** Between the check and the end of the call, a shared Arena closed by another thread still frees the memory: documented on Fds.read. */
    private long checkedAddress(ByteBuffer direct, int offset, int count, String call, int fd) {
        long base = address(direct);
        Objects.checkFromIndexSize(offset, count, direct.capacity());
        bufferCheck.check(direct, call, fd);
        return base + offset;
    }
    @Override public int close(int fd) { return r(raw.close(fd)); }
    @Override public int fcntl(int fd, int cmd, int arg) { return r(raw.fcntl(fd, cmd, arg)); }
    @Override public int dup(int fd) { return r(raw.dup(fd)); }
    @Override public int prctl(int option, long arg2) {
        try { return r(raw.prctl(option, arg2)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int getpid() { return raw.getpid(); }
    @Override public long syscall(long number, long a1, long a2, long a3, long a4, long a5) {
        // syscall(2) is variadic; on the 64-bit ABIs we support, integer varargs travel as fixed ones do.
        try { return r(raw.syscall(number, a1, a2, a3, a4, a5, 0L)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int socket(int domain, int type, int protocol) { return r(raw.socket(domain, type, protocol)); }
    @Override public int socketpair(int domain, int type, int protocol, long sv) {
        return r(raw.socketpair(domain, type, protocol, sv));
    }
    @Override public int bind(int fd, long addr, int addrLen) { return r(raw.bind(fd, addr, addrLen)); }
    @Override public int listen(int fd, int backlog) { return r(raw.listen(fd, backlog)); }
    @Override public int accept4(int fd, long addr, long addrLen, int flags) {
        try { return r(raw.accept4(fd, addr, addrLen, flags)); } catch (UnsatisfiedLinkError e) { return noSuchCall; }
    }
    @Override public int accept(int fd, long addr, long addrLen) { return r(raw.accept(fd, addr, addrLen)); }
    @Override public int connect(int fd, long addr, int addrLen) { return r(raw.connect(fd, addr, addrLen)); }
    @Override public int getsockopt(int fd, int level, int name, long value, long valueLen) {
        return r(raw.getsockopt(fd, level, name, value, valueLen));
    }
    @Override public int setsockopt(int fd, int level, int name, long value, int valueLen) {
        return r(raw.setsockopt(fd, level, name, value, valueLen));
    }
    @Override public int getsockname(int fd, long addr, long addrLen) { return r(raw.getsockname(fd, addr, addrLen)); }
    @Override public int getpeername(int fd, long addr, long addrLen) { return r(raw.getpeername(fd, addr, addrLen)); }
    @Override public int shutdown(int fd, int how) { return r(raw.shutdown(fd, how)); }
    @Override public long sendmsg(int fd, long msghdr, int flags) { return r(raw.sendmsg(fd, msghdr, flags)); }
    @Override public long recvmsg(int fd, long msghdr, int flags) { return r(raw.recvmsg(fd, msghdr, flags)); }
}
