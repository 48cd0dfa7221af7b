package dev.reactor;

/**
 * What the user implements for each fd: the reactor calls it, on the loop thread, when the fd is
 * ready, when one of its timers expires and when another thread {@link Reactor#send}s to it.
 * One Context per registration; {@link #fd()} and {@link #interest()} are read once, at
 * {@link Reactor#register}.
 */
public interface Context {
    int fd();

    /** {@link Interest} bits to register with. */
    int interest();

    /** The fd is ready: {@link Events} bits. */
    void onEvent(Reactor reactor, int events) throws Exception;

    /** A timer set with {@link Reactor#timeout(java.time.Duration, int)} on this fd expired. */
    default void onTimeout(Reactor reactor, long timerId) throws Exception { }

    /** A message {@link Reactor#send sent} to this fd from any thread, delivered on the loop thread. */
    default void onNotify(Reactor reactor, Object message) throws Exception { }

    /**
     * One of this Context's callbacks threw. The default ends the registration as the fd's
     * {@link Ownership} says: an {@link Ownership#OWNED} fd (an accepted or connected socket, say)
     * is closed, so the peer sees the close; a {@link Ownership#BORROWED} one is deregistered and
     * stays open (it belongs to someone else). It logs through {@link System.Logger}; the loop goes
     * on. Override to reply with an error, keep going, or decide otherwise. Never called for a
     * registration that ended during the failed callback.
     */
    default void onError(Reactor reactor, Exception error) {
        // Only this registration: the callback may have replaced itself on fd before it threw.
        boolean mine = !reactor.isClosed() && reactor.context(fd()) == this;
        boolean owned = mine && reactor.end(fd());
        Logs.warning(() -> "fd " + fd() + ": callback failed; " + (owned ? "closed" : "deregistered"), error);
    }

    /** Lambda form: {@code Context.of(fd, Interest.READ, (r, ev) -> ...)}. */
    static Context of(int fd, int interest, EventHandler handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        return new Context() {
            @Override public int fd() { return fd; }
            @Override public int interest() { return interest; }
            @Override public void onEvent(Reactor reactor, int events) throws Exception {
                handler.onEvent(reactor, events);
            }
            @Override public String toString() {
                return "Context.of(fd=" + fd + ", " + Interest.toString(interest) + ")";
            }
        };
    }
}
