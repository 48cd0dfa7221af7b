package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loop-only methods refuse other threads with IllegalStateException and change nothing;
 * send/execute/stop/close work from any thread.
 */
@LinuxOnly("eventfd")
class LoopThreadTest {

    /** Runs call on a new thread and returns what it threw (fails if it threw nothing). */
    private static Throwable thrownOnAnotherThread(Executable call) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                call.execute();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        }, "not-the-loop");
        t.start();
        t.join(10_000);
        Throwable e = thrown.get(10, TimeUnit.SECONDS);
        if (e == null) throw new AssertionError("no exception from another thread");
        return e;
    }

    @Test
    void shouldRejectLoopOnlyMethodsFromAnotherThread() throws Exception {
        int fd = Fds.eventfd(1, false);
        int other = Fds.eventfd();
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(fd, Interest.READ);
            reactor.register(ctx);
            long timer = reactor.timeout(Duration.ofHours(1), (r, id) -> { });

            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("register", () -> reactor.register(new Recorder(other, Interest.READ)));
            calls.put("interest", () -> reactor.interest(fd, Interest.WRITE));
            calls.put("deregister", () -> reactor.deregister(fd));
            calls.put("close", () -> reactor.close(fd));
            calls.put("context", () -> reactor.context(fd));
            calls.put("timeout", () -> reactor.timeout(Duration.ofMillis(1), (r, id) -> { }));
            calls.put("timeout", () -> reactor.timeout(Duration.ofMillis(1), fd));
            calls.put("cancel", () -> reactor.cancel(timer));
            for (Map.Entry<String, Executable> call : calls.entrySet()) {
                Throwable e = thrownOnAnotherThread(call.getValue());
                assertInstanceOf(IllegalStateException.class, e, call.getKey());
                assertTrue(e.getMessage().startsWith(call.getKey() + " must be called on the loop thread ("
                        + Thread.currentThread().getName() + "), not on not-the-loop"), e.getMessage());
            }

            // Nothing changed: the fd is still registered, level-triggered READ, still open, the timer pending.
            assertTrue(Fds.isOpen(fd));
            assertEquals(1, reactor.registrations());
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertEquals(Events.READABLE, ctx.last());
            assertTrue(reactor.cancel(timer));
        } finally {
            Fds.close(fd);
            Fds.close(other);
        }
    }

    @Test
    void shouldRejectRunOnceFromAnotherThreadWhileTheLoopRuns() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            Throwable[] seen = new Throwable[1];
            reactor.register(Context.of(fd, Interest.READ | Interest.ONESHOT, (r, ev) -> {
                seen[0] = thrownOnAnotherThread(() -> r.runOnce(Duration.ZERO));
            }));
            Loop.until(reactor, () -> seen[0] != null);
            assertInstanceOf(IllegalStateException.class, seen[0]);
            assertTrue(seen[0].getMessage().startsWith("runOnce: reactor is already running on "), seen[0].getMessage());
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldAcceptSendAndExecuteFromAnotherThread() throws Exception {
        int fd = Fds.eventfd();
        try (Reactor reactor = Reactor.open()) {
            AtomicInteger delivered = new AtomicInteger();
            reactor.register(new Context() {
                @Override public int fd() { return fd; }
                @Override public int interest() { return Interest.READ; }
                @Override public void onEvent(Reactor r, int events) { }
                @Override public void onNotify(Reactor r, Object message) { delivered.incrementAndGet(); }
            });
            CompletableFuture.runAsync(() -> {
                assertTrue(reactor.send(fd, "hello"));
                assertTrue(reactor.execute(delivered::incrementAndGet));
            }).get(10, TimeUnit.SECONDS);
            Loop.until(reactor, () -> delivered.get() == 2);
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldStopAndThenCloseFromAnotherThreadWhileRunBlocks() throws Exception {
        Reactor reactor = Reactor.open();
        CompletableFuture<Void> loopRunning = new CompletableFuture<>();
        CompletableFuture<Void> stopper = loopRunning.thenRunAsync(reactor::stop);
        assertTrue(reactor.execute(() -> loopRunning.complete(null)));
        reactor.run();   // blocks in epoll_wait until the other thread's stop() wakes it
        stopper.get(10, TimeUnit.SECONDS);

        CompletableFuture.runAsync(reactor::close).get(10, TimeUnit.SECONDS);
        assertTrue(reactor.isClosed());
    }

    @Test
    void shouldMakeTheThreadThatCallsRunTheLoopThread() throws Exception {
        int fd = Fds.eventfd();
        Reactor reactor = Reactor.open();
        try {
            // The opener hands the reactor to a loop thread; from then on the opener is "another thread".
            CompletableFuture<Throwable> loopEnded = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    reactor.run();
                    loopEnded.complete(null);
                } catch (Throwable e) {
                    loopEnded.complete(e);
                }
            }, "the-loop");
            CompletableFuture<Void> registered = new CompletableFuture<>();
            assertTrue(reactor.execute(() -> {
                try {
                    reactor.register(new Recorder(fd, Interest.READ));
                    registered.complete(null);
                } catch (Exception e) {
                    registered.completeExceptionally(e);
                }
            }));
            t.start();
            registered.get(10, TimeUnit.SECONDS);

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> reactor.deregister(fd));
            assertTrue(e.getMessage().contains("(the-loop)"), e.getMessage());
            reactor.stop();
            assertEquals(null, loopEnded.get(10, TimeUnit.SECONDS));
            t.join(10_000);
            assertFalse(t.isAlive());
        } finally {
            reactor.close();
            Fds.close(fd);
        }
    }

    @Test
    void shouldRejectARunOnceNestedInACallback() throws Exception {
        int fd = Fds.eventfd(1, false);
        try (Reactor reactor = Reactor.open()) {
            IllegalStateException[] nested = new IllegalStateException[1];
            reactor.register(Context.of(fd, Interest.READ, (r, ev) ->
                    nested[0] = assertThrows(IllegalStateException.class, () -> r.runOnce(Duration.ZERO))));
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertTrue(nested[0].getMessage().startsWith("runOnce: reactor is already running on "), nested[0].getMessage());
            assertEquals(1, reactor.runOnce(Duration.ZERO), "the outer loop is unharmed");
        } finally {
            Fds.close(fd);
        }
    }
}
