package dev.reactor.sys;

import dev.reactor.ReactorException;

/**
 * The OS event poller behind a reactor: epoll on Linux, kqueue on macOS/BSD. One per reactor,
 * used from the loop thread only, except {@link #wakeup()}.
 *
 * <p>Each registration carries a 64-bit token that comes back with its events. Tokens whose
 * upper 32 bits are zero are the poller's own (its wakeup and timer fds): the caller skips them.
 * Interest and event bits are the ones below, which {@code dev.reactor.Interest} and
 * {@code dev.reactor.Events} publish under the same values.
 * Each registration appears at most once in a batch, its readiness merged: the promise behind
 * one {@code onEvent} per fd per iteration (kqueue's separate read and write entries are merged
 * by its poller).
 */
public interface Poller extends AutoCloseable {
    /** Interest: readable. */
    int READ = 1;
    /** Interest: writable. */
    int WRITE = 1 << 1;
    /** Interest: edge-triggered. */
    int EDGE = 1 << 2;
    /** Interest: disarmed after one event until the interest is set again. */
    int ONESHOT = 1 << 3;
    /** Interest: priority data or an exceptional condition (EPOLLPRI). */
    int PRIORITY = 1 << 4;

    /** Event: readable (or a listener with a connection waiting). */
    int READABLE = 1;
    /** Event: writable (or a connect finished). */
    int WRITABLE = 1 << 1;
    /** Event: the peer hung up, or the fd reached its end. */
    int HANGUP = 1 << 2;
    /** Event: an error is pending on the fd. */
    int ERROR = 1 << 3;
    /** Event: priority data or an exceptional condition (EPOLLPRI). */
    int PRIORITIZED = 1 << 4;

    /** poll() deadline that means: do not block. */
    long NOW = Long.MIN_VALUE;
    /** poll() deadline that means: block until an event or a wakeup. */
    long FOREVER = Long.MAX_VALUE;

    /** "epoll" or "kqueue". */
    String name();

    void add(int fd, long token, int interest) throws ReactorException;

    /**
     * Replace the interest set (kqueue needs the old one to remove filters). 0 mutes: the fd stays
     * registered, but reports nothing more (at most one event already on its way, which callers
     * drop). ENOENT (or EBADF) when the fd was closed since it was added.
     */
    void modify(int fd, long token, int oldInterest, int newInterest) throws ReactorException;

    /** Stop watching fd. Returns 0 or -errno: ENOENT/EBADF mean it was already gone (closed behind our back). */
    int delete(int fd, long token, int interest);

    /**
     * True when {@code token} is a registration this poller could not remove (its delete or
     * modify found the fd already closed) and the kernel still reports it. epoll keys on the open
     * file, not the number: a file kept open by a dup of the closed fd stays in the set, out of
     * reach, and a level-triggered one would make every wait return at once. The caller then
     * {@linkplain #beginRebuild rebuilds} the set. Never true on kqueue, whose close(2) removes the fd's knotes.
     */
    default boolean isUnreachable(long token) {
        return false;
    }

    /**
     * Starts a new kernel set, to carry the live registrations over ({@link #carryOver}) and
     * leave the unreachable ones behind ({@link #endRebuild}). False when it cannot (no fd left,
     * or no way to check that an fd is still the file that was registered): the set stays as it is.
     */
    default boolean beginRebuild() {
        return false;
    }

    /**
     * Adds a live registration to the new set, if fd is still the file that was registered under
     * this number (never a new file that took a closed fd's number). False when it is not: the
     * caller ends that registration without closing the number.
     */
    default boolean carryOver(int fd, long token, int interest) {
        return false;
    }

    /** The new set replaces the old one, which closes, and the unreachable registrations with it. */
    default void endRebuild() { }

    /**
     * Wait until an event, a {@link #wakeup()} or the deadline ({@link System#nanoTime()} time,
     * or {@link #NOW} / {@link #FOREVER}), with nanosecond precision where the OS allows.
     * EINTR is retried with the time left. Returns how many events {@link #token(int)} and
     * {@link #events(int)} can read, until the next poll.
     */
    int poll(long deadlineNanos) throws ReactorException;

    /** Waits that a signal cut short (EINTR) and {@link #poll} resumed, so far. */
    default long interruptedWaits() {
        return 0;
    }

    /** Current size of the event array: preallocated, and grown when a wait fills it. */
    int capacity();

    long token(int index);

    int events(int index);

    /** Make a blocked (or the next) poll return. Safe from any thread. */
    void wakeup();

    /** How the kernel deadline is set: e.g. "epoll_pwait2" or "timerfd". */
    String timerSource();

    @Override
    void close();
}
