package dev.reactor;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The bounded queue behind send/execute, on its own. */
class MailboxTest {

    @Test
    void shouldAcceptExactlyItsCapacityThenRefuseWithoutBlocking() {
        Mailbox mailbox = new Mailbox(10);          // not a power of two, and less than a chunk
        for (int i = 0; i < 10; i++) assertTrue(mailbox.offer(3, 7, i), "offer " + i);
        assertFalse(mailbox.offer(3, 7, "one too many"));
        assertFalse(mailbox.offer(Mailbox.TASK, 0, (Runnable) () -> { }));
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldMakeMessagesOnDemandAndNoneOnceEnoughExist() {
        long before = allocatedBytes();
        Mailbox mailbox = new Mailbox(1 << 16);      // the default capacity
        long opened = allocatedBytes() - before;
        // Small rings that grow: not two of 65,536 entries (~0.5 MB), nor 65,536 messages (~1.5 MB more).
        assertTrue(opened < 8 * 1024, "a new mailbox took " + opened + " B");

        Runnable task = () -> { };
        for (int round = 0; round < 3; round++) {
            long start = allocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                for (int k = 0; k < 8; k++) assertTrue(mailbox.offer(k, 1, task));
                for (int k = 0; k < 8; k++) mailbox.recycle(mailbox.poll());
            }
            // and bursts far past the initial size: grown once, in the first round, then kept
            for (int i = 0; i < 100; i++) {
                for (int k = 0; k < 5_000; k++) assertTrue(mailbox.offer(k, 1, task));
                for (int k = 0; k < 5_000; k++) mailbox.recycle(mailbox.poll());
            }
            long allocated = allocatedBytes() - start;
            if (round > 0) assertEquals(0, allocated / 1_000, "steady state allocates nothing: " + allocated + " B in 1.3 M messages");
        }
    }

    /**
     * Senders on three threads while the loop's side polls in uneven batches, so the queue and the
     * pool grow (and the pool is replaced) while senders take from it: every accepted message
     * arrives once, in each sender's order. Below the capacity no offer is refused; at it (a
     * capacity smaller than what is in flight) senders retry and still nothing is lost.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "capacity {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1 << 20, 1 << 10})
    void shouldLoseNothingWhileGrowingUnderConcurrentSenders(int capacity) throws Exception {
        Mailbox mailbox = new Mailbox(capacity);
        int senders = 3;
        int each = 300_000;                 // 900,000 in all: under 1 << 20, so that one never refuses
        java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    while (!mailbox.offer(sender, 0, i)) {
                        refusals.incrementAndGet();
                        Thread.onSpinWait();
                    }
                }
            }, "sender-" + s);
            threads.add(t);
            t.start();
        }
        int[] next = new int[senders];
        int received = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        java.util.Random rnd = new java.util.Random(42);
        while (received < senders * each) {
            assertTrue(System.nanoTime() < deadline, "received " + received);
            // Uneven: sometimes let the senders run ahead, so the rings fill and grow.
            if (rnd.nextInt(100) == 0) for (int spin = rnd.nextInt(200_000); spin > 0; spin--) Thread.onSpinWait();
            for (int batch = rnd.nextInt(5_000); batch > 0; batch--) {
                Mailbox.Message m = mailbox.poll();
                if (m == null) break;
                assertEquals(next[m.fd]++, m.payload, "sender " + m.fd + "'s order");
                mailbox.recycle(m);
                received++;
            }
        }
        for (Thread t : threads) t.join();
        assertNull(mailbox.poll(), "nothing more");
        for (int s = 0; s < senders; s++) assertEquals(each, next[s]);
        if (capacity > senders * each) assertEquals(0, refusals.get(), "refused below the capacity");
    }

    @Test
    void shouldTakeOffersAgainOnceMessagesAreRecycled() {
        Mailbox mailbox = new Mailbox(2);
        assertTrue(mailbox.offer(1, 1, "a"));
        assertTrue(mailbox.offer(1, 1, "b"));
        assertFalse(mailbox.offer(1, 1, "c"));
        Mailbox.Message m = mailbox.poll();
        assertEquals("a", m.payload);
        assertFalse(mailbox.offer(1, 1, "c"), "a polled message is still in use until recycled");
        mailbox.recycle(m);
        assertNull(m.payload, "recycling drops the reference to the payload");
        assertTrue(mailbox.offer(1, 1, "c"));
    }

    @Test
    void shouldKeepOneProducersOrderAndCarryFdAndGeneration() {
        Mailbox mailbox = new Mailbox(64);
        for (int i = 0; i < 50; i++) assertTrue(mailbox.offer(i, i * 3, i));
        for (int i = 0; i < 50; i++) {
            Mailbox.Message m = mailbox.poll();
            assertEquals(i, m.fd);
            assertEquals(i * 3, m.generation);
            assertEquals(i, m.payload);
            mailbox.recycle(m);
        }
        assertNull(mailbox.poll());
        assertTrue(mailbox.isEmpty());
    }
}
