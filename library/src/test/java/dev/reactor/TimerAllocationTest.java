package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Heavy;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The nanos form of timeout and cancel allocate nothing in steady state, measured with the JVM's
 * per-thread allocation counter around many schedule+cancel pairs after a warm-up. (JMH with
 * -prof gc says the same in the benchmarks; this keeps it true on every build.)
 */
@Heavy
class TimerAllocationTest {
    private static final int WARM_UP = 200_000;
    private static final int PAIRS = 1_000_000;
    /** "~0 bytes per pair": a few hundred bytes in all may come from the counter itself. */
    private static final double MAX_BYTES_PER_PAIR = 0.01;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FunctionalInterface
    private interface Pairs {
        void run(int count) throws Exception;
    }

    private static double bytesPerPair(Pairs pairs) throws Exception {
        assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes per thread");
        pairs.run(WARM_UP);   // grows the heap arrays, lets the JIT compile the paths
        long before = THREADS.getCurrentThreadAllocatedBytes();
        pairs.run(PAIRS);
        long after = THREADS.getCurrentThreadAllocatedBytes();
        return (after - before) / (double) PAIRS;
    }

    @Test
    void shouldScheduleAndCancelHandlerTimersWithoutAllocating() throws Exception {
        TimeoutHandler handler = (r, id) -> { };
        try (Reactor reactor = Reactor.open()) {
            // A thousand timers stay pending, so each pair works on a heap of real depth.
            for (int i = 0; i < 1_000; i++) reactor.timeoutNanos(3_600_000_000_000L + i, handler);
            double perPair = bytesPerPair(count -> {
                for (int i = 0; i < count; i++) {
                    long id = reactor.timeoutNanos(1_000_000L + (i & 1023) * 1_000L, handler);
                    if (!reactor.cancel(id)) throw new AssertionError("cancel " + id);
                }
            });
            assertTrue(perPair <= MAX_BYTES_PER_PAIR, "timeoutNanos+cancel allocated " + perPair + " bytes per pair");
            assertEquals(1_000, reactor.pendingTimers());
        }
    }

    @Test
    void shouldScheduleAndCancelFdTimersWithoutAllocating() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open()) {
            reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> { }));
            double perPair = bytesPerPair(count -> {
                for (int i = 0; i < count; i++) {
                    long id = reactor.timeoutNanos(1_000_000L + (i & 1023) * 1_000L, pipe[0]);
                    if (!reactor.cancel(id)) throw new AssertionError("cancel " + id);
                }
            });
            assertTrue(perPair <= MAX_BYTES_PER_PAIR, "timeoutNanos(fd)+cancel allocated " + perPair + " bytes per pair");
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }
}
