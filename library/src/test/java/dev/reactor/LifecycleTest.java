package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Idle;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.RunningLoop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** run/stop/close across threads: prompt wake-ups, released fds, and the races between them. */
@LinuxOnly("eventfd")
class LifecycleTest {

    /** Loads everything a reactor touches once, so fd counts below see only the reactor's own fds. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (Reactor reactor = Reactor.open(); RunningLoop loop = RunningLoop.start(reactor)) {
            loop.run(() -> { });
        }
        Fds.close(Fds.eventfd());
        FdSnapshot.take();
    }

    /** A callback that holds the loop until the test lets it go. */
    private static void awaitOnLoop(CountDownLatch release) {
        try {
            release.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(Loop.DEFAULT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "not within " + Loop.DEFAULT_DEADLINE);
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldReturnFromRunWithin50msOfStopFromAnotherThread(IdleStrategy idle) throws Exception {
        long[] tookNanos = new long[5];
        for (int i = 0; i < tookNanos.length; i++) {
            try (Reactor reactor = Idle.open(idle)) {
                RunningLoop loop = RunningLoop.start(reactor);
                // Something to wait for that is far away: without a wake-up, run() would sit here a minute.
                loop.run(() -> reactor.timeout(Duration.ofMinutes(1), (r, id) -> { }));
                if (idle.spinForNanos() != Long.MAX_VALUE) Loop.await(Loop.DEFAULT_DEADLINE, reactor::blockedInKernel);
                long start = System.nanoTime();
                reactor.stop();
                loop.awaitReturn(Loop.DEFAULT_DEADLINE);
                tookNanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(tookNanos);
        // The median of five, so that one descheduling on a shared machine does not decide it.
        assertTrue(tookNanos[2] < 50_000_000, "run() returned " + tookNanos[2] / 1_000 + " µs after stop() (median)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldReleaseEveryFdOfTheReactorWhenClosedFromAnotherThread(IdleStrategy idle) throws Exception {
        FdSnapshot before = FdSnapshot.take();
        int[] pipe = Fds.pipe();
        FdSnapshot withPipe = FdSnapshot.take();
        try {
            Reactor reactor = Idle.open(idle);
            reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> { }));
            RunningLoop loop = RunningLoop.start(reactor);
            loop.run(() -> reactor.timeout(Duration.ofMinutes(1), (r, id) -> { }));
            reactor.close();                               // returns once the loop has exited and released
            withPipe.assertNoneOpened("the reactor's own fds are closed");
            assertTrue(Fds.isOpen(pipe[0]), "close() closed a user fd");
            assertTrue(reactor.isClosed());
            loop.awaitReturn(Loop.DEFAULT_DEADLINE);
            reactor.close();                               // idempotent
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
        before.assertNoneOpened("fds leaked");
    }

    @Test
    void shouldWaitForTheCallbackInProgressWhenClosedFromAnotherThread() throws Exception {
        FdSnapshot before = FdSnapshot.take();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean callbackDone = new AtomicBoolean();
        AtomicBoolean doneWhenCloseReturned = new AtomicBoolean();
        Reactor reactor = Reactor.open();
        RunningLoop loop = RunningLoop.start(reactor);
        FdSnapshot open = FdSnapshot.take();
        assertTrue(reactor.execute(() -> {
            entered.countDown();
            awaitOnLoop(release);
            // Cleanup in a callback while a close is pending must not throw.
            assertNull(reactor.deregister(12345));
            assertFalse(reactor.cancel(1));
            callbackDone.set(true);
        }));
        await(entered);
        Thread closer = start("closer", () -> {
            reactor.close();
            doneWhenCloseReturned.set(callbackDone.get());
        });
        Loop.await(Loop.DEFAULT_DEADLINE, () -> closer.getState() == Thread.State.WAITING);
        assertEquals(List.of(), FdSnapshot.of("anon_inode:", open.closed()), "released while a callback was still running");
        assertThrows(IllegalStateException.class, () -> reactor.send(1, "x"), "close() was requested");
        release.countDown();
        closer.join(Loop.DEFAULT_DEADLINE.toMillis());
        assertFalse(closer.isAlive());
        assertTrue(doneWhenCloseReturned.get(), "close() returned before the callback finished");
        loop.awaitReturn(Loop.DEFAULT_DEADLINE);
        before.assertNoneOpened("fds leaked");
    }

    @Test
    void shouldWaitForTheCallbackEvenWhenTheClosingThreadIsInterrupted() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean callbackDone = new AtomicBoolean();
        AtomicBoolean doneWhenCloseReturned = new AtomicBoolean();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Reactor reactor = Reactor.open();
        RunningLoop loop = RunningLoop.start(reactor);
        assertTrue(reactor.execute(() -> {
            entered.countDown();
            awaitOnLoop(release);
            callbackDone.set(true);
        }));
        await(entered);
        Thread closer = start("interrupted-closer", () -> {
            Thread.currentThread().interrupt();   // interrupted before it even starts waiting
            reactor.close();
            doneWhenCloseReturned.set(callbackDone.get());
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        Loop.await(Loop.DEFAULT_DEADLINE, () -> closer.getState() == Thread.State.WAITING || !closer.isAlive());
        closer.interrupt();                       // and once more while it waits
        release.countDown();
        closer.join(Loop.DEFAULT_DEADLINE.toMillis());
        assertFalse(closer.isAlive());
        assertTrue(doneWhenCloseReturned.get(), "close() returned while the callback was still running");
        assertTrue(interruptKept.get(), "the interrupt flag is set again on return");
        loop.awaitReturn(Loop.DEFAULT_DEADLINE);
        assertTrue(reactor.isClosed());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldKeepAStopRequestedBeforeRunStarts(IdleStrategy idle) throws Exception {
        try (Reactor reactor = Idle.open(idle)) {
            reactor.stop();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread runner = start("early-stop", () -> {
                try {
                    reactor.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            runner.join(Loop.DEFAULT_DEADLINE.toMillis());
            assertFalse(runner.isAlive(), "a stop() that came before run() was lost");
            assertNull(failure.get());
            // That stop was used up: the next run() runs until the next stop().
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                assertFalse(loop.hasReturned());
                assertEquals(42, loop.call(() -> 42));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldRefuseASecondRunWhileOneIsRunning(IdleStrategy idle) throws Exception {
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, reactor::run);
            assertTrue(e.getMessage().contains("already running"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> reactor.runOnce(Duration.ZERO));
            // ...and from inside a callback, run() and runOnce() are refused the same way.
            loop.run(() -> {
                assertThrows(IllegalStateException.class, reactor::run);
                assertThrows(IllegalStateException.class, () -> reactor.runOnce(Duration.ZERO));
            });
            assertFalse(loop.hasReturned());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldFinishTheIterationThenReleaseWhenClosedFromACallback(IdleStrategy idle) throws Exception {
        int[] a = Fds.pipe();
        int[] b = Fds.pipe();
        FdSnapshot withPipes = FdSnapshot.take();
        AtomicInteger events = new AtomicInteger();
        AtomicInteger cleanedUp = new AtomicInteger();
        AtomicInteger timersAndTasks = new AtomicInteger();
        try {
            Reactor reactor = Idle.open(idle);
            // Each closes the reactor, then tidies up its own registration: that must still work.
            EventHandler closeThenCleanUp = (r, ev) -> {
                events.incrementAndGet();
                r.close();
                assertTrue(r.isClosed());
                for (int fd : new int[] {a[0], b[0]}) {
                    if (r.context(fd) != null && r.deregister(fd) != null) cleanedUp.incrementAndGet();
                }
                assertThrows(IllegalStateException.class, () -> r.timeout(Duration.ZERO, (r2, id) -> { }));
            };
            reactor.register(Context.of(a[0], Interest.READ, closeThenCleanUp));
            reactor.register(Context.of(b[0], Interest.READ, closeThenCleanUp));
            reactor.timeout(Duration.ZERO, (r, id) -> timersAndTasks.incrementAndGet());
            assertTrue(reactor.execute(timersAndTasks::incrementAndGet));
            // Both pipes ready before the first wait: one batch holds both events.
            Fds.write(a[1], ByteBuffer.wrap(new byte[] {1}));
            Fds.write(b[1], ByteBuffer.wrap(new byte[] {1}));
            RunningLoop loop = RunningLoop.startWithoutWaiting(reactor);
            loop.awaitReturn(Loop.DEFAULT_DEADLINE);          // run() returns normally
            assertEquals(1, events.get(), "the second event's fd was deregistered by the first callback");
            assertEquals(2, cleanedUp.get());
            assertEquals(2, timersAndTasks.get(), "the closing iteration runs its due timer and queued task");
            assertTrue(reactor.isClosed());
            withPipes.assertNoneOpened("the reactor's fds are released");
            for (int fd : new int[] {a[0], a[1], b[0], b[1]}) assertTrue(Fds.isOpen(fd), "the pipes stay");
        } finally {
            for (int fd : new int[] {a[0], a[1], b[0], b[1]}) Fds.close(fd);
        }
    }

    @Test
    void shouldNeverWriteToAReusedFdNumberWhenSendRacesClose() throws Exception {
        for (int round = 0; round < 30; round++) {
            Reactor reactor = Reactor.open();
            int[] pipe = Fds.pipe();
            int fd = pipe[0];
            reactor.register(Context.of(fd, Interest.READ, (r, ev) -> { }));
            RunningLoop loop = RunningLoop.start(reactor);
            AtomicInteger sent = new AtomicInteger();
            AtomicBoolean go = new AtomicBoolean(true);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                producers.add(start("producer-" + p, () -> {
                    try {
                        while (go.get()) {
                            if (reactor.send(fd, "x")) sent.incrementAndGet();
                        }
                    } catch (IllegalStateException closed) {
                        // the reactor is closed: this producer is done
                    }
                }));
            }
            Loop.await(Loop.DEFAULT_DEADLINE, () -> sent.get() > 100);
            reactor.close();
            // The numbers of the reactor's epoll fd and eventfd are free now: take them.
            int[] traps = new int[4];
            for (int i = 0; i < traps.length; i++) traps[i] = Fds.eventfd();
            go.set(false);
            for (Thread t : producers) t.join(Loop.DEFAULT_DEADLINE.toMillis());
            loop.awaitReturn(Loop.DEFAULT_DEADLINE);
            for (int trap : traps) {
                assertEquals(0, Fds.eventfdRead(trap), "round " + round + ": a wakeup was written to fd " + trap
                        + ", a number the closed reactor no longer owned");
                Fds.close(trap);
            }
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }
}
