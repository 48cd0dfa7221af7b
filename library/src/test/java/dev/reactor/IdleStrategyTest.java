package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Loop;
import dev.reactor.testing.RunningLoop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** block, spin, spinThenBlock, and choosing one with -Ddev.reactor.idle. */
class IdleStrategyTest {

    @Test
    void shouldParseEveryFormOfTheIdleProperty() {
        assertSame(IdleStrategy.block(), IdleStrategy.parse("block"));
        assertSame(IdleStrategy.spin(), IdleStrategy.parse(" SPIN "));
        assertEquals(100_000, IdleStrategy.parse("spinThenBlock:100us").spinForNanos());
        assertEquals(250, IdleStrategy.parse("spinthenblock:250ns").spinForNanos());
        assertEquals(2_000_000, IdleStrategy.parse("spinThenBlock:2ms").spinForNanos());
        assertEquals(1_000_000_000, IdleStrategy.parse("spinThenBlock:1s").spinForNanos());
        assertEquals(0, IdleStrategy.parse("spinThenBlock:0us").spinForNanos());
    }

    @Test
    void shouldRejectMalformedIdleStrategiesWithTheExpectedSyntax() {
        for (String bad : new String[] {"", "fast", "spinThenBlock", "spinThenBlock:", "spinThenBlock:100",
                "spinThenBlock:-1us", "spinThenBlock:1h", "spinThenBlock:99999999999999999s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdleStrategy.parse(bad), bad);
            assertTrue(e.getMessage().contains("spinThenBlock:<n>"), e.getMessage());
        }
    }

    @Test
    void shouldTakeTheDefaultStrategyFromTheSystemProperty() {
        String saved = System.getProperty(ReactorConfig.IDLE_PROPERTY);
        try {
            System.setProperty(ReactorConfig.IDLE_PROPERTY, "spinThenBlock:50us");
            assertEquals(50_000, ReactorConfig.defaults().idleStrategy().spinForNanos());
            assertSame(IdleStrategy.block(),
                    ReactorConfig.builder().idleStrategy(IdleStrategy.block()).build().idleStrategy(), "the builder wins");
            System.clearProperty(ReactorConfig.IDLE_PROPERTY);
            assertSame(IdleStrategy.block(), ReactorConfig.defaults().idleStrategy(), "block when unset");
            System.setProperty(ReactorConfig.IDLE_PROPERTY, "sometimes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ReactorConfig::builder);
            assertTrue(e.getMessage().startsWith("-Ddev.reactor.idle: idle strategy 'sometimes'"), e.getMessage());
        } finally {
            if (saved == null) System.clearProperty(ReactorConfig.IDLE_PROPERTY);
            else System.setProperty(ReactorConfig.IDLE_PROPERTY, saved);
        }
    }

    @Test
    void shouldNeitherBlockNorWriteAWakeupWhileSpinning() throws Exception {
        int[] pipe = Fds.pipe();
        AtomicInteger received = new AtomicInteger();
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().idleStrategy(IdleStrategy.spin()).build())) {
            reactor.register(new SendTest.Receiver(pipe[0], (r, m) -> received.incrementAndGet()));
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                for (int i = 0; i < 10_000; i++) {
                    assertFalse(reactor.blockedInKernel(), "a spinning loop blocked");
                    while (!reactor.send(pipe[0], i)) Thread.onSpinWait();
                }
                Loop.await(Loop.DEFAULT_DEADLINE, () -> received.get() == 10_000);
                // With no work at all it keeps polling (epoll_wait with timeout 0) instead of sleeping.
                long iterations = loop.call(() -> reactor.stats().iterations());
                Loop.await(Loop.DEFAULT_DEADLINE, () -> reactor.stats().iterations() > iterations + 1_000);
            }
            assertEquals(0, reactor.stats().wakeupsWritten(), "sends, execute and stop() to a spinning loop");
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void shouldBlockOnceTheSpinWindowHasPassedAndBeWokenBySend() throws Exception {
        int[] pipe = Fds.pipe();
        AtomicInteger received = new AtomicInteger();
        IdleStrategy idle = IdleStrategy.spinThenBlock(Duration.ofMillis(1));
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().idleStrategy(idle).build())) {
            reactor.register(new SendTest.Receiver(pipe[0], (r, m) -> received.incrementAndGet()));
            try (RunningLoop loop = RunningLoop.start(reactor)) {
                for (int round = 1; round <= 3; round++) {
                    Loop.await(Loop.DEFAULT_DEADLINE, reactor::blockedInKernel);     // the window has passed
                    long wakeups = reactor.stats().wakeupsWritten();
                    assertTrue(reactor.send(pipe[0], round));
                    int expected = round;
                    Loop.await(Loop.DEFAULT_DEADLINE, () -> received.get() == expected);
                    assertEquals(wakeups + 1, reactor.stats().wakeupsWritten());
                }
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void shouldRunOnceForItsTimeoutWhateverTheStrategy() throws Exception {
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().idleStrategy(IdleStrategy.spin()).build())) {
            long start = System.nanoTime();
            assertEquals(0, reactor.runOnce(Duration.ofMillis(5)));
            assertTrue(System.nanoTime() - start >= 5_000_000, "runOnce(5 ms) returned early under spin");
        }
    }
}
