package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.sys.linux.EpollPoller;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.Idle;
import dev.reactor.testing.Io;
import dev.reactor.testing.Loop;
import dev.reactor.testing.RunningLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Timers through the Reactor API, with run() on its own thread, under each idle strategy. */
class TimeoutTest {
    private static final Duration DEADLINE = Loop.DEFAULT_DEADLINE;

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "not within " + DEADLINE);
    }

    /** A pipe-read Context that records onTimeout calls. */
    private static final class TimedContext implements Context {
        final int fd;
        final AtomicLong lastTimerId = new AtomicLong();
        final AtomicInteger timeouts = new AtomicInteger();
        final AtomicReference<Thread> thread = new AtomicReference<>();

        TimedContext(int fd) { this.fd = fd; }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor reactor, int events) { }
        @Override public void onTimeout(Reactor reactor, long timerId) {
            lastTimerId.set(timerId);
            thread.set(Thread.currentThread());
            timeouts.incrementAndGet();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldFireTimersInDeadlineOrderAndNeverBeforeTheirDeadline(IdleStrategy idle) throws Exception {
        try (Reactor reactor = Idle.open(idle)) {
            assertFiresInDeadlineOrderAndNeverEarly(reactor);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    @LinuxOnly("epoll's timerfd fallback")
    void shouldFireTimersInDeadlineOrderOnTheTimerfdFallback(IdleStrategy idle) throws Exception {
        PollerKind.assumeEpoll("the timerfd fallback is epoll's; kqueue waits with kevent's own timespec");
        try (Reactor reactor = Idle.open(idle)) {
            ((EpollPoller) reactor.poller()).disablePwait2();    // what a kernel before 5.11 gets
            assertEquals("timerfd", reactor.timerSource());
            assertFiresInDeadlineOrderAndNeverEarly(reactor);
        }
    }

    /** 300 timers, 0..30 ms, scheduled on the loop: each fires after its deadline, in deadline order. */
    private static void assertFiresInDeadlineOrderAndNeverEarly(Reactor reactor) throws Exception {
        int n = 300;
        long[] delay = new long[n];
        long[] before = new long[n];
        long[] after = new long[n];
        long[] firedAt = new long[n];
        int[] order = new int[n];
        AtomicInteger fired = new AtomicInteger();
        Random random = new Random(5);
        for (int i = 0; i < n; i++) delay[i] = random.nextInt(30_000_000);   // 0..30 ms, any ns
        try (RunningLoop loop = RunningLoop.start(reactor)) {
            loop.run(() -> {
                for (int i = 0; i < n; i++) {
                    int k = i;
                    before[k] = System.nanoTime();
                    reactor.timeoutNanos(delay[k], (r, id) -> {
                        firedAt[k] = System.nanoTime();
                        order[fired.getAndIncrement()] = k;
                    });
                    after[k] = System.nanoTime();
                }
            });
            Loop.await(DEADLINE, () -> fired.get() == n);
        }
        // The true deadline of timer i lies in [before[i] + delay[i], after[i] + delay[i]].
        for (int i = 0; i < n; i++) {
            long early = before[i] + delay[i] - firedAt[i];
            assertTrue(early <= 0, "timer " + i + " fired " + early + " ns before its deadline");
        }
        for (int p = 0; p < n; p++) {
            for (int q = p + 1; q < n; q++) {
                int first = order[p], second = order[q];
                assertFalse(after[second] + delay[second] < before[first] + delay[first],
                        "timer " + first + " fired before timer " + second + ", whose deadline was earlier");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldRunTimersScheduledFromATimerCallbackAfterTheirDelay(IdleStrategy idle) throws Exception {
        CountDownLatch done = new CountDownLatch(2);
        AtomicBoolean cancelOwn = new AtomicBoolean(true);
        AtomicLong childEarlyNanos = new AtomicLong(Long.MAX_VALUE);
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            loop.run(() -> reactor.timeout(Duration.ofMillis(1), (r, id) -> {
                cancelOwn.set(r.cancel(id));
                long scheduledAt = System.nanoTime();
                r.timeoutNanos(2_000_000, (r2, id2) -> {
                    childEarlyNanos.set(scheduledAt + 2_000_000 - System.nanoTime());
                    done.countDown();
                });
                r.timeoutNanos(0, (r2, id2) -> done.countDown());
            }));
            await(done);
        }
        assertFalse(cancelOwn.get(), "a timer that is firing is no longer pending");
        assertTrue(childEarlyNanos.get() <= 0, "child timer fired " + childEarlyNanos.get() + " ns early");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldNotFireATimerCancelledByAnEarlierTimerDueAtTheSameTime(IdleStrategy idle) throws Exception {
        AtomicReference<Boolean> cancelled = new AtomicReference<>();
        AtomicBoolean victimFired = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            loop.run(() -> {
                long[] victim = new long[1];
                // Same delay, scheduled first: due no later than the victim, and fires first.
                reactor.timeout(Duration.ofMillis(5), (r, id) -> cancelled.set(r.cancel(victim[0])));
                victim[0] = reactor.timeout(Duration.ofMillis(5), (r, id) -> victimFired.set(true));
                reactor.timeout(Duration.ofMillis(30), (r, id) -> done.countDown());
            });
            await(done);
            assertEquals(0, loop.call(reactor::pendingTimers));
        }
        assertEquals(Boolean.TRUE, cancelled.get());
        assertFalse(victimFired.get(), "a cancelled timer fired");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldRefuseToCancelFiredCancelledAndUnknownTimers(IdleStrategy idle) throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            long firedId = loop.call(() -> reactor.timeout(Duration.ofMillis(1), (r, id) -> fired.countDown()));
            await(fired);
            assertFalse(loop.call(() -> reactor.cancel(firedId)), "fired");
            long pending = loop.call(() -> reactor.timeout(Duration.ofHours(1), (r, id) -> { }));
            assertNotEquals(firedId, pending);
            assertTrue(loop.call(() -> reactor.cancel(pending)));
            assertFalse(loop.call(() -> reactor.cancel(pending)), "cancelled twice");
            assertFalse(loop.call(() -> reactor.cancel(0)), "never an id");
            assertFalse(loop.call(() -> reactor.cancel(-1)), "never an id");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldNotStarveIoWithATimerThatReschedulesItselfWithZeroDelay(IdleStrategy idle) throws Exception {
        int[] pipe = Fds.pipe();
        AtomicInteger chain = new AtomicInteger();
        AtomicInteger chainAtIo = new AtomicInteger(-1);
        try (Reactor reactor = Idle.open(idle)) {
            reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> {
                chainAtIo.compareAndSet(-1, chain.get());
                Fds.read(pipe[0], ByteBuffer.allocate(16));
            }));
            TimeoutHandler again = new TimeoutHandler() {
                @Override public void onTimeout(Reactor r, long id) throws Exception {
                    if (chain.incrementAndGet() == 10) Fds.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
                    if (chainAtIo.get() < 0 && chain.get() < 1_000_000) r.timeoutNanos(0, this);
                }
            };
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                loop.run(() -> reactor.timeoutNanos(0, again));
                Loop.await(DEADLINE, () -> chainAtIo.get() >= 0);
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
        // Written during timer 10; events are dispatched before timers, so the next iteration sees it.
        assertTrue(chainAtIo.get() >= 10 && chainAtIo.get() <= 11, "I/O waited for " + chainAtIo.get() + " timers");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldDeliverAnFdTimerToItsContextsOnTimeout(IdleStrategy idle) throws Exception {
        int[] pipe = Fds.pipe();
        TimedContext ctx = new TimedContext(pipe[0]);
        try (Reactor reactor = Idle.open(idle)) {
            reactor.register(ctx);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                long id = loop.call(() -> reactor.timeout(Duration.ofMillis(2), pipe[0]));
                Loop.await(DEADLINE, () -> ctx.timeouts.get() == 1);
                assertEquals(id, ctx.lastTimerId.get());
                assertSame(loop.thread(), ctx.thread.get());
                assertEquals(1, loop.call(() -> reactor.stats().timersFired()));
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void shouldTakeAnFdsPendingTimersWithItsRegistrationOnEveryPathThatEndsIt() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open()) {
            // Deregister, close(fd), and a failed callback: a long timeout on each short-lived
            // registration must not stay in the heap for an hour.
            for (int i = 0; i < 100_000; i++) {
                reactor.register(new TimedContext(pipe[0]));
                long id = reactor.timeout(Duration.ofHours(1), pipe[0]);
                reactor.timeout(Duration.ofHours(2), pipe[0]);
                reactor.deregister(pipe[0]);
                assertFalse(reactor.cancel(id), "already gone with its registration");
            }
            assertEquals(0, reactor.pendingTimers());
            assertEquals(200_000, reactor.stats().timersDropped());

            int[] doomed = Fds.pipe();
            reactor.register(new TimedContext(doomed[0]), Ownership.OWNED);
            reactor.timeout(Duration.ofHours(1), doomed[0]);
            reactor.close(doomed[0]);
            Fds.close(doomed[1]);
            assertEquals(0, reactor.pendingTimers(), "close(fd)");

            int[] failing = Fds.pipe();
            IOException expected = new IOException("expected");
            reactor.register(Context.of(failing[0], Interest.READ, (r, ev) -> { throw expected; }), Ownership.OWNED);
            reactor.timeout(Duration.ofHours(1), failing[0]);
            try (LogCapture log = LogCapture.start()) {
                Fds.close(failing[1]);             // HUP: the callback fails, the default onError closes it
                Loop.until(reactor, () -> reactor.context(failing[0]) == null);
                assertTrue(log.records.stream().anyMatch(r -> r.getMessage().endsWith("callback failed; closed")
                        && r.getThrown() == expected), "the default onError logged it: " + log.records);
            }
            assertEquals(0, reactor.pendingTimers(), "a failed callback");

            reactor.timeout(Duration.ofHours(1), (r, id) -> { });
            assertEquals(1, reactor.pendingTimers(), "handler timers belong to no registration");
        } finally {
            Io.closeAll(pipe[0], pipe[1]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldDropAnFdTimerWhoseRegistrationEndedFirst(IdleStrategy idle) throws Exception {
        int[] pipe = Fds.pipe();
        TimedContext ctx = new TimedContext(pipe[0]);
        CountDownLatch later = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(idle)) {
            reactor.register(ctx);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                loop.run(() -> {
                    reactor.timeout(Duration.ofMillis(2), pipe[0]);
                    reactor.deregister(pipe[0]);
                    reactor.timeout(Duration.ofMillis(20), (r, id) -> later.countDown());
                });
                await(later);
                assertEquals(1, loop.call(() -> reactor.stats().timersDropped()));
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
        assertEquals(0, ctx.timeouts.get(), "delivered after deregister");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldNotDeliverAnFdTimerToALaterRegistrationOfTheSameFdNumber(IdleStrategy idle) throws Exception {
        int[] first = Fds.pipe();
        TimedContext old = new TimedContext(first[0]);
        CountDownLatch later = new CountDownLatch(1);
        int[][] second = new int[1][];
        TimedContext[] reused = new TimedContext[1];
        try (Reactor reactor = Idle.open(idle)) {
            reactor.register(old);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                loop.run(() -> {
                    reactor.timeout(Duration.ofMillis(2), first[0]);
                    reactor.close(first[0]);                      // deregister and close: the number is free
                    second[0] = Fds.pipe();                       // the lowest free number comes back
                    assertEquals(first[0], second[0][0], "fd number not reused; the test needs it");
                    reused[0] = new TimedContext(second[0][0]);
                    reactor.register(reused[0]);
                    reactor.timeout(Duration.ofMillis(20), (r, id) -> later.countDown());
                });
                await(later);
                assertEquals(1, loop.call(() -> reactor.stats().timersDropped()));
            }
        } finally {
            Fds.close(first[1]);
            if (second[0] != null) {
                Fds.close(second[0][0]);
                Fds.close(second[0][1]);
            }
        }
        assertEquals(0, old.timeouts.get());
        assertEquals(0, reused[0].timeouts.get(), "an old registration's timer reached the new one");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    @Heavy
    void shouldFireAMillionPendingTimersInDeadlineOrder(IdleStrategy idle) throws Exception {
        int n = 1_000_000;
        int[] next = {0};                       // loop thread only
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger fired = new AtomicInteger();
        // A fresh reactor hands out slots 0, 1, 2...: the id's low half says which timer it is.
        TimeoutHandler check = (r, id) -> {
            if ((int) id != next[0]) outOfOrder.incrementAndGet();
            next[0] = (int) id + 1;
            fired.incrementAndGet();
        };
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            int pending = loop.call(() -> {
                for (int i = 0; i < n; i++) reactor.timeoutNanos(100_000_000L + i * 200L, check);  // 100..300 ms
                return reactor.pendingTimers();
            });
            assertEquals(n, pending);
            Loop.await(Duration.ofSeconds(30), () -> fired.get() == n);
            assertEquals(0, loop.call(reactor::pendingTimers));
        }
        assertEquals(0, outOfOrder.get(), "timers fired out of deadline order");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldTreatAnEnormousDelayAsNeverRatherThanOverflow(IdleStrategy idle) throws Exception {
        AtomicBoolean fired = new AtomicBoolean();
        CountDownLatch later = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            long[] ids = loop.call(() -> new long[] {
                    reactor.timeoutNanos(Long.MAX_VALUE, (r, id) -> fired.set(true)),
                    reactor.timeout(Duration.ofDays(365L * 1_000), (r, id) -> fired.set(true)),
                    reactor.timeout(Duration.ofMillis(10), (r, id) -> later.countDown())});
            await(later);
            assertFalse(fired.get(), "a timer centuries away fired");
            assertTrue(loop.call(() -> reactor.cancel(ids[0]) && reactor.cancel(ids[1])));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldRejectBadTimerArguments(IdleStrategy idle) throws Exception {
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            loop.run(() -> {
                assertEquals(Errno.ENOENT, assertThrows(ReactorException.class, () -> reactor.timeout(Duration.ofMillis(1), 12345)).errno());
                assertThrows(IllegalArgumentException.class, () -> reactor.timeoutNanos(-1, (r, id) -> { }));
                assertThrows(IllegalArgumentException.class, () -> reactor.timeout(Duration.ofMillis(-1), (r, id) -> { }));
                assertThrows(NullPointerException.class, () -> reactor.timeoutNanos(1, (TimeoutHandler) null));
            });
            // Loop-only: another thread gets an exception, and the heap is untouched.
            assertThrows(IllegalStateException.class, () -> reactor.timeoutNanos(1, (r, id) -> { }));
            assertThrows(IllegalStateException.class, () -> reactor.cancel(1));
            assertEquals(0, loop.call(reactor::pendingTimers));
        }
    }
}
