package dev.reactor;

import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpmcArrayQueue;

/**
 * The cross-thread channel: a bounded JCTools MPSC queue of preallocated messages, recycled
 * through an SPMC pool, so {@code send} and {@code execute} allocate nothing. A producer that
 * finds the pool empty gets {@code false} (the queue is full); it never blocks.
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

    Mailbox(int capacity) {
        this.capacity = capacity;
        this.queue = new MpscArrayQueue<>(capacity);
        this.pool = new SpmcArrayQueue<>(capacity);
        for (int i = 0; i < capacity; i++) {
            if (!pool.offer(new Message())) throw new IllegalStateException("pool smaller than " + capacity);
        }
    }

    int capacity() { return capacity; }

    /** Any thread. False when full. */
    boolean offer(int fd, int generation, Object payload) {
        Message m = pool.poll();
        if (m == null) return false;
        m.fd = fd;
        m.generation = generation;
        m.payload = payload;
        queue.offer(m);     // cannot fail: there are never more messages than its capacity
        return true;
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
