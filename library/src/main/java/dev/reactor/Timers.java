package dev.reactor;

import java.time.Duration;
import java.util.Arrays;

/**
 * Pending timers: a binary min-heap of slots ordered by deadline, ids of {@code seq << 32 | slot}.
 * Schedule and cancel are O(log n) and allocate nothing once the arrays have grown; a cancelled
 * id's slot is reused at once, with a new seq, so an id is never reused while live.
 * Ties fire in scheduling order (a schedule counter breaks them). The timers of each fd are also
 * on a doubly linked list through their slots, so that a registration that ends takes its pending
 * timers with it ({@link #cancelFd}) instead of leaving them in the heap until they expire. Loop
 * thread only.
 */
final class Timers {
    private static final int INITIAL = 64;

    // per slot
    private long[] deadline = new long[INITIAL];
    private long[] order = new long[INITIAL];        // schedule sequence: FIFO among equal deadlines
    private int[] seq = new int[INITIAL];
    private int[] heapIndex = new int[INITIAL];      // -1 = free
    private Object[] handler = new Object[INITIAL];  // TimeoutHandler, or null for an fd timer
    private int[] fd = new int[INITIAL];
    private int[] fdGeneration = new int[INITIAL];
    private int[] nextOfFd = new int[INITIAL];       // the fd's list: slots, -1 at the ends
    private int[] prevOfFd = new int[INITIAL];
    private int[] firstOfFd = new int[INITIAL];      // indexed by fd, -1 = none

    private int[] heap = new int[INITIAL];
    private int size;
    private int[] free = new int[INITIAL];
    private int freeCount;
    private int slots;                                // slots ever used
    private long scheduled;

    Timers() {
        Arrays.fill(heapIndex, -1);
        Arrays.fill(firstOfFd, -1);
    }

    /** Duration.toNanos() throws past ~292 years: such a delay saturates to "never" instead. */
    static long nanos(String call, Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException(call + ": negative delay " + delay);
        return delay.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : delay.toNanos();
    }

    /** The System.nanoTime() deadline delayNanos from now. */
    static long deadline(long delayNanos) {
        if (delayNanos < 0) throw new IllegalArgumentException("timeout: negative delay " + delayNanos + " ns");
        long now = System.nanoTime();
        long d = now + delayNanos;
        // Saturate instead of wrapping: a delay of centuries means "never", not "already due".
        // (Long.MAX_VALUE itself is the poller's FOREVER.)
        return d < now ? Long.MAX_VALUE - 1 : Math.min(d, Long.MAX_VALUE - 1);
    }

    int size() { return size; }

    /** The earliest deadline, or Long.MAX_VALUE when none. */
    long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : deadline[heap[0]];
    }

    long schedule(long deadlineNanos, TimeoutHandler h, int targetFd, int targetGeneration) {
        int slot = freeCount > 0 ? free[--freeCount] : newSlot();
        int s = seq[slot] + 1;
        if (s <= 0) s = 1;                            // ids stay positive and never 0
        seq[slot] = s;
        deadline[slot] = deadlineNanos;
        order[slot] = scheduled++;
        handler[slot] = h;
        fd[slot] = targetFd;
        fdGeneration[slot] = targetGeneration;
        if (targetFd >= 0) link(slot, targetFd);
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = slot;
        heapIndex[slot] = size;
        size++;
        siftUp(size - 1);
        return ((long) s << 32) | slot;
    }

    boolean cancel(long id) {
        int slot = (int) id;
        if (id <= 0 || slot < 0 || slot >= slots || seq[slot] != (int) (id >>> 32) || heapIndex[slot] < 0) return false;
        removeAt(heapIndex[slot]);
        release(slot);
        return true;
    }

    /** Removes the earliest timer if its deadline is at or before now; returns its slot or -1. Call {@link #release} after reading it. */
    int pollExpired(long nowNanos) {
        if (size == 0) return -1;
        int slot = heap[0];
        if (deadline[slot] > nowNanos) return -1;
        removeAt(0);
        return slot;
    }

    long id(int slot) { return ((long) seq[slot] << 32) | slot; }
    Object handler(int slot) { return handler[slot]; }
    int fd(int slot) { return fd[slot]; }
    int fdGeneration(int slot) { return fdGeneration[slot]; }

    /**
     * Cancels every pending timer of fd's registration with this generation (its registration
     * ended); returns how many.
     */
    int cancelFd(int targetFd, int generation) {
        if (targetFd >= firstOfFd.length) return 0;
        int cancelled = 0;
        for (int slot = firstOfFd[targetFd]; slot >= 0; ) {
            int next = nextOfFd[slot];
            if (fdGeneration[slot] == generation && heapIndex[slot] >= 0) {
                removeAt(heapIndex[slot]);
                release(slot);
                cancelled++;
            }
            slot = next;
        }
        return cancelled;
    }

    private void link(int slot, int targetFd) {
        if (targetFd >= firstOfFd.length) {
            int n = Math.max(firstOfFd.length * 2, Integer.highestOneBit(targetFd) << 1);
            int old = firstOfFd.length;
            firstOfFd = Arrays.copyOf(firstOfFd, n);
            Arrays.fill(firstOfFd, old, n, -1);
        }
        int first = firstOfFd[targetFd];
        nextOfFd[slot] = first;
        prevOfFd[slot] = -1;
        if (first >= 0) prevOfFd[first] = slot;
        firstOfFd[targetFd] = slot;
    }

    private void unlink(int slot) {
        int next = nextOfFd[slot], prev = prevOfFd[slot];
        if (prev >= 0) nextOfFd[prev] = next;
        else firstOfFd[fd[slot]] = next;
        if (next >= 0) prevOfFd[next] = prev;
    }

    void release(int slot) {
        if (fd[slot] >= 0) {
            unlink(slot);
            fd[slot] = -1;
        }
        handler[slot] = null;
        heapIndex[slot] = -1;
        if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = slot;
    }

    private int newSlot() {
        if (slots == deadline.length) {
            int n = slots * 2;
            deadline = Arrays.copyOf(deadline, n);
            order = Arrays.copyOf(order, n);
            seq = Arrays.copyOf(seq, n);
            heapIndex = Arrays.copyOf(heapIndex, n);
            Arrays.fill(heapIndex, slots, n, -1);
            handler = Arrays.copyOf(handler, n);
            fd = Arrays.copyOf(fd, n);
            fdGeneration = Arrays.copyOf(fdGeneration, n);
            nextOfFd = Arrays.copyOf(nextOfFd, n);
            prevOfFd = Arrays.copyOf(prevOfFd, n);
        }
        return slots++;
    }

    private void removeAt(int i) {
        int removed = heap[i];
        heapIndex[removed] = -1;
        size--;
        if (i == size) return;
        int last = heap[size];
        heap[i] = last;
        heapIndex[last] = i;
        siftDown(i);
        if (heap[i] == last) siftUp(i);
    }

    private boolean before(int a, int b) {
        long da = deadline[a], db = deadline[b];
        return da < db || (da == db && order[a] < order[b]);
    }

    private void siftUp(int i) {
        int slot = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int p = heap[parent];
            if (!before(slot, p)) break;
            heap[i] = p;
            heapIndex[p] = i;
            i = parent;
        }
        heap[i] = slot;
        heapIndex[slot] = i;
    }

    private void siftDown(int i) {
        int slot = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, slot)) break;
            heap[i] = c;
            heapIndex[c] = i;
            i = child;
        }
        heap[i] = slot;
        heapIndex[slot] = i;
    }
}
