package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Idle;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.RunningLoop;
import dev.reactor.testing.SignalStorm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * EINTR made by real signals (issue 9): a SIGURG handler installed without SA_RESTART, and
 * thousands of SIGURGs a second tgkill'ed at the loop thread ({@link SignalStorm}) while it
 * blocks (epoll_pwait2, or epoll_wait with the timerfd in the no-pwait2 suite) and while it
 * spins. Timers fire exactly once and never before their deadline; no byte, message or task is
 * lost, repeated or reordered; the storm was real (the handler ran thousands of times, and a
 * blocking loop's waits returned EINTR); no fd is left open. InterruptingLibC fakes EINTR to
 * check the arithmetic of the time left; this is the real thing. Nothing here is timed beyond
 * "never early".
 */
@LinuxOnly("tgkill and native/libsigstorm.so")
class SignalStormTest {
    private static final int SIGNALS_PER_SECOND = 20_000;
    /** "Thousands": a storm the handler ran for fewer times than this was not one. */
    private static final long MIN_HANDLED = 1_000;
    private static final Duration DEADLINE = Loop.DEFAULT_DEADLINE;

    @BeforeAll
    static void install() throws Exception {
        SignalStorm.install();
        // First uses that open fds for good (the backend, the logging), out of the snapshots.
        try (Reactor warm = Reactor.open()) {
            warm.runOnce(Duration.ZERO);
        }
        FdSnapshot.take();
    }

    @AfterAll
    static void uninstall() {
        SignalStorm.uninstall();
    }

    /**
     * The work done under the storm, on the test thread, with the loop running on its own. It
     * goes on until the storm has been handled {@link #MIN_HANDLED} times (a busy machine
     * deschedules the loop thread, and a pending signal absorbs the next), so that everything it
     * checks happened under a real storm.
     */
    @FunctionalInterface
    private interface Work {
        void run(Reactor reactor, RunningLoop loop, SignalStorm storm) throws Exception;
    }

    /** What the storm did to the loop. */
    private record Storm(SignalStorm.Result signals, long waitsInterrupted) {
        @Override public String toString() {
            return signals + ", " + waitsInterrupted + " waits interrupted";
        }
    }

    /**
     * Opens a reactor with idle, runs it on a thread of its own, storms that thread while work
     * runs, stops the storm (before the loop thread ends: its tid could be reused), closes the
     * reactor and checks that no fd was left open and that the storm was one.
     */
    private static Storm underStorm(IdleStrategy idle, Work work) throws Exception {
        FdSnapshot fds = FdSnapshot.take();
        Storm storm;
        try (Reactor reactor = Idle.open(idle)) {
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                int tid = loop.call(SignalStorm::tid);
                SignalStorm.Result signals;
                try (SignalStorm s = SignalStorm.at(tid, SIGNALS_PER_SECOND)) {
                    work.run(reactor, loop, s);
                    signals = s.stop();
                }
                storm = new Storm(signals, loop.call(() -> reactor.stats().waitsInterrupted()));
            }
        }
        fds.assertNoneOpened("fds left open after the storm (" + idle + ")");
        System.out.println("SignalStormTest " + idle + " " + Loop.backend() + ": " + storm);
        assertTrue(storm.signals.handled() >= MIN_HANDLED, "not a storm: " + storm);
        if (idle.spinForNanos() == 0) {
            // A blocked wait that a signal cuts short returns EINTR; a spinning poll (timeout 0) never sleeps, so never does.
            assertTrue(storm.waitsInterrupted > 0, "a blocking loop under " + storm + " saw no EINTR");
        }
        return storm;
    }

    /**
     * Waits until condition holds, looking every millisecond: Loop.await's spinning would take a
     * core from the loop, and a loop thread that is not running cannot take signals (a pending
     * SIGURG absorbs the next). Fails at once, with what run() threw, if the loop has ended.
     */
    private static void await(RunningLoop loop, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (loop.hasReturned()) loop.awaitReturn(Duration.ZERO);
            if (System.nanoTime() - end > 0) throw new AssertionError("condition not met within " + DEADLINE);
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Offers until accepted (a full queue or pipe), pausing between tries; gives up if the loop has ended. */
    private static void offer(RunningLoop loop, BooleanSupplier offer) {
        while (!offer.getAsBoolean()) {
            if (loop.hasReturned()) throw new IllegalStateException("the loop has ended");
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }

    // ---- timers -----------------------------------------------------------------------------

    /** Timers scheduled at once, with delays spread over 0..SPREAD (and odd nanoseconds). */
    private static final int AT_ONCE = 300;
    private static final long SPREAD_NANOS = 300_000_000;
    /**
     * Timers scheduled one from the last one's callback, 0.2..3 ms apart, so that scheduling goes
     * on during the storm: at least this many, and more until the storm is a real one.
     */
    private static final int CHAINED = 100;

    /** Every timer's deadline (nanoTime just before scheduling + its delay) and how often it fired, by id. */
    private static final class TimerLog {
        final Map<Long, Long> deadlines = new ConcurrentHashMap<>();
        final Map<Long, AtomicInteger> firings = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
        final AtomicInteger fired = new AtomicInteger();

        void scheduled(long id, long deadlineNanos) {
            assertNull(deadlines.put(id, deadlineNanos), "timer id " + id + " given twice");
        }

        void fired(long id) {
            long now = System.nanoTime();
            Long deadline = deadlines.get(id);
            if (deadline != null && now - deadline < 0) early.add("timer " + id + " fired " + (deadline - now) + " ns early");
            firings.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            fired.incrementAndGet();
        }
    }

    /** The fd timers' Context: a pipe's read end that nothing is written to. */
    private static final class TimerTarget implements Context {
        final int fd;
        final TimerLog log;

        TimerTarget(int fd, TimerLog log) {
            this.fd = fd;
            this.log = log;
        }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor reactor, int events) { }
        @Override public void onTimeout(Reactor reactor, long timerId) { log.fired(timerId); }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void timersShouldFireOnceAndNeverEarlyUnderASignalStorm(IdleStrategy idle) throws Exception {
        TimerLog log = new TimerLog();
        int[] pipe = Fds.pipe();
        try {
            underStorm(idle, (reactor, loop, storm) -> {
                TimeoutHandler handler = (r, id) -> log.fired(id);
                AtomicInteger chained = new AtomicInteger();
                AtomicInteger chainEnded = new AtomicInteger();
                long giveUp = System.nanoTime() + DEADLINE.toNanos() / 2;     // underStorm then finds no storm
                TimeoutHandler chain = new TimeoutHandler() {
                    @Override public void onTimeout(Reactor r, long id) {
                        log.fired(id);
                        int links = chained.incrementAndGet();
                        boolean more = links < CHAINED || storm.handledSoFar() < MIN_HANDLED;
                        if (more && System.nanoTime() - giveUp < 0) {
                            long delayNanos = 200_000 + Math.floorMod(id * 7919, 2_800_000L);
                            long before = System.nanoTime();
                            log.scheduled(r.timeout(Duration.ofNanos(delayNanos), this), before + delayNanos);
                        } else {
                            chainEnded.set(links);
                        }
                    }
                };
                loop.run(() -> {
                    reactor.register(new TimerTarget(pipe[0], log));
                    for (int i = 0; i < AT_ONCE; i++) {
                        long delayNanos = (i * 1_337_777L) % SPREAD_NANOS + i;
                        long before = System.nanoTime();
                        long id = i % 2 == 0
                                ? reactor.timeout(Duration.ofNanos(delayNanos), pipe[0])
                                : reactor.timeout(Duration.ofNanos(delayNanos), handler);
                        log.scheduled(id, before + delayNanos);
                    }
                    long before = System.nanoTime();
                    log.scheduled(reactor.timeout(Duration.ofNanos(200_000), chain), before + 200_000);
                });
                await(loop, () -> chainEnded.get() > 0 && log.fired.get() >= AT_ONCE + chainEnded.get());
                int scheduled = AT_ONCE + chainEnded.get();
                // One more turn of the loop: a timer that fires twice has had its chance.
                int pending = loop.call(reactor::pendingTimers);
                long fired = loop.call(() -> reactor.stats().timersFired());

                assertEquals(List.of(), new ArrayList<>(log.early), "timers fired before their deadline");
                assertEquals(scheduled, log.deadlines.size(), "timers scheduled");
                assertEquals(log.deadlines.keySet(), log.firings.keySet(), "timers that fired, by id");
                log.firings.forEach((id, n) -> assertEquals(1, n.get(), "timer " + id + " fired " + n + " times"));
                assertEquals(scheduled, fired, "stats().timersFired()");
                assertEquals(0, pending, "timers still pending");
            });
        } finally {
            Fds.closeQuietly(pipe[0]);
            Fds.closeQuietly(pipe[1]);
        }
    }

    // ---- bytes, messages, tasks ---------------------------------------------------------------

    /**
     * Rounds of the producer (INTS_PER_ROUND ints into the pipe, 1 onto the eventfd, one send, one
     * execute, a pause): at least this many, and more until the storm is a real one.
     */
    private static final int ROUNDS = 1_000;
    private static final int INTS_PER_ROUND = 64;
    /** Between rounds, so that a blocking loop blocks (and is interrupted there), then is woken. */
    private static final long PAUSE_NANOS = 100_000;

    /**
     * The pipe's read end: checks that the ints 0, 1, 2, ... arrive each once and in order (a
     * read may end inside one), and that the messages sent to it are the round numbers in order.
     */
    private static final class Receiver implements Context {
        final int fd;
        final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        final AtomicLong ints = new AtomicLong();
        final AtomicInteger messages = new AtomicInteger();
        final AtomicReference<String> wrong = new AtomicReference<>();
        private int partial;
        private int partialBytes;

        Receiver(int fd) { this.fd = fd; }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor reactor, int events) throws Exception {
            int n;
            while ((n = Fds.read(fd, buf.clear())) > 0) {
                for (int i = 0; i < n; i++) {
                    partial = partial << 8 | (buf.get(i) & 0xFF);
                    if (++partialBytes < 4) continue;
                    long expected = ints.get();
                    if (partial != expected) wrong.compareAndSet(null, "int " + expected + " read as " + partial);
                    ints.incrementAndGet();
                    partial = 0;
                    partialBytes = 0;
                }
            }
        }

        @Override
        public void onNotify(Reactor reactor, Object message) {
            int expected = messages.getAndIncrement();
            if (!Integer.valueOf(expected).equals(message)) wrong.compareAndSet(null, "message " + expected + " came as " + message);
        }
    }

    /** The eventfd: sums what it reads. */
    private static final class Counter implements Context {
        final int fd;
        final AtomicLong sum = new AtomicLong();

        Counter(int fd) { this.fd = fd; }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor reactor, int events) throws Exception { sum.addAndGet(Fds.eventfdRead(fd)); }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldLoseNoByteMessageOrTaskUnderASignalStorm(IdleStrategy idle) throws Exception {
        int[] pipe = Fds.pipe();
        int eventfd = Fds.eventfd();
        Receiver receiver = new Receiver(pipe[0]);
        Counter counter = new Counter(eventfd);
        AtomicInteger tasks = new AtomicInteger();
        AtomicReference<String> wrongTask = new AtomicReference<>();
        AtomicReference<Throwable> producerFailed = new AtomicReference<>();
        AtomicInteger rounds = new AtomicInteger();
        try {
            underStorm(idle, (reactor, loop, storm) -> {
                loop.run(() -> {
                    reactor.register(receiver, Ownership.OWNED);
                    reactor.register(counter, Ownership.OWNED);
                });
                Thread producer = new Thread(() -> {
                    try {
                        ByteBuffer ints = ByteBuffer.allocateDirect(INTS_PER_ROUND * 4);
                        long giveUp = System.nanoTime() + DEADLINE.toNanos() / 2;
                        for (int round = 0; round < ROUNDS || storm.handledSoFar() < MIN_HANDLED; round++) {
                            if (System.nanoTime() - giveUp > 0) break;      // underStorm then finds no storm
                            ints.clear();
                            for (int i = 0; i < INTS_PER_ROUND; i++) ints.putInt(round * INTS_PER_ROUND + i);
                            ints.flip();
                            offer(loop, () -> {
                                try {
                                    Fds.write(pipe[1], ints);
                                } catch (ReactorException e) {
                                    throw new IllegalStateException(e);
                                }
                                return !ints.hasRemaining();
                            });
                            Fds.eventfdWrite(eventfd, 1);
                            Integer message = round;
                            offer(loop, () -> reactor.send(pipe[0], message));
                            int expected = round;
                            Task task = () -> {
                                int ran = tasks.getAndIncrement();
                                if (ran != expected) wrongTask.compareAndSet(null, "task " + expected + " ran as number " + ran);
                            };
                            offer(loop, () -> reactor.execute(task));
                            rounds.incrementAndGet();
                            LockSupport.parkNanos(PAUSE_NANOS);
                        }
                    } catch (Throwable e) {
                        producerFailed.set(e);
                    }
                }, "storm-producer");
                producer.start();
                await(loop, () -> !producer.isAlive());
                producer.join();
                assertNull(producerFailed.get(), () -> "the producer failed: " + producerFailed.get());
                int produced = rounds.get();
                long totalInts = (long) produced * INTS_PER_ROUND;
                await(loop, () -> receiver.ints.get() >= totalInts && counter.sum.get() >= produced
                        && receiver.messages.get() >= produced && tasks.get() >= produced);
                loop.run(() -> { });        // one more turn: anything delivered twice has had its chance

                assertNull(receiver.wrong.get(), "the pipe's bytes or the messages");
                assertNull(wrongTask.get(), "the tasks");
                assertEquals(totalInts, receiver.ints.get(), "ints read from the pipe");
                assertEquals(produced, counter.sum.get(), "the eventfd's counter, summed");
                assertEquals(produced, receiver.messages.get(), "messages delivered");
                assertEquals(produced, tasks.get(), "tasks run");
            });
        } finally {
            Fds.closeQuietly(pipe[1]);      // the read end and the eventfd were the reactor's (owned)
        }
    }
}
