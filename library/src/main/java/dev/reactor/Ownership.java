package dev.reactor;

/**
 * Who closes a registered fd. The reactor never asks where an fd came from, so the caller says
 * whether the reactor may close it: {@link Reactor#register(Context, Ownership)}.
 */
public enum Ownership {
    /**
     * The reactor closes the fd on every path that ends the registration other than an explicit
     * {@link Reactor#deregister}: a failed callback whose {@link Context#onError} is the default,
     * an {@code onError} that throws, {@link Reactor#close(int)} and {@link Reactor#close()}.
     * {@link Reactor#deregister} hands the fd back: from then on the caller closes it. Sockets
     * that {@link Reactor#listen} and {@link Reactor#connect} make, and the connections they hand
     * to a {@link ConnectionHandler}, are owned.
     */
    OWNED,
    /**
     * Someone else owns the fd (the default of {@link Reactor#register(Context)}): an fd made by
     * another library, inherited from the parent process, or held by a {@code java.nio} channel.
     * Errors and {@link Reactor#close()} only deregister it; it stays open. Only
     * {@link Reactor#close(int)}, an explicit request, closes it.
     */
    BORROWED
}
