package dev.reactor.sys.bsd;

import dev.reactor.ReactorException;
import dev.reactor.ffi.KeventCalls;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.Poller;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.reactor.sys.bsd.Kqueue.*;

/**
 * {@link Poller} over kqueue (macOS, FreeBSD; on Linux, any library with the BSD ABI, such as
 * the tests' emulator). One knote per filter: READ is EVFILT_READ, WRITE is EVFILT_WRITE, each
 * with the registration's token as udata; EDGE adds EV_CLEAR; ONESHOT adds EV_DISPATCH, re-armed
 * with EV_ENABLE, and when one filter of a READ|WRITE oneshot fires the other is disabled too, so
 * the fd is disarmed as on epoll. Muting disables the knotes (a muted fd reports nothing, not
 * even its end) and keeps them, so unmuting a number that went to another file fails. Every change is sent with EV_RECEIPT and each receipt is checked: a bad fd fails
 * at register with its errno, as on epoll.
 *
 * <p>kqueue reports read and write readiness as two entries; this poller merges the entries of
 * one registration into one event per batch, so a Context gets one onEvent per iteration with
 * both bits, as on epoll. EV_EOF is HANGUP; EV_EOF with a socket error in fflags adds ERROR.
 *
 * <p>The wakeup is an EVFILT_USER knote (ident 0, EV_CLEAR), triggered with NOTE_TRIGGER from any
 * thread. Deadlines go to kevent's own timespec (nanoseconds; clamped to a day, since kernels
 * reject huge values), and EINTR is retried with the time left. The kernel tracks the knotes of
 * an fd with the fd: close(2) removes them, so nothing here is ever out of reach.
 */
public final class KqueuePoller implements Poller {
    private static final long WAKEUP_TOKEN = 0;
    private static final int MAX_EVENTS_LIMIT = 1 << 16;
    /** The longest single wait: the kernels refuse huge timespecs (EINVAL); the loop waits again. */
    private static final long MAX_WAIT_NANOS = 86_400L * 1_000_000_000L;
    private static final int MAX_CHANGES = 4;

    private final KeventCalls k;
    private final LibC c;
    private final Kqueue.Abi abi;
    private final int stride;
    private final int kq;

    private ByteBuffer events;
    private long eventsAddress;
    private int capacity;
    private boolean growBeforeNextWait;

    /** The batch after merging: one entry per registration. */
    private long[] tokens;
    private int[] bits;
    private int merged;
    /** token → merged index, for the batch whose number is in stamps (no clearing between batches). */
    private long[] hashTokens;
    private int[] hashIndex;
    private int[] hashStamp;
    private int batch;

    /** What the kernel holds for each fd: the interest its knotes were made with (0: none). */
    private int[] kernel = new int[1024];

    /** Loop-thread buffers: changes and their receipts; a timespec. */
    private final ByteBuffer changes;
    private final long changesAddress;
    private final ByteBuffer receipts;
    private final long receiptsAddress;
    private final ByteBuffer timespec;
    private final long timespecAddress;
    /** The wakeup's NOTE_TRIGGER change: read-only after construction, so any thread may pass it. */
    private final ByteBuffer trigger;
    private final long triggerAddress;

    private long interruptedWaits;
    private boolean closed;

    public KqueuePoller(LibC libc, KeventCalls kevent, Kqueue.Abi abi, int initialEvents) throws ReactorException {
        this.c = libc;
        this.k = kevent;
        this.abi = abi;
        this.stride = abi.sizeofKevent;
        this.capacity = Math.max(16, Math.min(initialEvents, MAX_EVENTS_LIMIT));
        allocate(capacity);
        this.changes = direct(MAX_CHANGES * stride);
        this.changesAddress = c.address(changes);
        this.receipts = direct(MAX_CHANGES * stride);
        this.receiptsAddress = c.address(receipts);
        this.timespec = direct(SIZEOF_TIMESPEC);
        this.timespecAddress = c.address(timespec);
        this.trigger = direct(stride);
        this.triggerAddress = c.address(trigger);
        put(trigger, 0, 0, abi.evfiltUser, 0, NOTE_TRIGGER, WAKEUP_TOKEN);

        this.kq = (int) Errors.check(k.kqueue(), "kqueue");
        try {
            put(changes, 0, 0, abi.evfiltUser, EV_ADD | EV_CLEAR, 0, WAKEUP_TOKEN);
            int r = submit(1);
            if (r < 0) throw new ReactorException("kevent(EV_ADD, EVFILT_USER, kq=" + kq + ")", -r);
        } catch (ReactorException | RuntimeException e) {
            c.close(kq);
            throw e;
        }
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private void allocate(int n) {
        events = direct(n * stride);
        eventsAddress = c.address(events);
        tokens = new long[n];
        bits = new int[n];
        int size = Integer.highestOneBit(n * 2 - 1) << 1;
        hashTokens = new long[size];
        hashIndex = new int[size];
        hashStamp = new int[size];
        batch = 0;
    }

    /** Writes one struct kevent at index i of b (ext, on FreeBSD, stays zero). */
    private void put(ByteBuffer b, int i, long ident, short filter, int flags, int fflags, long udata) {
        int at = i * stride;
        b.putLong(at + OFFSETOF_KEVENT_IDENT, ident);
        b.putShort(at + OFFSETOF_KEVENT_FILTER, filter);
        b.putShort(at + OFFSETOF_KEVENT_FLAGS, (short) flags);
        b.putInt(at + OFFSETOF_KEVENT_FFLAGS, fflags);
        b.putLong(at + OFFSETOF_KEVENT_DATA, 0);
        b.putLong(at + OFFSETOF_KEVENT_UDATA, udata);
    }

    /**
     * Sends changes [0, n) with EV_RECEIPT and returns 0, or the first failed change's -errno
     * (its index in {@link #failedAt}). Receipts come back in the order of the changes.
     */
    private int submit(int n) {
        for (int i = 0; i < n; i++) {
            int at = i * stride + OFFSETOF_KEVENT_FLAGS;
            changes.putShort(at, (short) (changes.getShort(at) | EV_RECEIPT));
        }
        timespec.putLong(0, 0).putLong(8, 0);
        int r = k.kevent(kq, changesAddress, n, receiptsAddress, n, timespecAddress);
        failedAt = -1;
        if (r < 0) return r;
        for (int i = 0; i < r; i++) {
            int at = i * stride;
            if ((receipts.getShort(at + OFFSETOF_KEVENT_FLAGS) & EV_ERROR) == 0) continue;
            long errno = receipts.getLong(at + OFFSETOF_KEVENT_DATA);
            if (errno != 0) {
                failedAt = i;
                return (int) -errno;
            }
        }
        return 0;
    }

    private int failedAt;

    /** The errno in receipt i of the last {@link #submit} (0: the change was applied). */
    private long receiptErrno(int i) {
        return receipts.getLong(i * stride + OFFSETOF_KEVENT_DATA);
    }

    @Override public String name() { return "kqueue"; }

    @Override public String timerSource() { return "kevent timespec"; }

    /** The kqueue fd. */
    public int fd() { return kq; }

    /** The struct kevent stride in use: 32 (macOS ABI) or 64 (FreeBSD 12+). */
    public int keventSize() { return stride; }

    private static int flags(int interest) {
        return ((interest & EDGE) != 0 ? EV_CLEAR : 0) | ((interest & ONESHOT) != 0 ? EV_DISPATCH : 0);
    }

    private int kernel(int fd) {
        return fd < kernel.length ? kernel[fd] : 0;
    }

    private void setKernel(int fd, int interest) {
        if (fd >= kernel.length) {
            if (interest == 0) return;
            kernel = Arrays.copyOf(kernel, Math.max(fd + 1, kernel.length * 2));
        }
        kernel[fd] = interest;
    }

    /**
     * EPOLLPRI has no one kqueue filter: EVFILT_EXCEPT with NOTE_OOB covers a socket's urgent
     * data on macOS and FreeBSD 12+, and the Linux-only files that notify through EPOLLPRI (PSI,
     * cgroup events, sysfs) do not exist there. Refused, before anything changes.
     */
    private static void refusePriority(String call, int interest) throws ReactorException {
        if ((interest & PRIORITY) != 0) {
            throw new ReactorException(call, Errno.EOPNOTSUPP, "Interest.PRIORITY (EPOLLPRI) is epoll's; kqueue has"
                    + " no filter for it here (EVFILT_EXCEPT/NOTE_OOB, TCP urgent data only, is not implemented)");
        }
    }

    @Override
    public void add(int fd, long token, int interest) throws ReactorException {
        refusePriority("kevent(EV_ADD, fd=" + fd + ")", interest);
        int n = 0;
        if ((interest & READ) != 0) put(changes, n++, fd, EVFILT_READ, EV_ADD | flags(interest), 0, token);
        if ((interest & WRITE) != 0) put(changes, n++, fd, EVFILT_WRITE, EV_ADD | flags(interest), 0, token);
        int r = submit(n);
        if (r < 0) {
            // Every change has its receipt and was applied or not on its own: undo the ones that
            // were, so nothing is left half-registered.
            undoApplied(fd, token, n);
            throw new ReactorException("kevent(EV_ADD, fd=" + fd + ")", -r);
        }
        setKernel(fd, interest);
    }

    /**
     * After a {@link #submit} that failed: undoes each of its n changes that the kernel did apply
     * (receipt 0), in reverse: an EV_ADD is deleted, an EV_DELETE re-added as it was (its flags
     * are in the change), an EV_ENABLE or EV_DISABLE left as it is (harmless either way). When the
     * kevent call itself failed, nothing was applied.
     */
    private void undoApplied(int fd, long token, int n) {
        if (failedAt < 0) return;
        int undo = 0;
        long[] redo = new long[2];              // rare path: a failed change
        for (int i = 0; i < n; i++) {
            if (receiptErrno(i) != 0) continue;
            int at = i * stride;
            short filter = changes.getShort(at + OFFSETOF_KEVENT_FILTER);
            int flags = changes.getShort(at + OFFSETOF_KEVENT_FLAGS) & 0xFFFF & ~EV_RECEIPT;
            if ((flags & EV_ADD) != 0) redo[undo++] = ((long) filter << 32) | (EV_DELETE & 0xFFFFFFFFL);
            else if ((flags & EV_DELETE) != 0) redo[undo++] = ((long) filter << 32) | (EV_ADD | (flags & (EV_CLEAR | EV_DISPATCH)));
        }
        for (int i = 0; i < undo; i++) put(changes, i, fd, (short) (redo[i] >> 32), (int) redo[i], 0, token);
        if (undo > 0) submit(undo);
    }

    @Override
    public void modify(int fd, long token, int oldInterest, int newInterest) throws ReactorException {
        refusePriority("kevent(modify, fd=" + fd + ")", newInterest);
        int had = kernel(fd);
        if (newInterest == 0) {
            // Muted: the knotes stay, disabled (a disabled knote reports nothing, its end neither),
            // so that unmuting re-enables them, and fails with ENOENT if the number went to
            // another file meanwhile (its knotes went with the old file): never the new file
            // silently attached to this registration.
            int n = 0;
            if ((had & READ) != 0) put(changes, n++, fd, EVFILT_READ, EV_DISABLE, 0, token);
            if ((had & WRITE) != 0) put(changes, n++, fd, EVFILT_WRITE, EV_DISABLE, 0, token);
            int r = n == 0 ? 0 : submit(n);
            if (r < 0) {
                setKernel(fd, r == -Errno.ENOENT || r == -Errno.EBADF ? 0 : had);
                throw new ReactorException("kevent(EV_DISABLE, fd=" + fd + ")", -r);
            }
            return;
        }
        // First the knotes that exist (enable, delete): that fails with ENOENT if the fd was
        // closed; only then the additions, which on a new file at this number would succeed.
        int n = 0;
        n = existing(n, fd, token, EVFILT_READ, READ, had, newInterest);
        n = existing(n, fd, token, EVFILT_WRITE, WRITE, had, newInterest);
        int r = n == 0 ? 0 : submit(n);
        if (r < 0) {
            fail(fd, token, n, had, r);
        }
        n = 0;
        n = added(n, fd, token, EVFILT_READ, READ, had, newInterest);
        n = added(n, fd, token, EVFILT_WRITE, WRITE, had, newInterest);
        r = n == 0 ? 0 : submit(n);
        if (r < 0) {
            undoApplied(fd, token, n);
            // The first step went through: put back what it deleted, so the kernel holds `had` again.
            n = 0;
            for (short filter : new short[] {EVFILT_READ, EVFILT_WRITE}) {
                int bit = filter == EVFILT_READ ? READ : WRITE;
                boolean deleted = (had & bit) != 0 && !((newInterest & bit) != 0 && flags(had) == flags(newInterest));
                if (deleted) put(changes, n++, fd, filter, EV_ADD | flags(had), 0, token);
            }
            if (n > 0) submit(n);
            fail(fd, token, 0, had, r);
        }
        setKernel(fd, newInterest);
    }

    /**
     * A modify failed. ENOENT/EBADF: the fd was closed, its knotes are gone with it, and the caller
     * ends the registration. Any other errno: the changes that were applied are undone, so the
     * kernel still holds {@code had}, which the caller keeps as the registration's interest.
     */
    private void fail(int fd, long token, int n, int had, int r) throws ReactorException {
        if (r == -Errno.ENOENT || r == -Errno.EBADF) {
            setKernel(fd, 0);
        } else {
            undoApplied(fd, token, n);
            setKernel(fd, had);
        }
        throw new ReactorException("kevent(modify, fd=" + fd + ")", -r);
    }

    /** The change to a knote that exists: enable it (same flags), or delete it (unwanted, or its flags change). */
    private int existing(int n, int fd, long token, short filter, int bit, int had, int want) {
        if ((had & bit) == 0) return n;
        boolean same = (want & bit) != 0 && flags(had) == flags(want);
        // EV_ENABLE also re-arms a dispatched ONESHOT. Never EV_ADD over a live knote whose flags
        // change: the kernel would keep the old ones.
        put(changes, n++, fd, filter, same ? EV_ENABLE : EV_DELETE, 0, token);
        return n;
    }

    /** The knote to add: wanted, and not kept by {@link #existing}. */
    private int added(int n, int fd, long token, short filter, int bit, int had, int want) {
        if ((want & bit) == 0) return n;
        if ((had & bit) != 0 && flags(had) == flags(want)) return n;
        put(changes, n++, fd, filter, EV_ADD | flags(want), 0, token);
        return n;
    }

    @Override
    public int delete(int fd, long token, int interest) {
        int had = kernel(fd);
        setKernel(fd, 0);
        int n = 0;
        if ((had & READ) != 0) put(changes, n++, fd, EVFILT_READ, EV_DELETE, 0, token);
        if ((had & WRITE) != 0) put(changes, n++, fd, EVFILT_WRITE, EV_DELETE, 0, token);
        if (n == 0) return 0;
        int r = submit(n);
        // Every change has its receipt: one filter deleted is the registration deleted, even if
        // the other was already gone (ENOENT).
        if (r < 0 && failedAt >= 0 && n == 2 && (receiptErrno(0) == 0 || receiptErrno(1) == 0)) return 0;
        return r;
    }

    @Override
    public int poll(long deadlineNanos) throws ReactorException {
        if (growBeforeNextWait) grow();
        int n;
        while (true) {
            n = waitOnce(deadlineNanos);
            if (n >= 0) break;
            if (n != -Errno.EINTR) throw new ReactorException("kevent(kq=" + kq + ")", -n);
            interruptedWaits++;             // changes were applied; wait again for the time left
        }
        growBeforeNextWait = n == capacity && capacity < MAX_EVENTS_LIMIT;
        mergeBatch(n);
        return merged;
    }

    @Override public long interruptedWaits() { return interruptedWaits; }

    private int waitOnce(long deadlineNanos) {
        long ts = timespecAddress;
        if (deadlineNanos == FOREVER) {
            ts = 0L;                                            // NULL: no timeout
        } else {
            long left = deadlineNanos == NOW ? 0 : Math.max(0, deadlineNanos - System.nanoTime());
            left = Math.min(left, MAX_WAIT_NANOS);
            timespec.putLong(0, left / 1_000_000_000L).putLong(8, left % 1_000_000_000L);
        }
        return k.kevent(kq, 0L, 0, eventsAddress, capacity, ts);
    }

    /** One entry per registration, its filters' bits or-ed; the wakeup's entries dropped. */
    private void mergeBatch(int n) {
        merged = 0;
        if (++batch == 0) {                 // after 2^32 batches: start the stamps again
            Arrays.fill(hashStamp, 0);
            batch = 1;
        }
        int mask = hashTokens.length - 1;
        for (int i = 0; i < n; i++) {
            int at = i * stride;
            long token = events.getLong(at + OFFSETOF_KEVENT_UDATA);
            if (token == WAKEUP_TOKEN) continue;
            short filter = events.getShort(at + OFFSETOF_KEVENT_FILTER);
            int flags = events.getShort(at + OFFSETOF_KEVENT_FLAGS) & 0xFFFF;
            int b = filter == EVFILT_READ ? READABLE : filter == EVFILT_WRITE ? WRITABLE : 0;
            if ((flags & EV_EOF) != 0) {
                b |= HANGUP;
                if (events.getInt(at + OFFSETOF_KEVENT_FFLAGS) != 0) b |= ERROR;   // fflags: the socket's error
            }
            if ((flags & EV_ERROR) != 0) b |= ERROR;
            int slot = (int) (mix(token) & mask);
            while (hashStamp[slot] == batch && hashTokens[slot] != token) slot = (slot + 1) & mask;
            if (hashStamp[slot] == batch) {
                bits[hashIndex[slot]] |= b;
            } else {
                hashStamp[slot] = batch;
                hashTokens[slot] = token;
                hashIndex[slot] = merged;
                tokens[merged] = token;
                bits[merged] = b;
                merged++;
            }
        }
        disarmOtherFilters();
    }

    /**
     * A READ|WRITE oneshot whose one filter fired: EV_DISPATCH disabled that one, the other is
     * disabled here, so the whole fd is disarmed until interest() re-arms it, as on epoll.
     */
    private void disarmOtherFilters() {
        for (int i = 0; i < merged; i++) {
            int fd = (int) tokens[i];
            int interest = kernel(fd);
            if ((interest & ONESHOT) == 0 || (interest & (READ | WRITE)) != (READ | WRITE)) continue;
            int fired = bits[i] & (READABLE | WRITABLE);
            if (fired == (READABLE | WRITABLE)) continue;
            short other = (fired & READABLE) != 0 ? EVFILT_WRITE : EVFILT_READ;
            put(changes, 0, fd, other, EV_DISABLE, 0, tokens[i]);
            submit(1);                      // ENOENT: the fd was closed meanwhile; nothing to disarm
        }
    }

    private static long mix(long token) {
        long h = token * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    private void grow() {
        growBeforeNextWait = false;
        capacity = Math.min(capacity * 2, MAX_EVENTS_LIMIT);
        allocate(capacity);
    }

    @Override public int capacity() { return capacity; }

    @Override public long token(int index) { return tokens[index]; }

    @Override public int events(int index) { return bits[index]; }

    @Override
    public void wakeup() {
        // nevents 0: applies the trigger and returns at once. Safe from any thread.
        k.kevent(kq, triggerAddress, 1, 0L, 0, 0L);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        c.close(kq);
    }
}
