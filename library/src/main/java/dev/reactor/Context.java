package dev.reactor;

/**
 * What the user implements for each fd: the reactor calls it, on the loop thread, when the fd is
 * ready, when one of its timers expires and when another thread {@link Reactor#send}s to it.
 * One Context per registration; {@link #fd()} and {@link #interest()} are read once, at
 * {@link Reactor#register}.
 */
public interface Context {
    /** {@return the file descriptor to watch, read once at registration} */
    int fd();

    /** {@return the {@link Interest} bits to register with} */
    int interest();

    /**
     * The fd is ready. Called at most once per fd per loop iteration, with read and write
     * readiness merged, on every poller (kqueue reports read and write as two entries; the
     * poller merges them); never while the fd is muted ({@code interest(fd, 0)}).
     *
     * @param reactor the reactor that dispatched it
     * @param events {@link Events} bits
     * @throws Exception goes to {@link #onError}
     */
    void onEvent(Reactor reactor, int events) throws Exception;

    /**
     * A timer set with {@link Reactor#timeout(java.time.Duration, int)} on this fd expired. The
     * default does nothing.
     *
     * @param reactor the reactor that ran the timer
     * @param timerId the id that {@code timeout} returned
     * @throws Exception goes to {@link #onError}
     */
    default void onTimeout(Reactor reactor, long timerId) throws Exception { }

    /**
     * A message {@link Reactor#send sent} to this fd from any thread, delivered on the loop thread,
     * in the order each sender sent them. The default does nothing.
     *
     * @param reactor the reactor that delivered it
     * @param message what was sent, never null
     * @throws Exception goes to {@link #onError}
     */
    default void onNotify(Reactor reactor, Object message) throws Exception { }

    /**
     * One of this Context's callbacks threw. The default ends the registration as the fd's
     * {@link Ownership} says: an {@link Ownership#OWNED} fd (an accepted or connected socket, say)
     * is closed, so the peer sees the close; a {@link Ownership#BORROWED} one is deregistered and
     * stays open (it belongs to someone else). It logs through {@link System.Logger}; the loop goes
     * on. Override to reply with an error, keep going, or decide otherwise. Never called for a
     * registration that ended during the failed callback. If it throws, the registration ends
     * as by default.
     *
     * @param reactor the reactor that ran the callback
     * @param error what the callback threw
     */
    default void onError(Reactor reactor, Exception error) {
        // Only this registration: the callback may have replaced itself on fd before it threw.
        boolean mine = !reactor.isClosed() && reactor.context(fd()) == this;
        boolean owned = mine && reactor.end(fd());
        Logs.warning(() -> "fd " + fd() + ": callback failed; " + (owned ? "closed" : "deregistered"), error);
    }

    /**
     * Lambda form: {@code Context.of(fd, Interest.READ, (r, ev) -> ...)}. Timers, messages and
     * errors get the defaults.
     *
     * @param fd the file descriptor to watch
     * @param interest {@link Interest} bits
     * @param handler runs as {@link #onEvent}
     * @return a Context that is not registered yet: pass it to {@link Reactor#register}
     */
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
