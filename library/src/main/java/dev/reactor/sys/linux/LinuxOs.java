package dev.reactor.sys.linux;

import dev.reactor.ReactorException;
import dev.reactor.ffi.Abi;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.MsgHdr;
import dev.reactor.sys.Os;
import dev.reactor.sys.Platform;
import dev.reactor.sys.SockAddr;
import dev.reactor.sys.SockOpt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static dev.reactor.sys.linux.Linux.*;

/**
 * Linux: pipe2, SOCK_NONBLOCK|SOCK_CLOEXEC and accept4 make every fd non-blocking and
 * close-on-exec in one call; sockaddrs have a two-byte family and no length byte; eventfd,
 * timerfd, pidfd, inotify and the thread's timer slack exist. {@code -Ddev.reactor.sys.portableCalls=true} makes
 * it use the portable sequences the BSDs need (the call, then fcntl twice), so that a Linux test
 * suite runs them.
 */
public final class LinuxOs extends Os {
    /** Makes this OS take the BSD call sequences: for the suite that tests them on Linux. */
    public static final String PORTABLE_CALLS = "dev.reactor.sys.portableCalls";

    private static final SockAddr SOCKADDR = new SockAddr(new SockAddr.Layout(false, AF_UNIX, AF_INET, AF_INET6,
            SIZEOF_SOCKADDR_IN, OFFSETOF_SOCKADDR_IN_SIN_PORT, OFFSETOF_SOCKADDR_IN_SIN_ADDR,
            SIZEOF_SOCKADDR_IN6, OFFSETOF_SOCKADDR_IN6_SIN6_PORT, OFFSETOF_SOCKADDR_IN6_SIN6_ADDR,
            OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID, SIZEOF_SOCKADDR_UN, OFFSETOF_SOCKADDR_UN_SUN_PATH,
            SIZEOF_SOCKADDR_STORAGE));

    private static final MsgHdr MSGHDR = new MsgHdr(new MsgHdr.Layout(SIZEOF_MSGHDR, OFFSETOF_MSGHDR_MSG_NAME,
            OFFSETOF_MSGHDR_MSG_NAMELEN, OFFSETOF_MSGHDR_MSG_IOV, OFFSETOF_MSGHDR_MSG_IOVLEN, SIZEOF_MSGHDR_MSG_IOVLEN,
            OFFSETOF_MSGHDR_MSG_CONTROL, OFFSETOF_MSGHDR_MSG_CONTROLLEN, SIZEOF_MSGHDR_MSG_CONTROLLEN,
            OFFSETOF_MSGHDR_MSG_FLAGS, SIZEOF_IOVEC, OFFSETOF_IOVEC_IOV_BASE, OFFSETOF_IOVEC_IOV_LEN,
            SIZEOF_CMSGHDR, OFFSETOF_CMSGHDR_CMSG_LEN, SIZEOF_CMSGHDR_CMSG_LEN, OFFSETOF_CMSGHDR_CMSG_LEVEL,
            OFFSETOF_CMSGHDR_CMSG_TYPE, CMSG_ALIGNMENT, SOL_SOCKET, SCM_RIGHTS, MSG_CTRUNC));

    private final boolean portable = Boolean.getBoolean(PORTABLE_CALLS);

    public LinuxOs() {
        super(new Fcntl(F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC, O_NONBLOCK), SOCK_STREAM);
        sockopt(SockOpt.SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR);
        sockopt(SockOpt.SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT);
        sockopt(SockOpt.SO_ERROR, SOL_SOCKET, SO_ERROR);
        sockopt(SockOpt.SO_SNDBUF, SOL_SOCKET, SO_SNDBUF);
        sockopt(SockOpt.SO_RCVBUF, SOL_SOCKET, SO_RCVBUF);
        sockopt(SockOpt.SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE);
        sockopt(SockOpt.TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY);
        sockopt(SockOpt.IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY);
        sockopt(SockOpt.SO_TYPE, SOL_SOCKET, SO_TYPE);
        sockopt(SockOpt.SO_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN);
    }

    @Override public String name() { return "linux"; }

    @Override protected Abi abi() {
        boolean known = Platform.X86_64 || Platform.AARCH64;
        return new Abi(LinuxErrno.ENOSYS, LinuxErrno.EIO, known ? SYS_read : -1, known ? SYS_write : -1);
    }

    @Override protected Class<?> errnoTable() { return LinuxErrno.class; }

    @Override public String unsupported() {
        return unsupported(Platform.X86_64 || Platform.AARCH64, System.getProperty("os.arch"));
    }

    /**
     * A CPU other than these two is refused, not guessed: struct epoll_event's layout and the
     * syscall numbers differ by architecture (ppc64le's read(2) is 3, not aarch64's 63), and a
     * wrong guess would misread events or make another system call.
     */
    static String unsupported(boolean knownCpu, String arch) {
        if (knownCpu) return null;
        return "no poller for Linux on " + arch + ": epoll's event layout and the"
                + " syscall numbers are known for x86_64 (amd64) and aarch64 only";
    }

    /** Whether this runs the portable (BSD) call sequences instead of Linux's one-call forms. */
    public boolean portableCalls() {
        return portable;
    }

    @Override public int[] pipe(LibC c, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        if (portable) return super.pipe(c, scratch, scratchAddress);
        Errors.check(c.pipe2(scratchAddress, O_NONBLOCK | O_CLOEXEC), "pipe2");
        return new int[] {scratch.getInt(0), scratch.getInt(4)};
    }

    @Override public int[] socketpair(LibC c, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        if (portable) return super.socketpair(c, scratch, scratchAddress);
        Errors.check(c.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, scratchAddress), "socketpair");
        return new int[] {scratch.getInt(0), scratch.getInt(4)};
    }

    @Override public int socket(LibC c, int family) throws ReactorException {
        if (portable) return super.socket(c, family);
        int fd = c.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) throw new ReactorException("socket(" + SOCKADDR.familyName(family) + ", SOCK_STREAM)", -fd);
        return fd;
    }

    @Override public int accept(LibC c, int fd) throws ReactorException {
        if (portable) return super.accept(c, fd);
        int r;
        do {
            r = c.accept4(fd, 0L, 0L, SOCK_NONBLOCK | SOCK_CLOEXEC);
        } while (r == -Errno.EINTR);
        if (r == -Errno.ENOSYS) return super.accept(c, fd);   // a libc without accept4
        if (r >= 0) return r;
        if (r == -Errno.EAGAIN) return -1;
        throw new ReactorException("accept4(fd=" + fd + ")", -r);
    }

    @Override public int eventfd(LibC c, int initialValue, boolean semaphore) throws ReactorException {
        int flags = EFD_NONBLOCK | EFD_CLOEXEC | (semaphore ? EFD_SEMAPHORE : 0);
        return (int) Errors.check(c.eventfd(initialValue, flags), "eventfd");
    }

    @Override public int pidfd(LibC c, long pid) throws ReactorException {
        // pid_t is an int: a larger value would be cut to another process's pid.
        if (pid <= 0 || pid > Integer.MAX_VALUE) throw new IllegalArgumentException("pidfd_open(pid=" + pid + "): not a process id");
        int fd = (int) c.syscall(SYS_pidfd_open, pid, 0, 0, 0, 0);   // close-on-exec always (pidfd_open(2))
        if (fd == -Errno.ENOSYS) {
            throw new UnsupportedOperationException("pidfd_open(pid=" + pid + "): ENOSYS: this kernel has no pidfds"
                    + " (Linux 5.3+), or a seccomp filter refuses the call");
        }
        if (fd < 0) throw new ReactorException("pidfd_open(pid=" + pid + ")", -fd);
        return fd;
    }

    /** Signal names by number (asm-generic/signal.h), without "SIG". */
    private static final String[] SIGNALS = new String[32];

    static {
        String[] names = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
            "ALRM", "TERM", null, "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
            "WINCH", "IO", "PWR", "SYS"};
        System.arraycopy(names, 0, SIGNALS, 1, names.length);
    }

    /**
     * Signals a signalfd must not take from a JVM: the faults HotSpot handles in the thread that
     * hits them, ABRT (abort(3) unblocks it), USR2 (HotSpot's suspend/resume signal), and the two
     * no thread can block.
     */
    private static final long REFUSED = bits(SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGUSR2, SIGKILL, SIGSTOP);
    /** Signals HotSpot unblocks for its own use unless -Xrs: shutdown hooks (HUP, INT, TERM) and thread dumps (QUIT). */
    private static final long JVM_HANDLED = bits(SIGHUP, SIGINT, SIGTERM, SIGQUIT);

    private static long bits(int... numbers) {
        long mask = 0;
        for (int n : numbers) mask |= 1L << (n - 1);
        return mask;
    }

    @Override public String signalName(int number) {
        return number > 0 && number < SIGNALS.length && SIGNALS[number] != null ? SIGNALS[number] : "signal " + number;
    }

    static int signalNumber(String call, String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) n = n.substring(3);
        for (int i = 1; i < SIGNALS.length; i++) {
            if (n.equals(SIGNALS[i])) return i;
        }
        throw new IllegalArgumentException(call + ": no signal named '" + name + "' (HUP, INT, TERM, USR1, CHLD, WINCH, ...)");
    }

    @Override public int signalfd(LibC c, String[] signals, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        String call = "signalfd(" + String.join(", ", signals) + ")";
        if (signals.length == 0) throw new IllegalArgumentException(call + ": name at least one signal");
        long mask = 0;
        for (String name : signals) {
            int n = signalNumber(call, name);
            if ((REFUSED & bits(n)) != 0) {
                throw new IllegalArgumentException(call + ": SIG" + SIGNALS[n] + (n == SIGKILL || n == SIGSTOP
                        ? " can be neither blocked nor read"
                        : n == SIGABRT ? " cannot be read: abort(3) unblocks it to end the process"
                        : n == SIGUSR2 ? " is the JVM's own (HotSpot suspends and resumes threads with it)"
                        : " is the JVM's own (it handles it in the thread it hits)"));
            }
            mask |= bits(n);
        }
        String notBlocked = threadsNotBlocking(mask);
        if (notBlocked != null) {
            throw new IllegalStateException(call + ": " + notBlocked + ". A process-directed signal goes to any thread"
                    + " that does not block it, so this signalfd would miss it. Block it before the JVM starts, so that"
                    + " every thread inherits the mask: env --block-signal=" + names(mask) + " java ..."
                    + ((mask & JVM_HANDLED) != 0 ? " -Xrs (without -Xrs the JVM unblocks HUP, INT, TERM and QUIT"
                    + " for its shutdown hooks and thread dumps)" : ""));
        }
        scratch.putLong(0, mask);
        int fd = (int) c.syscall(SYS_signalfd4, -1, scratchAddress, 8, SFD_NONBLOCK | SFD_CLOEXEC, 0);
        if (fd < 0) throw new ReactorException(call, -fd);
        return fd;
    }

    @Override public int[] signalfdRead(LibC c, int fd, ByteBuffer scratch, long scratchAddress) throws ReactorException {
        long r;
        do {
            r = c.read(fd, scratchAddress, SIZEOF_SIGNALFD_SIGINFO);
        } while (r == -Errno.EINTR);
        if (r == -Errno.EAGAIN) return null;
        Errors.check(r, "read", fd);
        if (r != SIZEOF_SIGNALFD_SIGINFO) throw new ReactorException("read(fd=" + fd + ")", Errno.EINVAL, "not a signalfd: read " + r + " bytes");
        return new int[] {scratch.getInt(OFFSETOF_SIGNALFD_SIGINFO_SIGNO), scratch.getInt(OFFSETOF_SIGNALFD_SIGINFO_PID),
            scratch.getInt(OFFSETOF_SIGNALFD_SIGINFO_UID)};
    }

    private String names(long mask) {
        List<String> names = new ArrayList<>();
        for (int n = 1; n < SIGNALS.length; n++) {
            if ((mask & bits(n)) != 0) names.add(signalName(n));
        }
        return String.join(",", names);
    }

    /**
     * Which threads of this process leave a signal of mask unblocked (their SigBlk line in
     * /proc/self/task/TID/status), said as "SIGUSR1 is not blocked in 3 of 20 threads (main, ...)";
     * null when every thread blocks all of them.
     */
    static String threadsNotBlocking(long mask) {
        List<String> open = new ArrayList<>();
        long missing = 0;
        int threads = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name = task.getFileName().toString();
                long blocked = 0;   // no SigBlk line: count the thread as blocking nothing
                try {
                    // ISO-8859-1: the kernel cuts a thread's name at 15 bytes, maybe inside a character
                    for (String line : Files.readAllLines(task.resolve("status"), StandardCharsets.ISO_8859_1)) {
                        if (line.startsWith("Name:")) name = line.substring(5).trim();
                        if (line.startsWith("SigBlk:")) blocked = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    }
                } catch (IOException e) {
                    if (!Files.exists(task)) continue;   // the thread ended meanwhile (ENOENT or ESRCH)
                    throw e;
                }
                threads++;
                if ((blocked & mask) != mask) {
                    open.add(name);
                    missing |= mask & ~blocked;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("signalfd: cannot read the threads' signal masks in /proc/self/task", e);
        }
        if (open.isEmpty()) return null;
        StringBuilder sigs = new StringBuilder();
        for (int n = 1; n < SIGNALS.length; n++) {
            if ((missing & bits(n)) != 0) sigs.append(sigs.length() == 0 ? "SIG" : ", SIG").append(SIGNALS[n]);
        }
        return sigs + (Long.bitCount(missing) == 1 ? " is" : " are") + " not blocked in " + open.size() + " of " + threads + " threads ("
                + String.join(", ", open.subList(0, Math.min(5, open.size()))) + (open.size() > 5 ? ", ..." : "") + ")";
    }

    @Override public int inotify(LibC c) throws ReactorException {
        int fd = c.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd == -Errno.ENOSYS) {
            throw new UnsupportedOperationException("inotify_init1(): ENOSYS: this kernel or C library has no inotify"
                    + " (CONFIG_INOTIFY_USER), or a seccomp filter refuses the call");
        }
        return (int) Errors.check(fd, "inotify_init1");
    }

    @Override public int inotifyAddWatch(LibC c, int fd, long pathAddress, String path, int mask) throws ReactorException {
        int wd = c.inotify_add_watch(fd, pathAddress, mask);
        if (wd < 0) throw new ReactorException("inotify_add_watch(fd=" + fd + ", " + path + ")", -wd);
        return wd;
    }

    @Override public void inotifyRemoveWatch(LibC c, int fd, int wd) throws ReactorException {
        int r = c.inotify_rm_watch(fd, wd);
        if (r < 0) throw new ReactorException("inotify_rm_watch(fd=" + fd + ", wd=" + wd + ")", -r);
    }

    @Override public int timerfd(LibC c) throws ReactorException {
        return (int) Errors.check(c.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd_create");
    }

    @Override public void timerfdSet(LibC c, int fd, long initialNanos, long intervalNanos, ByteBuffer b, long address)
            throws ReactorException {
        putItimerspec(b, 0, initialNanos, intervalNanos);
        Errors.check(c.timerfd_settime(fd, 0, address, 0L), "timerfd_settime", fd);
    }

    /** Writes a {@code struct itimerspec} at offset base of b: it_value, then every it_interval. */
    static void putItimerspec(ByteBuffer b, int base, long valueNanos, long intervalNanos) {
        int interval = base + OFFSETOF_ITIMERSPEC_IT_INTERVAL;
        int value = base + OFFSETOF_ITIMERSPEC_IT_VALUE;
        b.putLong(interval + OFFSETOF_TIMESPEC_TV_SEC, intervalNanos / 1_000_000_000L);
        b.putLong(interval + OFFSETOF_TIMESPEC_TV_NSEC, intervalNanos % 1_000_000_000L);
        b.putLong(value + OFFSETOF_TIMESPEC_TV_SEC, valueNanos / 1_000_000_000L);
        b.putLong(value + OFFSETOF_TIMESPEC_TV_NSEC, valueNanos % 1_000_000_000L);
    }

    @Override public SockAddr sockaddr() { return SOCKADDR; }

    @Override public MsgHdr msghdr() { return MSGHDR; }

    /** MSG_CMSG_CLOEXEC (Linux 2.6.23+): the received fds are close-on-exec from the moment they exist. */
    @Override public int recvmsgCloexec() { return portable ? 0 : MSG_CMSG_CLOEXEC; }

    /** MSG_NOSIGNAL: a send to a closed peer fails with EPIPE instead of raising SIGPIPE. */
    @Override public int sendmsgFlags() { return MSG_NOSIGNAL; }

    @Override public long tightenTimerSlack(LibC c, long slackNanos) {
        int previous = c.prctl(PR_GET_TIMERSLACK, 0);
        if (previous < 0 || previous == slackNanos) return -1;
        return c.prctl(PR_SET_TIMERSLACK, slackNanos) == 0 ? previous : -1;
    }

    @Override public void restoreTimerSlack(LibC c, long previous) {
        if (previous > 0) c.prctl(PR_SET_TIMERSLACK, previous);
    }

    /** kcmp(2), which glibc has no wrapper for: 0 when the two kernel objects are the same. */
    public static int kcmp(LibC c, int pid1, int pid2, int type, long idx1, long idx2) {
        return (int) c.syscall(SYS_kcmp, pid1, pid2, type, idx1, idx2);
    }
}
