package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Idle;
import dev.reactor.testing.Loop;
import dev.reactor.testing.RunningLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** send and execute from other threads, with run() on its own thread. */
class SendTest {
    /** What a Receiver does with each message, on the loop thread. */
    @FunctionalInterface
    interface OnNotify {
        void accept(Reactor reactor, Object message) throws Exception;
    }

    /** A Context on a pipe's read end (never readable here) that receives messages. */
    static final class Receiver implements Context {
        final int fd;
        final OnNotify onNotify;
        final AtomicInteger received = new AtomicInteger();

        Receiver(int fd, OnNotify onNotify) {
            this.fd = fd;
            this.onNotify = onNotify;
        }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor reactor, int events) { }
        @Override public void onNotify(Reactor reactor, Object message) throws Exception {
            received.incrementAndGet();
            onNotify.accept(reactor, message);
        }
    }

    private final List<Integer> fdsToClose = new ArrayList<>();

    private int[] pipe() throws Exception {
        int[] p = Fds.pipe();
        fdsToClose.add(p[0]);
        fdsToClose.add(p[1]);
        return p;
    }

    @BeforeEach
    @AfterEach
    void closeFds() {
        for (int fd : fdsToClose) Fds.closeQuietly(fd);
        fdsToClose.clear();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertTrue(latch.await(Loop.DEFAULT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "not within " + Loop.DEFAULT_DEADLINE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldDeliverEveryMessageOnceInPerProducerOrder(IdleStrategy idle) throws Exception {
        int producers = 4;
        int perProducer = 250_000;
        int[] next = new int[producers];                  // loop thread only
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        AtomicLong retries = new AtomicLong();
        int fd = pipe()[0];
        // A small queue, so producers do find it full and must retry.
        try (Reactor reactor = Idle.open(idle, b -> b.queueCapacity(8192))) {
            reactor.register(new Receiver(fd, (r, message) -> {
                long m = (Long) message;
                int producer = (int) (m >>> 32), seq = (int) m;
                if (seq != next[producer]) outOfOrder.incrementAndGet();
                next[producer] = seq + 1;
                delivered.incrementAndGet();
            }));
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    long producer = p;
                    threads.add(new Thread(() -> {
                        long spins = 0;
                        for (int seq = 0; seq < perProducer; seq++) {
                            Long message = producer << 32 | seq;
                            while (!reactor.send(fd, message)) {   // full: never blocks, so the producer retries
                                spins++;
                                Thread.onSpinWait();
                            }
                        }
                        retries.addAndGet(spins);
                    }, "producer-" + p));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) t.join(60_000);
                Loop.await(Duration.ofSeconds(60), () -> delivered.get() == producers * perProducer);
                assertEquals(0, outOfOrder.get(), "messages out of per-producer order");
                assertArrayEquals(new int[] {perProducer, perProducer, perProducer, perProducer}, loop.call(next::clone));
                ReactorStats stats = reactor.stats();
                assertEquals(0, loop.call(stats::messagesDropped));
                System.out.printf("send %s (%s): %d messages, %d retries on a full queue, %d wakeups, %d iterations%n",
                        idle, reactor.backend(), producers * perProducer, retries.get(), stats.wakeupsWritten(), stats.iterations());
                if (idle.spinForNanos() == Long.MAX_VALUE) {
                    assertEquals(0, stats.wakeupsWritten(), "a spinning loop never needs an eventfd write");
                }
            }
        }
    }

    @Test
    void shouldWriteOneWakeupForABurstOfSendsToABlockedLoop() throws Exception {
        int fd = pipe()[0];
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(IdleStrategy.block())) {
            Receiver receiver = new Receiver(fd, (r, message) -> {
                if (message.equals("first")) {
                    entered.countDown();
                    release.await();
                }
            });
            reactor.register(receiver);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                Loop.await(Loop.DEFAULT_DEADLINE, reactor::blockedInKernel);
                long before = reactor.stats().wakeupsWritten();
                assertTrue(reactor.send(fd, "first"));
                await(entered);                             // the loop is awake, inside onNotify
                for (int i = 0; i < 999; i++) assertTrue(reactor.send(fd, i));
                release.countDown();
                Loop.await(Loop.DEFAULT_DEADLINE, () -> receiver.received.get() == 1000);
                assertEquals(1, reactor.stats().wakeupsWritten() - before, "a burst of 1000 sends to a blocked loop");
            }
        }
    }

    @Test
    void shouldWriteNoWakeupForSendsWhileTheLoopIsAwake() throws Exception {
        int fd = pipe()[0];
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(IdleStrategy.block())) {
            Receiver receiver = new Receiver(fd, (r, message) -> { });
            reactor.register(receiver);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                assertTrue(reactor.execute(() -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
                await(entered);
                long before = reactor.stats().wakeupsWritten();
                for (int i = 0; i < 1000; i++) assertTrue(reactor.send(fd, i));
                long during = reactor.stats().wakeupsWritten();
                release.countDown();
                Loop.await(Loop.DEFAULT_DEADLINE, () -> receiver.received.get() == 1000);
                assertEquals(before, during, "sends to a loop busy in a callback wrote to the eventfd");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldDropAMessageWhoseFdWasClosedAndReusedBeforeDelivery(IdleStrategy idle) throws Exception {
        int[] first = Fds.pipe();
        fdsToClose.add(first[1]);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Receiver> reused = new AtomicReference<>();
        AtomicReference<Object> wronglyDelivered = new AtomicReference<>();
        try (Reactor reactor = Idle.open(idle)) {
            // On "hold": wait until the test has sent, then close this fd and register a new pipe on its number.
            Receiver old = new Receiver(first[0], (r, message) -> {
                if (message.equals("hold")) {
                    entered.countDown();
                    release.await();
                    r.close(first[0]);
                    int[] second = pipe();
                    assertEquals(first[0], second[0], "fd number not reused; the test needs it");
                    Receiver fresh = new Receiver(second[0], (r2, m2) -> wronglyDelivered.set(m2));
                    r.register(fresh);
                    reused.set(fresh);
                } else {
                    wronglyDelivered.set(message);
                }
            });
            reactor.register(old);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                long droppedBefore = loop.call(() -> reactor.stats().messagesDropped());
                assertTrue(reactor.send(first[0], "hold"));
                await(entered);
                assertTrue(reactor.send(first[0], "for the old registration"));   // queued behind "hold"
                release.countDown();
                Loop.await(Loop.DEFAULT_DEADLINE, () -> reactor.stats().messagesDropped() == droppedBefore + 1);
                loop.run(() -> { });                        // one more pass: anything misdelivered has arrived
                assertNotNull(reused.get());
                assertNull(wronglyDelivered.get(), "delivered to the wrong registration");
                assertEquals(1, old.received.get());
                assertEquals(0, reused.get().received.get());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldRefuseAMessageForAnFdNotRegisteredAtTheCall(IdleStrategy idle) throws Exception {
        int[] p = pipe();
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            assertFalse(reactor.send(p[0], "nobody"), "never registered: refused, not queued");
            assertFalse(reactor.send(1_000_000, "beyond the table"));
            // Registering the fd afterwards does not resurrect a message refused before.
            Receiver late = new Receiver(p[0], (r, m) -> { });
            loop.run(() -> reactor.register(late));
            loop.run(() -> { });
            assertEquals(0, late.received.get());
            assertEquals(0, loop.call(() -> reactor.stats().messagesDropped()), "refused at the call: nothing to drop");
            loop.run(() -> reactor.deregister(p[0]));
            assertFalse(reactor.send(p[0], "after its end"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldRunExecutedTasksOnTheLoopThreadInOrder(IdleStrategy idle) throws Exception {
        int n = 10_000;
        int[] next = {0};
        AtomicInteger wrongThread = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        try (Reactor reactor = Idle.open(idle); RunningLoop loop = RunningLoop.start(reactor)) {
            for (int i = 0; i < n; i++) {
                int k = i;
                Task task = () -> {
                    if (Thread.currentThread() != loop.thread()) wrongThread.incrementAndGet();
                    if (next[0]++ != k) outOfOrder.incrementAndGet();
                    ran.incrementAndGet();
                };
                while (!reactor.execute(task)) Thread.onSpinWait();
            }
            Loop.await(Loop.DEFAULT_DEADLINE, () -> ran.get() == n);
        }
        assertEquals(0, wrongThread.get());
        assertEquals(0, outOfOrder.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldReturnFalseWhenTheQueueIsFullInsteadOfBlocking(IdleStrategy idle) throws Exception {
        int fd = pipe()[0];
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Reactor reactor = Idle.open(idle, b -> b.queueCapacity(64))) {
            Receiver receiver = new Receiver(fd, (r, m) -> {
                if (m.equals("hold")) {
                    entered.countDown();
                    release.await();
                }
            });
            reactor.register(receiver);
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                assertTrue(reactor.send(fd, "hold"));
                await(entered);                             // the loop cannot drain now
                for (int i = 0; i < 64; i++) assertTrue(reactor.send(fd, i), "send " + i + " of 64");
                assertFalse(reactor.send(fd, "65th"));
                assertFalse(reactor.execute(() -> { }));
                release.countDown();
                Loop.await(Loop.DEFAULT_DEADLINE, () -> receiver.received.get() == 65);
                assertTrue(reactor.send(fd, "room again"));
                Loop.await(Loop.DEFAULT_DEADLINE, () -> receiver.received.get() == 66);
            }
        }
    }

    @Test
    void shouldRejectBadSendArguments() throws Exception {
        Reactor reactor = Reactor.open();
        assertThrows(IllegalArgumentException.class, () -> reactor.send(-1, "x"));
        assertThrows(NullPointerException.class, () -> reactor.send(3, null));
        assertThrows(NullPointerException.class, () -> reactor.execute(null));
        reactor.close();
        assertThrows(IllegalStateException.class, () -> reactor.send(3, "after close"));
        assertThrows(IllegalStateException.class, () -> reactor.execute(() -> { }));
    }
}
