package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ownership rule: loop-only calls belong to one thread at a time — the opener until a run()
 * starts, then the thread that last ran it — and pass to the next caller once that thread has ended.
 */
class LoopOwnershipTest {
    @Test
    void shouldLetAnotherThreadCleanUpOnceTheLoopThreadHasEnded() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(pipe[0], Interest.READ);
            reactor.register(ctx);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    reactor.execute(reactor::stop);
                    reactor.run();
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "loop");
            loop.start();
            loop.join();
            if (failed.get() != null) throw new AssertionError(failed.get());
            assertSame(ctx, reactor.deregister(pipe[0]), "main took the reactor over from the ended loop thread");
            reactor.register(new Recorder(pipe[0], Interest.READ));
            assertEquals(0, reactor.runOnce(Duration.ZERO));
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void shouldRefuseAnotherThreadWhileTheLastLoopThreadLives() throws Exception {
        int[] pipe = Fds.pipe();
        CountDownLatch ran = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        try (Reactor reactor = Reactor.open()) {
            reactor.register(new Recorder(pipe[0], Interest.READ));
            Thread loop = new Thread(() -> {
                try {
                    reactor.runOnce(Duration.ZERO);              // now this thread holds the reactor
                    ran.countDown();
                    done.await(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, "still-alive");
            loop.start();
            assertTrue(ran.await(60, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> reactor.deregister(pipe[0]));
            assertEquals("deregister must be called on the loop thread (still-alive), not on "
                    + Thread.currentThread().getName(), e.getMessage());
            done.countDown();
            loop.join();
            assertTrue(reactor.deregister(pipe[0]) != null, "after it ended, the next caller takes over");
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }
}
