package dev.reactor;

/** The lambda form of {@link Context#onEvent(Reactor, int)}; see {@link Context#of(int, int, EventHandler)}. */
@FunctionalInterface
public interface EventHandler {
    /**
     * The fd is ready; runs on the loop thread.
     * @param reactor the reactor that dispatched it
     * @param events {@link Events} bits
     * @throws Exception goes to the Context's {@link Context#onError}, as for {@link Context#onEvent}
     */
    void onEvent(Reactor reactor, int events) throws Exception;
}
