package dev.reactor;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * The closure that creates a {@link Context} for each connection, for {@link Reactor#listen} and
 * {@link Reactor#connect} alike: a server's accepted socket and a client's connected one are the
 * same thing. Return null to refuse the connection (its fd is closed).
 */
@FunctionalInterface
public interface ConnectionHandler {
    /**
     * A connection is ready, on the loop thread: make its Context. The fd is non-blocking and
     * {@link Ownership#OWNED}: the reactor registers the returned Context and closes the fd when the
     * registration ends. A Context for another fd, one that cannot be registered, or a throw closes
     * the fd (and is logged); the loop goes on.
     *
     * @param reactor the reactor that accepted or connected it
     * @param fd the connected socket
     * @param peer for an accepted socket the peer's address; for a connect, the address connected to
     * @return the Context for fd, or null to refuse (the fd is closed)
     * @throws Exception logged; the fd is closed
     */
    Context onConnection(Reactor reactor, int fd, SocketAddress peer) throws Exception;

    /**
     * A {@link Reactor#connect} failed (refused, unreachable, timed out), on the loop thread. The fd is
     * already closed. Called for connects only, never for a listener. The default does nothing.
     *
     * @param reactor the reactor that made the connect
     * @param address the address given to connect
     * @param cause a {@link ReactorException} with the errno (ECONNREFUSED, ETIMEDOUT...), as a rule
     */
    default void onConnectFailed(Reactor reactor, SocketAddress address, IOException cause) { }
}
