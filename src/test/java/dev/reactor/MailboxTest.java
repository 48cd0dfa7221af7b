package dev.reactor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The bounded queue behind send/execute, on its own. */
class MailboxTest {

    @Test
    void shouldAcceptExactlyItsCapacityThenRefuseWithoutBlocking() {
        Mailbox mailbox = new Mailbox(10);          // not a power of two: JCTools rounds up, the pool does not
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
        // The two ring arrays (~256 KB each with compressed references), not 65,536 messages (~1.5 MB more).
        assertTrue(opened < 768 * 1024, "a new mailbox took " + opened + " B");

        Runnable task = () -> { };
        for (int round = 0; round < 3; round++) {
            long start = allocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                for (int k = 0; k < 8; k++) assertTrue(mailbox.offer(k, 1, task));
                for (int k = 0; k < 8; k++) mailbox.recycle(mailbox.poll());
            }
            long perCycle = (allocatedBytes() - start) / 100_000;
            if (round > 0) assertEquals(0, perCycle, "steady state allocates nothing: " + perCycle + " B per 8 messages");
        }
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
