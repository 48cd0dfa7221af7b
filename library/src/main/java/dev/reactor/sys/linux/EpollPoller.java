package dev.reactor.sys.linux;

import dev.reactor.ReactorException;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.Poller;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.reactor.sys.linux.Epoll.*;

/**
 * {@link Poller} over epoll. Level-triggered unless {@link Interest#EDGE}; READ also asks for
 * EPOLLRDHUP, so a peer's half-close shows as HANGUP without a read (man 7 epoll).
 *
 * <p>Timeouts have nanosecond precision: epoll_pwait2 (kernel 5.11+) takes a timespec. Where it
 * is missing (ENOSYS, probed once) a timerfd in the set carries the deadline, re-armed only when
 * the deadline changes; it is made with the poller, since a wait may have to start when no fd
 * is left. The wakeup is an eventfd registered edge-triggered: each write reports once, so it
 * never needs reading.
 */
public final class EpollPoller implements Poller {
    private static final long WAKEUP_TOKEN = 0;
    private static final long TIMER_TOKEN = 1;
    private static final int MAX_EVENTS_LIMIT = 1 << 16;

    private final LibC c;
    /** Replaced only by a rebuild (see {@link #isUnreachable}). */
    private int epfd;
    private final int wakeFd;
    private int timerFd = -1;
    private boolean pwait2;

    private ByteBuffer events;
    private long eventsAddress;
    private int capacity;

    /** Loop-thread scratch: one epoll_event (16 is enough for both layouts), one itimerspec. */
    private final ByteBuffer scratch;
    private final long scratchAddress;
    private static final int SCRATCH_EVENT = 0;
    private static final int SCRATCH_TIMESPEC = 16;
    /** Read-only after construction, so any thread may write it to the eventfd. */
    private final ByteBuffer one;
    private final long oneAddress;

    /** The deadline the timerfd is armed for (FOREVER: disarmed). */
    private long armedDeadline = FOREVER;
    /** timerfd_settime calls made, for tests that show re-arming happens only when the deadline moves. */
    int timerFdSettimeCalls;
    private boolean growBeforeNextWait;
    private long interruptedWaits;
    private boolean closed;

    /**
     * Tokens of registrations whose DEL or MOD found the fd closed. Usually the kernel dropped
     * them with the file; but a dup of the fd keeps the file, and so the registration, alive and
     * out of reach. Bounded: past it, any stale token counts as one.
     */
    private final long[] unreachable = new long[64];
    private int unreachableCount;
    private boolean unreachableOverflow;
    /** The set being built by a rebuild, or -1. */
    private int rebuildFd = -1;
    private int pid;

    public EpollPoller(LibC libc, int initialEvents) throws ReactorException {
        this.c = libc;
        this.capacity = Math.max(16, Math.min(initialEvents, MAX_EVENTS_LIMIT));
        this.events = ByteBuffer.allocateDirect(capacity * SIZEOF_EPOLL_EVENT).order(ByteOrder.nativeOrder());
        this.eventsAddress = c.address(events);
        this.scratch = ByteBuffer.allocateDirect(16 + Linux.SIZEOF_ITIMERSPEC).order(ByteOrder.nativeOrder());
        this.scratchAddress = c.address(scratch);
        this.one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1L);
        this.oneAddress = c.address(one);

        this.epfd = (int) Errors.check(c.epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
        int w = -1;
        try {
            w = (int) Errors.check(c.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd");
            ctl(EPOLL_CTL_ADD, w, EPOLLIN | EPOLLET, WAKEUP_TOKEN);
            this.pwait2 = probePwait2();
            // Now, not on the first timed wait: that wait may come when no fd is left (the
            // Acceptor's EMFILE pause), and timerfd_create() failing there killed the loop (issue 8).
            if (!pwait2) openTimerFd();
        } catch (ReactorException | RuntimeException e) {
            if (timerFd >= 0) c.close(timerFd);
            if (w >= 0) c.close(w);
            c.close(epfd);
            throw e;
        }
        this.wakeFd = w;
    }

    /** A timerfd in the set (edge-triggered: it only ends a wait), or nothing changed and an exception. */
    private void openTimerFd() throws ReactorException {
        int t = (int) Errors.check(c.timerfd_create(Linux.CLOCK_MONOTONIC, Linux.TFD_NONBLOCK | Linux.TFD_CLOEXEC),
                "timerfd_create");
        int r = ctl(EPOLL_CTL_ADD, t, EPOLLIN | EPOLLET, TIMER_TOKEN);
        if (r < 0) {
            c.close(t);
            Errors.check(r, "epoll_ctl", "ADD", t);
        }
        timerFd = t;
    }

    /** epoll_pwait2 with a zero timeout: ENOSYS (older kernel, or a seccomp filter) means fall back to a timerfd. */
    private boolean probePwait2() {
        scratch.putLong(SCRATCH_TIMESPEC, 0).putLong(SCRATCH_TIMESPEC + 8, 0);
        int r = c.epoll_pwait2(epfd, eventsAddress, capacity, scratchAddress + SCRATCH_TIMESPEC);
        return r != -Errno.ENOSYS && r != -Errno.EPERM;
    }

    @Override public String name() { return "epoll"; }

    @Override public String timerSource() { return pwait2 ? "epoll_pwait2" : "timerfd"; }

    public int fd() { return epfd; }

    static int toEpoll(int interest) {
        // Muted: epoll adds HUP and ERR to any interest, so "no events" still reports a hung-up fd
        // on every wait. ONESHOT with no events disarms it after at most one such report (which
        // the caller drops), yet keeps it in the set, keyed to this file: unmuting with MOD fails
        // with ENOENT if the number has meanwhile gone to another file.
        if (interest == 0) return EPOLLONESHOT;
        int ev = 0;
        if ((interest & READ) != 0) ev |= EPOLLIN | EPOLLRDHUP;
        if ((interest & WRITE) != 0) ev |= EPOLLOUT;
        if ((interest & PRIORITY) != 0) ev |= EPOLLPRI;
        if ((interest & EDGE) != 0) ev |= EPOLLET;
        if ((interest & ONESHOT) != 0) ev |= EPOLLONESHOT;
        return ev;
    }

    static int fromEpoll(int ev) {
        int events = 0;
        if ((ev & EPOLLIN) != 0) events |= READABLE;
        if ((ev & EPOLLOUT) != 0) events |= WRITABLE;
        if ((ev & (EPOLLHUP | EPOLLRDHUP)) != 0) events |= HANGUP;
        if ((ev & EPOLLERR) != 0) events |= ERROR;
        if ((ev & EPOLLPRI) != 0) events |= PRIORITIZED;
        return events;
    }

    private int ctl(int op, int fd, int epollEvents, long token) {
        return ctl(epfd, op, fd, epollEvents, token);
    }

    private int ctl(int set, int op, int fd, int epollEvents, long token) {
        scratch.putInt(SCRATCH_EVENT + OFFSETOF_EPOLL_EVENT_EVENTS, epollEvents);
        scratch.putLong(SCRATCH_EVENT + OFFSETOF_EPOLL_EVENT_DATA, token);
        return c.epoll_ctl(set, op, fd, scratchAddress + SCRATCH_EVENT);
    }

    @Override
    public void add(int fd, long token, int interest) throws ReactorException {
        int r = ctl(EPOLL_CTL_ADD, fd, toEpoll(interest), token);
        if (r == -Errno.EPERM) {
            // epoll(7): the fd does not support poll, which is what a regular file or a directory
            // is (always ready). Said in words, since "Operation not permitted" reads as a rights problem.
            throw new ReactorException("epoll_ctl(ADD, fd=" + fd + ")", Errno.EPERM, NOT_POLLABLE);
        }
        Errors.check(r, "epoll_ctl", "ADD", fd);
    }

    /** Why epoll refused an fd with EPERM. */
    public static final String NOT_POLLABLE = "epoll cannot poll this kind of fd: a regular file or a directory is"
            + " always ready, so read it directly (to watch files for changes, use inotify)";

    @Override
    public void modify(int fd, long token, int oldInterest, int newInterest) throws ReactorException {
        int r = ctl(EPOLL_CTL_MOD, fd, toEpoll(newInterest), token);
        if (r == -Errno.ENOENT || r == -Errno.EBADF) rememberUnreachable(token);
        Errors.check(r, "epoll_ctl", "MOD", fd);
    }

    @Override
    public int delete(int fd, long token, int interest) {
        int r = c.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, scratchAddress + SCRATCH_EVENT);
        if (r == -Errno.ENOENT || r == -Errno.EBADF) rememberUnreachable(token);
        return r;
    }

    // ---- registrations out of reach: a rebuilt set leaves them behind ---------------------------

    private void rememberUnreachable(long token) {
        if (unreachableCount < unreachable.length) unreachable[unreachableCount++] = token;
        else unreachableOverflow = true;
    }

    @Override
    public boolean isUnreachable(long token) {
        if (unreachableOverflow) return true;
        for (int i = 0; i < unreachableCount; i++) {
            if (unreachable[i] == token) return true;
        }
        return false;
    }

    /**
     * Only with kcmp(KCMP_EPOLL_TFD), which tells whether fd's file is the one this set holds
     * under that number: re-adding a number without it could attach a new file to an old
     * Context. Checked on the wakeup eventfd, which is certainly in the set; seccomp profiles
     * that deny kcmp make this false, and the set stays as it is.
     */
    @Override
    public boolean beginRebuild() {
        if (pid == 0) pid = c.getpid();
        if (!sameFileInSet(wakeFd)) return false;
        int fresh = c.epoll_create1(EPOLL_CLOEXEC);
        if (fresh < 0) return false;          // EMFILE: try again at the next unreachable event
        if (ctl(fresh, EPOLL_CTL_ADD, wakeFd, EPOLLIN | EPOLLET, WAKEUP_TOKEN) < 0
                || (timerFd >= 0 && ctl(fresh, EPOLL_CTL_ADD, timerFd, EPOLLIN | EPOLLET, TIMER_TOKEN) < 0)) {
            c.close(fresh);
            return false;
        }
        rebuildFd = fresh;
        return true;
    }

    @Override
    public boolean carryOver(int fd, long token, int interest) {
        return sameFileInSet(fd) && ctl(rebuildFd, EPOLL_CTL_ADD, fd, toEpoll(interest), token) == 0;
    }

    @Override
    public void endRebuild() {
        c.close(epfd);
        epfd = rebuildFd;
        rebuildFd = -1;
        unreachableCount = 0;
        unreachableOverflow = false;
    }

    /**
     * kcmp: is the file open at fd one of those registered in this set under the number fd? Several
     * can be (an unreachable one and a new file's, say): toff walks them, until kcmp says equal (0),
     * or that there is no such entry or fd (-errno); 1 and 2 only order two different files.
     */
    private boolean sameFileInSet(int fd) {
        int base = SCRATCH_TIMESPEC;          // free between waits
        scratch.putInt(base + Linux.OFFSETOF_KCMP_EPOLL_SLOT_EFD, epfd);
        scratch.putInt(base + Linux.OFFSETOF_KCMP_EPOLL_SLOT_TFD, fd);
        for (int toff = 0; toff < MAX_SAME_NUMBER; toff++) {
            scratch.putInt(base + Linux.OFFSETOF_KCMP_EPOLL_SLOT_TOFF, toff);
            int r = LinuxOs.kcmp(c, pid, pid, Linux.KCMP_EPOLL_TFD, fd, scratchAddress + base);
            if (r == 0) return true;
            if (r < 0) return false;
        }
        return false;
    }

    /** Entries under one number that a rebuild looks through (one per file once held there). */
    private static final int MAX_SAME_NUMBER = 64;

    @Override
    public int poll(long deadlineNanos) throws ReactorException {
        if (growBeforeNextWait) grow();
        while (true) {
            int n = waitOnce(deadlineNanos);
            if (n >= 0) {
                // A full array may have left events behind: grow it, but only before the next
                // wait, since token()/events() read this one until then.
                growBeforeNextWait = n == capacity && capacity < MAX_EVENTS_LIMIT;
                return n;
            }
            if (n != -Errno.EINTR) throw new ReactorException("epoll_wait(epfd=" + epfd + ")", -n);
            // EINTR: go round; waitOnce recomputes the time left from the deadline.
            interruptedWaits++;
        }
    }

    @Override public long interruptedWaits() { return interruptedWaits; }

    private int waitOnce(long deadlineNanos) throws ReactorException {
        if (deadlineNanos == NOW) return c.epoll_wait(epfd, eventsAddress, capacity, 0);
        if (deadlineNanos == FOREVER) {
            disarmTimerFd();
            return c.epoll_wait(epfd, eventsAddress, capacity, -1);
        }
        // Recomputed on every call, so a wait resumed after EINTR lasts only for the time left.
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return c.epoll_wait(epfd, eventsAddress, capacity, 0);
        if (pwait2) {
            scratch.putLong(SCRATCH_TIMESPEC + Linux.OFFSETOF_TIMESPEC_TV_SEC, left / 1_000_000_000L);
            scratch.putLong(SCRATCH_TIMESPEC + Linux.OFFSETOF_TIMESPEC_TV_NSEC, left % 1_000_000_000L);
            return c.epoll_pwait2(epfd, eventsAddress, capacity, scratchAddress + SCRATCH_TIMESPEC);
        }
        armTimerFd(deadlineNanos, left);
        return c.epoll_wait(epfd, eventsAddress, capacity, -1);
    }

    /**
     * The fallback deadline: a timerfd in the set, armed only when the deadline moved. It keeps
     * counting through an EINTR, so the retried wait ends at the same instant.
     */
    private void armTimerFd(long deadlineNanos, long leftNanos) throws ReactorException {
        if (deadlineNanos == armedDeadline) return;
        Errors.check(setTimerFd(leftNanos), "timerfd_settime", timerFd);
        armedDeadline = deadlineNanos;
    }

    /**
     * Waiting forever: a timerfd still armed for a future deadline would wake us for nothing.
     * One whose deadline has passed has already expired (it is one-shot), so it costs no call.
     */
    private void disarmTimerFd() {
        if (timerFd < 0 || armedDeadline == FOREVER) return;
        if (armedDeadline - System.nanoTime() > 0) setTimerFd(0);
        armedDeadline = FOREVER;
    }

    private int setTimerFd(long valueNanos) {
        int base = SCRATCH_TIMESPEC;
        LinuxOs.putItimerspec(scratch, base, valueNanos, 0);     // one-shot
        timerFdSettimeCalls++;
        return c.timerfd_settime(timerFd, 0, scratchAddress + base, 0L);
    }

    private void grow() {
        growBeforeNextWait = false;
        capacity = Math.min(capacity * 2, MAX_EVENTS_LIMIT);
        events = ByteBuffer.allocateDirect(capacity * SIZEOF_EPOLL_EVENT).order(ByteOrder.nativeOrder());
        eventsAddress = c.address(events);
    }

    @Override public int capacity() { return capacity; }

    @Override
    public long token(int index) {
        return events.getLong(index * SIZEOF_EPOLL_EVENT + OFFSETOF_EPOLL_EVENT_DATA);
    }

    @Override
    public int events(int index) {
        return fromEpoll(events.getInt(index * SIZEOF_EPOLL_EVENT + OFFSETOF_EPOLL_EVENT_EVENTS));
    }

    @Override
    public void wakeup() {
        // EAGAIN only when the counter is at its maximum: the loop is then certain to wake anyway.
        c.write(wakeFd, oneAddress, 8);
    }

    /**
     * Forces the timerfd fallback (tests of the path that older kernels take), making the timerfd
     * as the constructor would have. Call it before the poller is in use, from the loop's thread.
     */
    public void disablePwait2() throws ReactorException {
        if (timerFd < 0) openTimerFd();
        pwait2 = false;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (timerFd >= 0) c.close(timerFd);
        if (rebuildFd >= 0) c.close(rebuildFd);
        c.close(wakeFd);
        c.close(epfd);
    }
}
