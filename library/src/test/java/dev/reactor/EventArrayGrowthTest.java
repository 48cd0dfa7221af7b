package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** More ready fds than the event array holds: nothing is lost, and the array grows (lesson 7). */
@LinuxOnly("eventfd")
class EventArrayGrowthTest {
    private static final int READY = 100;
    private int[] fds;

    @BeforeEach
    void makeReadyEventfds() throws Exception {
        fds = new int[READY];
        for (int i = 0; i < READY; i++) fds[i] = Fds.eventfd(1, false);
    }

    @AfterEach
    void closeThem() {
        Io.closeAll(fds);
    }

    private static int capacity(Reactor reactor) {
        return reactor.poller().capacity();
    }

    @Test
    void shouldGrowTheEventArrayUntilOneWaitHoldsEveryReadyFd() throws Exception {
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().maxEvents(16).build())) {
            int[] seen = new int[READY];
            for (int i = 0; i < READY; i++) {
                int index = i;
                reactor.register(Context.of(fds[i], Interest.READ, (r, ev) -> seen[index]++));
            }
            assertEquals(16, capacity(reactor));

            // Level-triggered: a full wait grows the array (16, 32, 64, 128) and the fds left out
            // come again in the next wait, until one wait holds all of them.
            int[] perIteration = new int[8];
            int iterations = 0;
            while (iterations < perIteration.length) {
                perIteration[iterations] = reactor.runOnce(Duration.ZERO);
                if (perIteration[iterations++] == READY) break;
            }
            assertEquals(16, perIteration[0]);
            assertEquals(32, perIteration[1]);
            assertEquals(64, perIteration[2]);
            assertEquals(READY, perIteration[3], "the fourth wait has room for every ready fd");
            assertEquals(4, iterations);
            assertEquals(128, capacity(reactor));
            for (int i = 0; i < READY; i++) assertTrue(seen[i] >= 1, "fd " + fds[i] + " never dispatched");
        }
    }

    @Test
    void shouldDispatchEveryEdgeTriggeredFdExactlyOnceThoughTheArrayIsSmaller() throws Exception {
        // Edge-triggered readiness is reported once: events that did not fit in a wait must come
        // in the next ones, not be lost.
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().maxEvents(16).build())) {
            int[] seen = new int[READY];
            for (int i = 0; i < READY; i++) {
                int index = i;
                reactor.register(Context.of(fds[i], Interest.READ | Interest.EDGE, (r, ev) -> seen[index]++));
            }
            int total = 0;
            for (int i = 0; i < 10; i++) total += reactor.runOnce(Duration.ZERO);
            assertEquals(READY, total);
            for (int i = 0; i < READY; i++) assertEquals(1, seen[i], "fd " + fds[i]);
            assertEquals(64, capacity(reactor));
        }
    }

    @Test
    void shouldNotGrowWhileWaitsDoNotFillTheArray() throws Exception {
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().maxEvents(128).build())) {
            for (int fd : fds) reactor.register(Context.of(fd, Interest.READ, (r, ev) -> { }));
            for (int i = 0; i < 5; i++) assertEquals(READY, reactor.runOnce(Duration.ZERO));
            assertEquals(128, capacity(reactor));
        }
    }

    @Test
    void shouldStartAtSixteenEventsAtLeast() throws Exception {
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().maxEvents(1).build())) {
            assertEquals(16, capacity(reactor));
        }
    }
}
