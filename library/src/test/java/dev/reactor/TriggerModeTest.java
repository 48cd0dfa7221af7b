package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Level (default), EDGE and ONESHOT. Every fd is made ready before the runOnce that should (or
 * should not) see it: readiness is set by the write itself, so a zero-timeout poll is enough to
 * observe it, and "no event" is a real observation rather than an impatient one.
 */
@LinuxOnly("eventfd")
class TriggerModeTest {

    @Test
    void shouldReportAnUnreadReadableFdEveryIterationWhenLevelTriggered() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ);
            reactor.register(ctx);
            for (int i = 1; i <= 5; i++) {
                assertEquals(1, reactor.runOnce(Duration.ZERO));
                assertEquals(i, ctx.count());
            }
            Fds.eventfdRead(fd);
            assertEquals(0, reactor.runOnce(Duration.ZERO), "drained: no longer readable");
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldReportOnceUntilNewDataArrivesWhenEdgeTriggered() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ | Interest.EDGE);
            reactor.register(ctx);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            for (int i = 0; i < 3; i++) assertEquals(0, reactor.runOnce(Duration.ZERO), "still unread, but no new edge");
            assertEquals(1, ctx.count());

            Fds.eventfdWrite(fd, 1);   // new data: a new edge, although the fd never stopped being readable
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(0, reactor.runOnce(Duration.ZERO));
            assertEquals(2, ctx.count());
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldReportOnceUntilReArmedWhenOneshot() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ | Interest.ONESHOT);
            reactor.register(ctx);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(0, reactor.runOnce(Duration.ZERO), "disarmed after one event");
            Fds.eventfdWrite(fd, 1);
            assertEquals(0, reactor.runOnce(Duration.ZERO), "new data does not re-arm ONESHOT");
            assertEquals(1, ctx.count());

            reactor.interest(fd, Interest.READ | Interest.ONESHOT);
            assertEquals(1, reactor.runOnce(Duration.ZERO), "re-armed");
            assertEquals(0, reactor.runOnce(Duration.ZERO));
            assertEquals(2, ctx.count());
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldRearmOneshotFromInsideItsOwnCallback() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ | Interest.ONESHOT,
                    (r, ev) -> r.interest(fd, Interest.READ | Interest.ONESHOT));
            reactor.register(ctx);
            for (int i = 1; i <= 3; i++) {
                assertEquals(1, reactor.runOnce(Duration.ZERO));
                assertEquals(i, ctx.count());
            }
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldBecomeLevelTriggeredWhenReArmedWithoutOneshot() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ | Interest.ONESHOT);
            reactor.register(ctx);
            reactor.runOnce(Duration.ZERO);
            reactor.interest(fd, Interest.READ);
            for (int i = 0; i < 3; i++) assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(4, ctx.count());
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldMuteAnFdWithInterestZeroUntilInterestIsSetAgain() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ);
            reactor.register(ctx);
            reactor.interest(fd, 0);
            assertEquals(0, reactor.runOnce(Duration.ZERO));
            assertEquals(ctx, reactor.context(fd), "muted, still registered");
            reactor.interest(fd, Interest.READ);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldSwitchFromReadToWriteInterest() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(pair[0], Interest.READ);
            reactor.register(ctx);
            assertEquals(0, reactor.runOnce(Duration.ZERO), "nothing to read yet");
            reactor.interest(pair[0], Interest.WRITE);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(Events.WRITABLE, ctx.last());
        } finally {
            Io.closeAll(pair);
        }
    }
}
