package dev.reactor;

/** Runs on the loop thread when a timer set with {@link Reactor#timeout} expires. */
@FunctionalInterface
public interface TimeoutHandler {
    /**
     * The timer expired; it runs once, then the id is spent.
     * @param reactor the reactor that ran the timer
     * @param timerId the id {@link Reactor#timeout} returned
     * @throws Exception logged; the loop goes on (there is no Context to tell)
     */
    void onTimeout(Reactor reactor, long timerId) throws Exception;
}
