package dev.reactor;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;
import org.jctools.queues.atomic.MpscGrowableAtomicArrayQueue;
import org.jctools.queues.atomic.SpmcAtomicArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cross-thread channel: a JCTools MPSC queue of messages, recycled through an SPMC pool that
 * senders take from, so {@code send} and {@code execute} allocate nothing once as many messages
 * exist as were ever in flight at once. Messages are made on demand, up to the capacity; a
 * producer that finds the pool empty and the capacity reached gets {@code false} (the queue is
 * full); it never blocks. Queue and pool start small and grow (doubling, kept once grown) with
 * the messages in flight, so a reactor pays for its capacity only once it uses it: rings of
 * 65,536 entries preallocated cost ~0.5 MB of heap per reactor, 65,536 messages ~1.5 MB more.
 * FIFO per producer: each producer's offers land in the queue in the order it made them.
 *
 * <p>The queues are JCTools' {@code atomic} variants (field updaters and AtomicReferenceArray,
 * no sun.misc.Unsafe): the Unsafe-based ones fail in their static initializer under
 * {@code --sun-misc-unsafe-memory-access=deny} and warn on JDK 24+ (JEP 471, JEP 498).
 */
final class Mailbox {
    static final int TASK = -1;

    static final class Message {
        int fd;              // TASK for execute
        int generation;      // the registration the sender saw
        Object payload;
    }

    private static final int INITIAL = 64;

    private final MessagePassingQueue<Message> queue;
    /**
     * Free messages. Only the loop offers (recycles); when the pool is full it is replaced by one
     * twice the size, and senders that find the old one empty look again (see {@link #take}).
     */
    private volatile SpmcAtomicArrayQueue<Message> pool;
    /** The loop is moving the pool's messages into a bigger one: they are in neither for a moment. */
    private volatile boolean growing;
    private final int capacity;
    /** Messages made so far: at most capacity, so the queue and the pool can always take them. */
    private final AtomicInteger made = new AtomicInteger();

    Mailbox(int capacity) {
        this.capacity = capacity;
        // Never more than capacity messages exist, so neither can overflow once at full size.
        this.queue = capacity > 2 * INITIAL
                ? new MpscGrowableAtomicArrayQueue<>(INITIAL, capacity) : new MpscAtomicArrayQueue<>(Math.max(capacity, 2));
        this.pool = new SpmcAtomicArrayQueue<>(Math.min(capacity, INITIAL));
    }

    int capacity() { return capacity; }

    /** Any thread. False when full. */
    boolean offer(int fd, int generation, Object payload) {
        Message m = take();
        if (m == null) return false;
        m.fd = fd;
        m.generation = generation;
        m.payload = payload;
        queue.offer(m);     // cannot fail: there are never more messages than its capacity
        return true;
    }

    /** A free message, or a new one while fewer than capacity exist; null when all are in use. */
    private Message take() {
        while (true) {
            SpmcAtomicArrayQueue<Message> p = pool;
            Message m = p.poll();
            if (m != null) return m;
            // Empty, or emptied by the loop moving it into a bigger pool. The loop raises growing,
            // publishes the new pool, then drains the old one: a sender that saw the drain sees
            // growing or the new pool, and tries again rather than call the mailbox full.
            if (growing) {
                Thread.onSpinWait();
                continue;
            }
            if (p == pool) return make();
        }
    }

    /** A new message while fewer than capacity exist, else null (all are queued or being delivered). */
    private Message make() {
        int n;
        do {
            n = made.get();
            if (n >= capacity) return null;
        } while (!made.compareAndSet(n, n + 1));
        return new Message();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Loop thread. */
    Message poll() {
        return queue.relaxedPoll();
    }

    /** The releasing thread, once no loop runs: empties the queue; returns how many were in it. */
    int discard() {
        int n = 0;
        Message m;
        while ((m = queue.poll()) != null) {
            recycle(m);
            n++;
        }
        return n;
    }

    /** Loop thread: give a polled message back once read. */
    void recycle(Message m) {
        m.payload = null;
        SpmcAtomicArrayQueue<Message> p = pool;
        if (p.offer(m)) return;
        // Full: more messages exist than it holds. A pool twice the size (up to the capacity, which
        // holds every message there can be) takes the old one's messages and this one.
        SpmcAtomicArrayQueue<Message> bigger = new SpmcAtomicArrayQueue<>(Math.min(capacity, 2 * p.capacity()));
        growing = true;
        pool = bigger;
        Message free;
        while ((free = p.poll()) != null) bigger.offer(free);
        bigger.offer(m);
        growing = false;
    }
}
