package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Loop;
import dev.reactor.testing.RunningLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Each counter of reactor.stats() counts what it says, driven with runOnce on this thread (exact values). */
class ReactorStatsTest {
    private Reactor reactor;
    private final List<Integer> fds = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        reactor = Reactor.open(ReactorConfig.builder().idleStrategy(IdleStrategy.block()).build());
    }

    @AfterEach
    void close() {
        reactor.close();
        for (int fd : fds) Fds.closeQuietly(fd);
    }

    private int[] pipe() throws Exception {
        int[] p = Fds.pipe();
        fds.add(p[0]);
        fds.add(p[1]);
        return p;
    }

    private static void writeByte(int fd) throws Exception {
        assertEquals(1, Fds.write(fd, ByteBuffer.wrap(new byte[] {1})));
    }

    @Test
    void shouldCountIterations() throws Exception {
        for (int i = 0; i < 5; i++) reactor.runOnce(Duration.ZERO);
        assertEquals(5, reactor.stats().iterations());
    }

    @Test
    void shouldCountEventsDispatched() throws Exception {
        int[] p = pipe();
        reactor.register(Context.of(p[0], Interest.READ, (r, ev) -> Fds.read(p[0], ByteBuffer.allocate(8))));
        writeByte(p[1]);
        reactor.runOnce(Duration.ofSeconds(1));
        writeByte(p[1]);
        reactor.runOnce(Duration.ofSeconds(1));
        assertEquals(2, reactor.stats().eventsDispatched());
        assertEquals(0, reactor.stats().staleEventsDropped());
    }

    @Test
    void shouldCountEventsDroppedForAnFdReusedEarlierInTheSameBatch() throws Exception {
        int[] a = pipe();
        int[] b = pipe();
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger freshEvents = new AtomicInteger();
        // Whichever runs first closes the other's fd and registers a new pipe on the same number.
        class Swapper implements Context {
            final int fd, other;
            Swapper(int fd, int other) { this.fd = fd; this.other = other; }
            @Override public int fd() { return fd; }
            @Override public int interest() { return Interest.READ; }
            @Override public void onEvent(Reactor r, int events) throws Exception {
                ran.incrementAndGet();
                r.close(other);
                fds.remove((Integer) other);      // closed: its number belongs to the next pipe
                int[] fresh = pipe();
                assertEquals(other, fresh[0], "fd number not reused; the test needs it");
                r.register(Context.of(fresh[0], Interest.READ, (r2, ev) -> freshEvents.incrementAndGet()));
            }
        }
        reactor.register(new Swapper(a[0], b[0]));
        reactor.register(new Swapper(b[0], a[0]));
        writeByte(a[1]);
        writeByte(b[1]);
        reactor.runOnce(Duration.ofSeconds(1));
        assertEquals(1, ran.get());
        assertEquals(0, freshEvents.get(), "an event of the closed fd went to its successor");
        assertEquals(1, reactor.stats().eventsDispatched());
        assertEquals(1, reactor.stats().staleEventsDropped());
    }

    @Test
    void shouldCountTimersFiredAndDropped() throws Exception {
        int[] a = pipe();
        int[] b = pipe();
        reactor.register(Context.of(a[0], Interest.READ, (r, ev) -> { }));
        reactor.register(Context.of(b[0], Interest.READ, (r, ev) -> { }));
        for (int i = 0; i < 3; i++) reactor.timeout(Duration.ZERO, (r, id) -> { });
        reactor.timeout(Duration.ZERO, a[0]);
        reactor.timeout(Duration.ZERO, b[0]);
        reactor.deregister(b[0]);
        reactor.runOnce(Duration.ZERO);
        assertEquals(4, reactor.stats().timersFired());
        assertEquals(1, reactor.stats().timersDropped());
    }

    @Test
    void shouldCountMessagesAndTasksDeliveredAndMessagesDropped() throws Exception {
        int[] p = pipe();
        int[] unregistered = pipe();
        reactor.register(Context.of(p[0], Interest.READ, (r, ev) -> { }));
        assertTrue(reactor.send(p[0], "one"));
        assertTrue(reactor.send(p[0], "two"));
        assertTrue(reactor.execute(() -> { }));
        assertFalse(reactor.send(unregistered[0], "nobody"), "not registered at the call: refused, not queued");
        int[] leaving = pipe();
        reactor.register(Context.of(leaving[0], Interest.READ, (r, ev) -> { }));
        assertTrue(reactor.send(leaving[0], "too late"));
        reactor.deregister(leaving[0]);                     // ends before delivery: dropped and counted
        reactor.runOnce(Duration.ZERO);
        assertEquals(3, reactor.stats().messagesDelivered());
        assertEquals(1, reactor.stats().messagesDropped());
    }

    @Test
    void shouldCountEachWakeupWrittenToABlockedLoop() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (RunningLoop loop = RunningLoop.start(reactor)) {
            for (int i = 1; i <= 3; i++) {
                Loop.await(Loop.DEFAULT_DEADLINE, reactor::blockedInKernel);
                long before = reactor.stats().wakeupsWritten();
                assertTrue(reactor.execute(ran::incrementAndGet));
                int expected = i;
                Loop.await(Loop.DEFAULT_DEADLINE, () -> ran.get() == expected);
                assertEquals(before + 1, reactor.stats().wakeupsWritten());
            }
        }
    }
}
