package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Lesson 1 of the design notes: an fd closed (or deregistered) and registered again inside one
 * epoll_wait batch must not receive the event the batch still holds for its old registration.
 * Both fds are readable before the single runOnce, so both are in one batch; which of the two
 * runs first is the kernel's choice, so each callback does the same thing to "the other one".
 */
class FdReuseTest {

    /** Opens eventfds until the kernel hands out {@code wanted} again (it gives the lowest free number); closes the rest. */
    private static int eventfdNumbered(int wanted, int initialValue) throws Exception {
        List<Integer> others = new ArrayList<>();
        try {
            while (true) {
                int fd = Fds.eventfd(initialValue, false);
                if (fd == wanted) return fd;
                others.add(fd);
                if (fd > wanted) throw new AssertionError("fd " + wanted + " was taken by someone else");
            }
        } finally {
            for (int fd : others) Fds.close(fd);
        }
    }

    /** Two readable eventfds; the first callback to run applies {@code onOther} to the other fd. */
    private static final class Pair {
        final int a;
        final int b;
        int first = -1;

        Pair() throws Exception {
            a = Fds.eventfd(1, false);
            b = Fds.eventfd(1, false);
        }

        int other() { return first == a ? b : a; }

        Recorder context(int fd, EventHandler onOther) {
            return new Recorder(fd, Interest.READ, (r, ev) -> {
                if (first >= 0) return;
                first = fd;
                onOther.onEvent(r, ev);
            });
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldDropEventsForFdReusedInSameBatch() throws Exception {
        Pair p = new Pair();
        List<Integer> toClose = new ArrayList<>(List.of(p.a, p.b));
        Recorder[] reborn = new Recorder[1];
        try (Reactor reactor = Reactor.open()) {
            EventHandler closeOtherAndReuseItsNumber = (r, ev) -> {
                int victim = p.other();
                r.close(victim);
                // Readable at once, so a stale event handed to it would look perfectly plausible.
                int again = eventfdNumbered(victim, 1);
                toClose.add(again);
                reborn[0] = new Recorder(again, Interest.READ);
                r.register(reborn[0]);
            };
            Recorder onA = p.context(p.a, closeOtherAndReuseItsNumber);
            Recorder onB = p.context(p.b, closeOtherAndReuseItsNumber);
            reactor.register(onA);
            reactor.register(onB);

            assertEquals(1, reactor.runOnce(Duration.ZERO), "callbacks run");

            assertEquals(1, onA.count() + onB.count(), "the closed fd's Context was called");
            assertSame(reborn[0], reactor.context(p.other()));
            assertEquals(0, reborn[0].count(), "the stale event reached the new registration");
            assertEquals(1, reactor.stats().staleEventsDropped());

            // The new registration is live: its own readiness comes in the next batch.
            assertEquals(2, reactor.runOnce(Duration.ZERO), "the survivor (still readable) and the new registration");
            assertEquals(List.of(Events.READABLE), reborn[0].events);
        } finally {
            for (int fd : toClose) Fds.closeQuietly(fd);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldDropEventsForFdDeregisteredEarlierInSameBatch() throws Exception {
        Pair p = new Pair();
        try (Reactor reactor = Reactor.open()) {
            EventHandler deregisterOther = (r, ev) -> r.deregister(p.other());
            Recorder onA = p.context(p.a, deregisterOther);
            Recorder onB = p.context(p.b, deregisterOther);
            reactor.register(onA);
            reactor.register(onB);

            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(1, onA.count() + onB.count());
            assertEquals(1, reactor.stats().staleEventsDropped());
            assertEquals(1, reactor.registrations());
            assertEquals(1, Fds.eventfdRead(p.other()), "deregister must leave the fd open");
        } finally {
            Io.closeAll(p.a, p.b);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldNotHandTheOldEventToANewContextOnTheSameOpenFd() throws Exception {
        // No close at all: deregister + register on the same open fd is a new registration too.
        Pair p = new Pair();
        Recorder[] replacement = new Recorder[1];
        try (Reactor reactor = Reactor.open()) {
            EventHandler replaceOthersContext = (r, ev) -> {
                int victim = p.other();
                r.deregister(victim);
                replacement[0] = new Recorder(victim, Interest.READ);
                r.register(replacement[0]);
            };
            reactor.register(p.context(p.a, replaceOthersContext));
            reactor.register(p.context(p.b, replaceOthersContext));

            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(0, replacement[0].count());
            assertEquals(1, reactor.stats().staleEventsDropped());

            reactor.runOnce(Duration.ZERO);
            assertEquals(List.of(Events.READABLE), replacement[0].events);
        } finally {
            Io.closeAll(p.a, p.b);
        }
    }
}
