package dev.reactor.testing;

import dev.reactor.Reactor;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A reactor running on its own thread, for tests whose clients block on the test thread. */
public final class LoopThread implements AutoCloseable {
    /** Runs on the loop thread before the loop starts. */
    @FunctionalInterface
    public interface Setup {
        void setUp(Reactor reactor) throws Exception;
    }

    private final Thread thread;
    private final CompletableFuture<Reactor> started = new CompletableFuture<>();

    private LoopThread(Setup setup) {
        thread = new Thread(() -> {
            try (Reactor r = Reactor.open()) {
                setup.setUp(r);
                started.complete(r);
                r.run();
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "test-loop");
        thread.setDaemon(true);
    }

    public static LoopThread start(Setup setup) throws Exception {
        LoopThread t = new LoopThread(setup);
        t.thread.start();
        t.started.get(10, TimeUnit.SECONDS);
        return t;
    }

    public Reactor reactor() {
        return started.join();
    }

    /** Runs task on the loop thread and returns its result (for loop-only state such as counters). */
    public <T> T call(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean queued = reactor().execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        if (!queued) throw new IllegalStateException("loop queue full");
        return result.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        reactor().close();
        thread.join(10_000);
    }
}
