package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Recorder;
import dev.reactor.testing.Sneaky;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A callback that throws an Exception harms only its own Context (lesson 10); an Error is not
 * swallowed, and the reactor stays usable after it.
 */
@LinuxOnly("eventfd")
class CallbackFailureTest {
    private LogCapture log;
    private int failing;
    private int healthy;

    @BeforeEach
    void setUp() throws Exception {
        log = LogCapture.start();
        failing = Fds.eventfd(1, false);   // both readable, so both are in the first batch
        healthy = Fds.eventfd(1, false);
    }

    @AfterEach
    void tearDown() {
        log.close();
        Io.closeAll(failing, healthy);
    }

    /** A Context whose onEvent throws what it is given, and whose onError records (and may itself throw). */
    private static class Failing extends Recorder {
        final List<Exception> errors = new ArrayList<>();
        final RuntimeException fromOnError;

        Failing(int fd, Exception toThrow, RuntimeException fromOnError) {
            super(fd, Interest.READ, (r, ev) -> { throw toThrow; });
            this.fromOnError = fromOnError;
        }

        @Override public void onError(Reactor reactor, Exception error) {
            errors.add(error);
            if (fromOnError != null) throw fromOnError;
        }
    }

    @Test
    void shouldHandTheExceptionToThatContextsOnErrorAndKeepItRegistered() throws Exception {
        IOException boom = new IOException("boom");
        Failing bad = new Failing(failing, boom, null);
        Recorder good = new Recorder(healthy, Interest.READ);
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            reactor.register(good);
            assertEquals(2, reactor.runOnce(Duration.ZERO), "both ran, in the same iteration");
            assertEquals(List.of(boom), bad.errors);
            assertSame(bad, reactor.context(failing), "a custom onError decides; this one keeps the fd");
            assertEquals(2, reactor.runOnce(Duration.ZERO));
            assertEquals(2, bad.errors.size());
            assertEquals(2, good.count());
        }
    }

    @Test
    void shouldDeregisterButNotCloseByDefaultAndLogIt() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Recorder bad = new Recorder(failing, Interest.READ, (r, ev) -> { throw boom; });
        Recorder good = new Recorder(healthy, Interest.READ);
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            reactor.register(good);
            assertEquals(2, reactor.runOnce(Duration.ZERO));
            assertNull(reactor.context(failing), "the default onError deregisters");
            assertTrue(Fds.isOpen(failing), "... but does not close: the reactor does not own the fd");
            assertEquals(1, Fds.eventfdRead(failing));

            assertEquals(1, log.records.size());
            assertEquals(Level.WARNING, log.records.get(0).getLevel());
            assertTrue(log.records.get(0).getMessage().contains("fd " + failing), log.records.get(0).getMessage());
            assertSame(boom, log.records.get(0).getThrown());

            for (int i = 0; i < 3; i++) assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(1, bad.count());
            assertEquals(4, good.count(), "the healthy Context kept working in later iterations");
        }
    }

    @Test
    void shouldOnlyDeregisterItsOwnFdWhenOnErrorThrowsToo() throws Exception {
        Failing bad = new Failing(failing, new IOException("first"), new IllegalStateException("second"));
        Recorder good = new Recorder(healthy, Interest.READ);
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            reactor.register(good);
            assertEquals(2, reactor.runOnce(Duration.ZERO));
            assertNull(reactor.context(failing));
            assertSame(good, reactor.context(healthy));
            assertTrue(Fds.isOpen(failing));
            assertEquals(1, log.records.size());
            assertEquals("second", log.records.get(0).getThrown().getMessage());
            assertEquals("first", log.records.get(0).getThrown().getSuppressed()[0].getMessage());
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(2, good.count());
        }
    }

    @Test
    void shouldNotDeregisterAReplacementRegisteredByTheFailingOnError() throws Exception {
        // onError swaps in a new Context for the same fd, then throws: the new one must survive.
        Recorder replacement = new Recorder(failing, Interest.READ);
        Recorder bad = new Recorder(failing, Interest.READ, (r, ev) -> { throw new IOException("boom"); }) {
            @Override public void onError(Reactor reactor, Exception error) {
                reactor.deregister(failing);
                try {
                    reactor.register(replacement);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                throw new IllegalStateException("and then failed");
            }
        };
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            reactor.runOnce(Duration.ZERO);
            assertSame(replacement, reactor.context(failing));
            reactor.runOnce(Duration.ZERO);
            assertEquals(1, replacement.count());
        }
    }

    @Test
    void shouldPropagateAnErrorFromOnEventAndStayUsable() throws Exception {
        AssertionError fatal = new AssertionError("not swallowed");
        Recorder bad = new Recorder(failing, Interest.READ | Interest.ONESHOT, (r, ev) -> { throw fatal; });
        Recorder good = new Recorder(healthy, Interest.READ);
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            reactor.register(good);
            AssertionError thrown = assertThrows(AssertionError.class, () -> Loop.until(reactor, () -> bad.count() > 0));
            assertSame(fatal, thrown);
            assertSame(bad, reactor.context(failing), "an Error does not go through onError");
            assertTrue(log.records.isEmpty());

            int before = good.count();
            assertEquals(1, reactor.runOnce(Duration.ZERO), "usable after the Error (bad is ONESHOT, disarmed)");
            assertEquals(before + 1, good.count());
        }
    }

    @Test
    void shouldPropagateAStackOverflowOutOfRunAndAllowRunAgain() throws Exception {
        Recorder bad = new Recorder(failing, Interest.READ | Interest.ONESHOT, (r, ev) -> recurse(0));
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            assertThrows(StackOverflowError.class, reactor::run);
            assertEquals(1, bad.count());

            // run() again: it is not stuck in "already running".
            Recorder good = new Recorder(healthy, Interest.READ, (r, ev) -> r.stop());
            reactor.register(good);
            reactor.run();
            assertEquals(1, good.count());
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void shouldSendExceptionsFromOnTimeoutAndOnNotifyToOnError() throws Exception {
        List<Exception> errors = new ArrayList<>();
        Context ctx = new Context() {
            @Override public int fd() { return healthy; }
            @Override public int interest() { return Interest.READ | Interest.ONESHOT; }
            @Override public void onEvent(Reactor r, int events) { }
            @Override public void onTimeout(Reactor r, long timerId) throws Exception { throw new IOException("timeout"); }
            @Override public void onNotify(Reactor r, Object message) throws Exception { throw new IOException("notify"); }
            @Override public void onError(Reactor r, Exception error) { errors.add(error); }
        };
        try (Reactor reactor = Reactor.open()) {
            reactor.register(ctx);
            reactor.timeout(Duration.ZERO, healthy);
            reactor.send(healthy, "message");
            Loop.until(reactor, () -> errors.size() == 2);
            assertEquals(List.of("notify", "timeout"), errors.stream().map(Exception::getMessage).sorted().toList());
        }
    }

    /** Kotlin and Scala throw checked exceptions from a Runnable without ceremony: so does this. */
    @Test
    void shouldLogACheckedExceptionFromAnExecutedTaskAndKeepLooping() throws Exception {
        try (Reactor reactor = Reactor.open()) {
            boolean[] after = {false};
            assertTrue(reactor.execute(() -> Sneaky.raise(new IOException("checked, from a task"))));
            assertTrue(reactor.execute(() -> after[0] = true));
            Loop.until(reactor, () -> after[0]);
            assertTrue(log.records.stream().anyMatch(l -> l.getThrown() instanceof IOException
                    && l.getThrown().getMessage().equals("checked, from a task")), "logged");
            assertFalse(reactor.isClosed(), "the loop goes on");
        }
    }

    @Test
    void shouldNotCallOnErrorForARegistrationTheCallbackEnded() throws Exception {
        Failing selfClosing = new Failing(failing, new IOException("after deregistering itself"), null) {
            @Override public void onEvent(Reactor reactor, int events) throws Exception {
                reactor.deregister(failing);
                super.onEvent(reactor, events);
            }
        };
        try (Reactor reactor = Reactor.open()) {
            reactor.register(selfClosing);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(List.of(), selfClosing.errors, "its registration had ended: not its onError's to decide");
            assertEquals(1, log.records.size(), "the failure is still logged");
            assertNull(reactor.context(failing));
        }
    }

    @Test
    void shouldNotDeregisterAReplacementWhenTheDefaultOnErrorRuns() throws Exception {
        // The callback replaces its own registration, then throws: the default onError must
        // deregister the failing Context, not whatever is on the fd now.
        Recorder replacement = new Recorder(failing, Interest.READ);
        Recorder bad = new Recorder(failing, Interest.READ, (r, ev) -> {
            r.deregister(failing);
            r.register(replacement);
            throw new IOException("boom");
        });
        try (Reactor reactor = Reactor.open()) {
            reactor.register(bad);
            reactor.runOnce(Duration.ZERO);
            assertSame(replacement, reactor.context(failing));
            assertEquals(1, log.records.size(), "still logged");
        }
    }

    @Test
    void shouldFinishTheBatchAnErrorInterruptedInTheNextIteration() throws Exception {
        // Edge-triggered: an event left undispatched in the batch would never be reported again.
        boolean[] thrown = {false};
        EventHandler throwOnce = (r, ev) -> {
            if (!thrown[0]) {
                thrown[0] = true;
                throw new AssertionError("first in the batch");
            }
        };
        Recorder onA = new Recorder(failing, Interest.READ | Interest.EDGE, throwOnce);
        Recorder onB = new Recorder(healthy, Interest.READ | Interest.EDGE, throwOnce);
        try (Reactor reactor = Reactor.open()) {
            reactor.register(onA);
            reactor.register(onB);
            assertThrows(AssertionError.class, () -> reactor.runOnce(Duration.ZERO));
            assertEquals(1, onA.count() + onB.count());

            assertEquals(1, reactor.runOnce(Duration.ZERO), "the rest of the batch");
            assertEquals(1, onA.count());
            assertEquals(1, onB.count());
            assertEquals(0, reactor.runOnce(Duration.ZERO), "and nothing twice");
        }
    }

    @Test
    void shouldEndTheIterationQuietlyWhenACallbackClosesTheReactorAndThenThrows() throws Exception {
        Recorder byDefault = new Recorder(failing, Interest.READ, (r, ev) -> {
            r.close();
            throw new IOException("after close");
        });
        Failing custom = new Failing(healthy, new IOException("after close too"), new IllegalStateException("and onError"));
        Reactor reactor = Reactor.open();
        reactor.register(byDefault);
        reactor.register(custom);
        assertEquals(2, reactor.runOnce(Duration.ZERO), "no IllegalStateException out of the loop");
        assertTrue(reactor.isClosed());
        assertTrue(Fds.isOpen(failing) && Fds.isOpen(healthy));
    }
}
