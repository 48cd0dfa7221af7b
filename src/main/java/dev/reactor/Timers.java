package dev.reactor;

import java.time.Duration;
import java.util.Arrays;

/**
 * Pending timers: a binary min-heap of slots ordered by deadline, ids of {@code seq << 32 | slot}.
 * Schedule and cancel are O(log n) and allocate nothing once the arrays have grown; a cancelled
 * id's slot is reused at once, with a new seq, so an id is never reused while live.
 * Ties fire in scheduling order (a schedule counter breaks them). Loop thread only.
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

    private int[] heap = new int[INITIAL];
    private int size;
    private int[] free = new int[INITIAL];
    private int freeCount;
    private int slots;                                // slots ever used
    private long scheduled;

    Timers() {
        Arrays.fill(heapIndex, -1);
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

    void release(int slot) {
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
