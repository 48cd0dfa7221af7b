package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.testing.FdNumbers;
import dev.reactor.testing.Idle;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * interest(fd, 0) mutes: the Context is not dispatched at all until unmuted, even when the fd
 * hangs up or fails meanwhile (epoll reports HUP and ERR whatever the interest). Unmuting an fd
 * that was closed and whose number was reused fails with ENOENT, and never attaches the new file
 * to the old Context.
 */
class MuteTest {
    private static final int POLLS = 1_000;

    /** Polls many times, without waiting: a muted fd whose HUP is reported each time would show at once. */
    private static void pollMany(Reactor reactor) throws Exception {
        for (int i = 0; i < POLLS; i++) reactor.runOnce(Duration.ZERO);
    }

    @ParameterizedTest
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldSilenceAMutedPipeWhoseWriterClosed(IdleStrategy idle) throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Idle.open(idle)) {
            Recorder reader = new Recorder(pipe[0], Interest.READ);
            reactor.register(reader);
            reactor.interest(pipe[0], 0);
            Fds.close(pipe[1]);                    // HUP from now on
            pollMany(reactor);
            assertEquals(0, reader.count(), "muted: never dispatched");
            assertTrue(reactor.stats().mutedEventsDropped() <= 1, "the kernel disarmed it after one report: "
                    + reactor.stats().mutedEventsDropped());
            assertEquals(0, reactor.runOnce(Duration.ofMillis(20)), "a timed wait finds nothing to do");

            reactor.interest(pipe[0], Interest.READ);
            Loop.until(reactor, () -> reader.count() > 0);
            assertTrue(Events.isHangup(reader.last()), "unmuted: the hang-up is reported");
        } finally {
            Io.closeAll(pipe[0]);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.reactor.testing.Idle#strategies")
    void shouldSilenceAMutedSocketWhosePeerClosed(IdleStrategy idle) throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Idle.open(idle)) {
            Recorder ctx = new Recorder(pair[0], Interest.READ | Interest.WRITE);
            reactor.register(ctx);
            Loop.until(reactor, () -> ctx.count() > 0);  // writable
            int seen = ctx.count();
            reactor.interest(pair[0], 0);
            Fds.close(pair[1]);
            pollMany(reactor);
            assertEquals(seen, ctx.count(), "muted: never dispatched");
            assertTrue(reactor.stats().mutedEventsDropped() <= 1, "dropped: " + reactor.stats().mutedEventsDropped());
        } finally {
            Io.closeAll(pair[0]);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.reactor.testing.Idle#strategies")
    @LinuxOnly("eventfd")
    void shouldSilenceAFdMutedByAnEarlierCallbackInTheSameBatch(IdleStrategy idle) throws Exception {
        int a = Fds.eventfd(1, false);
        int b = Fds.eventfd(1, false);
        try (Reactor reactor = Idle.open(idle)) {
            // Both are readable (and stay so: level-triggered, never read), so both are in the
            // first batch; whichever runs first mutes the other before its turn.
            Recorder[] ctx = new Recorder[2];
            ctx[0] = new Recorder(a, Interest.READ, (r, ev) -> { if (ctx[1].count() == 0) r.interest(b, 0); });
            ctx[1] = new Recorder(b, Interest.READ, (r, ev) -> { if (ctx[0].count() == 0) r.interest(a, 0); });
            reactor.register(ctx[0]);
            reactor.register(ctx[1]);
            assertEquals(1, reactor.runOnce(Duration.ofSeconds(10)), "one ran; the other was muted before its turn");
            Recorder muted = ctx[0].count() == 0 ? ctx[0] : ctx[1];
            pollMany(reactor);
            assertEquals(0, muted.count(), "the muted one is never dispatched");
            assertEquals(1, reactor.stats().mutedEventsDropped(), "its event in the first batch was dropped");
        } finally {
            Io.closeAll(a, b);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.reactor.testing.Idle#strategies")
    @LinuxOnly("eventfd")
    void shouldRefuseToUnmuteAFdWhoseNumberWentToAnotherFile(IdleStrategy idle) throws Exception {
        int[] pipe = Fds.pipe();
        int reused = -1;
        try (Reactor reactor = Idle.open(idle)) {
            Recorder old = new Recorder(pipe[0], Interest.READ);
            reactor.register(old);
            reactor.interest(pipe[0], 0);
            Fds.close(pipe[0]);                    // behind the reactor's back
            reused = FdNumbers.eventfdAt(pipe[0]);           // readable, at the same number

            ReactorException e = assertThrows(ReactorException.class, () -> reactor.interest(pipe[0], Interest.READ));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("interest(fd=" + pipe[0] + ")"), e.getMessage());
            assertNull(reactor.context(pipe[0]), "the dead registration is removed");
            pollMany(reactor);
            assertEquals(0, old.count(), "the new file never reaches the old Context");
            assertTrue(Fds.isOpen(reused), "and the new file's fd is left alone");
            assertEquals(1, Fds.eventfdRead(reused), "untouched: its counter is still there");

            Recorder fresh = new Recorder(reused, Interest.READ);
            Fds.eventfdWrite(reused, 1);
            reactor.register(fresh);               // the number can be registered anew
            Loop.until(reactor, () -> fresh.count() > 0);
        } finally {
            Io.closeAll(pipe[1], reused);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.reactor.testing.Idle#strategies")
    @LinuxOnly("eventfd")
    void shouldDeliverNothingButTimersToAMutedFd(IdleStrategy idle) throws Exception {
        int efd = Fds.eventfd(1, false);
        try (Reactor reactor = Idle.open(idle)) {
            int[] timeouts = {0};
            Recorder ctx = new Recorder(efd, Interest.READ) {
                @Override public void onTimeout(Reactor r, long timerId) { timeouts[0]++; }
            };
            reactor.register(ctx);
            reactor.interest(efd, 0);
            reactor.timeout(Duration.ZERO, efd);
            Loop.until(reactor, () -> timeouts[0] == 1);
            pollMany(reactor);
            assertEquals(0, ctx.count(), "readable, but muted");
            reactor.interest(efd, Interest.READ);
            Loop.until(reactor, () -> ctx.count() > 0);
        } finally {
            Io.closeAll(efd);
        }
    }
}
