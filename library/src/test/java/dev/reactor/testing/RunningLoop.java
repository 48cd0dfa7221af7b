package dev.reactor.testing;

import dev.reactor.Reactor;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A reactor's {@link Reactor#run()} on a thread of its own: the only way the idle strategy
 * matters (runOnce always blocks for its timeout). Loop-only calls go through {@link #call}.
 * Closing it stops the loop and rethrows whatever run() threw; the reactor stays open.
 */
public final class RunningLoop implements AutoCloseable {
    /** A step that may throw, run on the loop thread. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    private final Reactor reactor;
    private final Thread thread;
    private final CountDownLatch returned = new CountDownLatch(1);
    private volatile Throwable failure;

    private RunningLoop(Reactor reactor) {
        this.reactor = reactor;
        this.thread = new Thread(this::loop, "reactor-loop");
        this.thread.setDaemon(true);
    }

    /** Starts run() on a new thread, and waits until the loop has made its first iteration. */
    public static RunningLoop start(Reactor reactor) {
        RunningLoop t = new RunningLoop(reactor);
        t.thread.start();
        t.call(() -> null);
        return t;
    }

    /** Starts run() on a new thread and returns at once (for a loop that may return by itself). */
    public static RunningLoop startWithoutWaiting(Reactor reactor) {
        RunningLoop t = new RunningLoop(reactor);
        t.thread.start();
        return t;
    }

    private void loop() {
        try {
            reactor.run();
        } catch (Throwable e) {
            failure = e;
        } finally {
            returned.countDown();
        }
    }

    public Thread thread() {
        return thread;
    }

    /** True once run() has returned (or thrown). */
    public boolean hasReturned() {
        return returned.getCount() == 0;
    }

    /** Runs task on the loop thread (through execute, retried while the queue is full) and returns its result. */
    public <T> T call(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        dev.reactor.Task r = () -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        };
        Loop.await(Loop.DEFAULT_DEADLINE, () -> reactor.execute(r));
        try {
            return result.get(Loop.DEFAULT_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("task failed on the loop thread", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("task did not run on the loop thread within " + Loop.DEFAULT_DEADLINE
                    + " (run() returned: " + hasReturned() + ", failure: " + failure + ")", e);
        }
    }

    /** Like {@link #call} for a task with no result. */
    public void run(Task task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Waits until run() returns; fails after the deadline, or if run() threw. */
    public void awaitReturn(Duration deadline) {
        try {
            if (!returned.await(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("run() did not return within " + deadline);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (failure != null) throw new AssertionError("run() threw", failure);
    }

    /** stop(), then wait for run() to return and rethrow what it threw. */
    @Override
    public void close() {
        if (!hasReturned() && !reactor.isClosed()) reactor.stop();
        awaitReturn(Loop.DEFAULT_DEADLINE);
    }
}
