package dev.reactor;

import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpmcArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cross-thread channel: a bounded JCTools MPSC queue of messages, recycled through an SPMC
 * pool, so {@code send} and {@code execute} allocate nothing once as many messages exist as were
 * ever in flight at once. They are made on demand, up to the capacity (preallocating 65,536 of them
 * cost every reactor ~1.5 MB of heap at open); a producer that finds the pool empty and the
 * capacity reached gets {@code false} (the queue is full); it never blocks.
 * FIFO per producer: each producer's offers land in the queue in the order it made them.
 */
final class Mailbox {
    static final int TASK = -1;

    static final class Message {
        int fd;              // TASK for execute
        int generation;      // the registration the sender saw
        Object payload;
    }

    private final MpscArrayQueue<Message> queue;
    private final SpmcArrayQueue<Message> pool;
    private final int capacity;
    /** Messages made so far: at most capacity, so the queue and the pool can always take them. */
    private final AtomicInteger made = new AtomicInteger();

    Mailbox(int capacity) {
        this.capacity = capacity;
        this.queue = new MpscArrayQueue<>(capacity);
        this.pool = new SpmcArrayQueue<>(capacity);
    }

    int capacity() { return capacity; }

    /** Any thread. False when full. */
    boolean offer(int fd, int generation, Object payload) {
        Message m = pool.poll();
        if (m == null && (m = make()) == null) return false;
        m.fd = fd;
        m.generation = generation;
        m.payload = payload;
        queue.offer(m);     // cannot fail: there are never more messages than its capacity
        return true;
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

    /** Loop thread: give a polled message back once read. */
    void recycle(Message m) {
        m.payload = null;
        pool.offer(m);
    }
}
