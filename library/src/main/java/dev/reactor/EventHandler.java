package dev.reactor;

/** The lambda form of {@link Context#onEvent(Reactor, int)}; see {@link Context#of(int, int, EventHandler)}. */
@FunctionalInterface
public interface EventHandler {
    void onEvent(Reactor reactor, int events) throws Exception;
}
