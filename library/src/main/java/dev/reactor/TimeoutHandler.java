package dev.reactor;

/** Runs on the loop thread when a timer set with {@link Reactor#timeout} expires. */
@FunctionalInterface
public interface TimeoutHandler {
    void onTimeout(Reactor reactor, long timerId) throws Exception;
}
