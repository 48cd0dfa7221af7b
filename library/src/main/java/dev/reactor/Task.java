package dev.reactor;

/**
 * Work for the loop thread, queued from any thread by {@link Reactor#execute(Task)}. Unlike a
 * {@link Runnable} it may throw, so {@code reactor.execute(() -> reactor.register(ctx))} needs no
 * try/catch.
 */
@FunctionalInterface
public interface Task {
    /**
     * Runs once, on the loop thread.
     * @throws Exception logged ("execute: task failed"), and the loop goes on: there is no
     *         Context to tell, as for a {@link TimeoutHandler}
     */
    void run() throws Exception;
}
