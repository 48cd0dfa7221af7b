package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lesson 7: no allocation per event. Counted with the JVM's per-thread allocation counter
 * around a warmed-up loop; the JMH benchmarks (-prof gc) confirm it with more rigour.
 */
class DispatchAllocationTest {
    private static final int WARMUP_ITERATIONS = 200_000;
    private static final int MEASURED_EVENTS = 100_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated per dispatched event, over {@code events} events, after a warm-up. */
    private static double bytesPerEvent(Reactor reactor, long[] dispatched, int perIteration) throws Exception {
        Duration zero = Duration.ZERO;
        // Warm-up counted in iterations: the loop itself must be compiled, not just the callback.
        for (int i = 0; i < WARMUP_ITERATIONS; i++) reactor.runOnce(zero);
        long start = dispatched[0];
        long before = allocatedBytes();
        for (int i = 0; i < MEASURED_EVENTS / perIteration; i++) reactor.runOnce(zero);
        long after = allocatedBytes();
        long events = dispatched[0] - start;
        assertEquals(MEASURED_EVENTS / perIteration * perIteration, events, "every iteration dispatched every fd");
        double perEvent = (after - before) / (double) events;
        System.out.printf("%s: %d bytes over %d events (%d per iteration): %.4f bytes/event%n",
                reactor.backend(), after - before, events, perIteration, perEvent);
        return perEvent;
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldAllocateNothingPerDispatchOfALevelTriggeredEventfd() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            long[] dispatched = {0};
            reactor.register(Context.of(fd, Interest.READ, (r, ev) -> dispatched[0]++));
            double perEvent = bytesPerEvent(reactor, dispatched, 1);
            assertTrue(perEvent < 1.0, reactor.backend() + ": " + perEvent + " bytes allocated per event");
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldAllocateNothingPerDispatchWithManyFdsPerBatch() throws Exception {
        int[] fds = new int[32];
        for (int i = 0; i < fds.length; i++) fds[i] = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            long[] dispatched = {0};
            for (int fd : fds) reactor.register(Context.of(fd, Interest.READ, (r, ev) -> dispatched[0]++));
            double perEvent = bytesPerEvent(reactor, dispatched, fds.length);
            assertTrue(perEvent < 1.0, reactor.backend() + ": " + perEvent + " bytes allocated per event");
        } finally {
            Io.closeAll(fds);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldAllocateNothingPerEventfdReadInACallback() throws Exception {
        // The usual callback work on an eventfd: write and read its counter through Fds.
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            long[] dispatched = {0};
            reactor.register(Context.of(fd, Interest.READ, (r, ev) -> {
                dispatched[0]++;
                Fds.eventfdRead(fd);
                Fds.eventfdWrite(fd, 1);
            }));
            double perEvent = bytesPerEvent(reactor, dispatched, 1);
            assertTrue(perEvent < 1.0, reactor.backend() + ": " + perEvent + " bytes allocated per event");
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldAllocateNothingPerFdsReadAndWriteOfADirectBufferInACallback() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            long[] dispatched = {0};
            reactor.register(Context.of(pair[0], Interest.READ, (r, ev) -> {
                dispatched[0]++;
                Fds.read(pair[0], in.clear());
                Fds.write(pair[1], out.clear().limit(16));   // echo back to ourselves: readable again
            }));
            Fds.write(pair[1], ByteBuffer.allocateDirect(16));
            double perEvent = bytesPerEvent(reactor, dispatched, 1);
            assertTrue(perEvent < 1.0, reactor.backend() + ": " + perEvent + " bytes allocated per event");
        } finally {
            Io.closeAll(pair);
        }
    }
}
