package dev.reactor;

import dev.reactor.sys.Os;
import dev.reactor.io.Fds;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.FdNumbers;
import dev.reactor.testing.Io;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * epoll keys a registration on the open file, not the number. An fd closed behind the reactor's
 * back while a dup keeps its file open stays in the kernel set, out of reach: DEL by number
 * fails (EBADF, or ENOENT once the number holds another file), and level-triggered it would make
 * every wait return at once. The README's rule is "deregister before you close"; when it is
 * broken anyway, the loop must not spin: the set is rebuilt without it, once.
 */
class ClosedBehindTheBackTest {
    private static final int POLLS = 1_000;
    private LogCapture log;

    @BeforeEach
    void captureLog() {
        log = LogCapture.start();
    }

    @AfterEach
    void restoreLog() {
        log.close();
    }

    private static void pollMany(Reactor reactor) throws Exception {
        for (int i = 0; i < POLLS; i++) reactor.runOnce(Duration.ZERO);
    }

    @Test
    void shouldNotSpinOnADupedFdDeregisteredAfterItWasClosed() throws Exception {
        int[] pipe = Fds.pipe();
        int dup = Os.libc().dup(pipe[0]);
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(pipe[0], Interest.READ);
            reactor.register(ctx);
            Fds.close(pipe[0]);                    // behind the reactor's back; the dup keeps the file
            Io.write(pipe[1], "x");                // readable, and never read: level-triggered, reported on every wait
            if (PollerKind.kqueue()) {
                // kqueue drops an fd's knotes at close(2), dup or not: nothing is ever reported
                pollMany(reactor);
                assertEquals(0, ctx.count(), "an event for a closed fd");
            } else {
                Loop.until(reactor, () -> ctx.count() > 0);
            }
            assertSame(ctx, reactor.deregister(pipe[0]), "the table forgets it (DEL fails: EBADF)");

            pollMany(reactor);
            assertTrue(reactor.stats().staleEventsDropped() <= 2, "the loop spun on the unreachable registration: "
                    + reactor.stats());
            // epoll rebuilt its set to leave the unreachable registration behind; kqueue never had one
            assertEquals(PollerKind.kqueue() ? 0 : 1, reactor.stats().pollerRebuilds(), reactor.stats().toString());
            assertEquals(0, reactor.runOnce(Duration.ofMillis(20)), "a timed wait finds nothing to do");
        } finally {
            Io.closeAll(dup, pipe[1]);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldKeepLiveRegistrationsAndDropDeadOnesWhenTheSetIsRebuilt() throws Exception {
        PollerKind.assumeEpoll("a registration a dup keeps in the set, and the rebuild that drops it; kqueue drops an fd's knotes at close(2)");
        int[] pipe = Fds.pipe();
        int dup = Os.libc().dup(pipe[0]);
        int[] other = Fds.socketpair();
        int reused = -1;
        try (Reactor reactor = Reactor.open()) {
            Recorder old = new Recorder(pipe[0], Interest.READ);
            Recorder live = new Recorder(other[0], Interest.READ, (r, ev) -> Io.readAvailable(other[0]));
            int[] closedOwn = Fds.socketpair();
            Recorder dead = new Recorder(closedOwn[0], Interest.READ);
            reactor.register(old);
            reactor.register(live);
            reactor.register(dead);
            Fds.close(pipe[0]);                    // behind the reactor's back, dup kept
            Fds.close(closedOwn[0]);               // behind the reactor's back too, no dup: the kernel forgot it
            Fds.close(closedOwn[1]);
            Io.write(pipe[1], "x");
            reused = FdNumbers.eventfdAt(pipe[0]);           // a new file at the old number
            assertSame(old, reactor.deregister(pipe[0]), "DEL finds the new file, not ours: ENOENT");
            int renumbered = reused;
            Recorder fresh = new Recorder(reused, Interest.READ, (r, ev) -> Fds.eventfdRead(renumbered));
            reactor.register(fresh);               // the same number, another file

            Loop.until(reactor, () -> fresh.count() > 0);
            pollMany(reactor);
            assertEquals(1, reactor.stats().pollerRebuilds(), reactor.stats().toString());
            assertTrue(reactor.stats().staleEventsDropped() <= 2, reactor.stats().toString());
            assertEquals(0, old.count(), "the unreachable file never reached a Context");
            assertSame(fresh, reactor.context(reused), "the new file's registration was carried over");
            assertSame(live, reactor.context(other[0]));
            assertNull(reactor.context(closedOwn[0]), "a registration whose number leads nowhere ended with the old set");

            Io.write(other[1], "after");           // and the carried-over ones still work
            Fds.eventfdWrite(reused, 1);
            int liveBefore = live.count();
            int freshBefore = fresh.count();
            Loop.until(reactor, () -> live.count() > liveBefore && fresh.count() > freshBefore);
            assertTrue(log.contains("closed behind the reactor's back"));
        } finally {
            Io.closeAll(dup, pipe[1], other[0], other[1], reused);
        }
    }
}
