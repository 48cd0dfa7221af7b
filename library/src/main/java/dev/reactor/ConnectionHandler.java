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
    Context onConnection(Reactor reactor, int fd, SocketAddress peer) throws Exception;

    /** A {@link Reactor#connect} failed (refused, unreachable, timed out). The fd is already closed. */
    default void onConnectFailed(Reactor reactor, SocketAddress address, IOException cause) { }
}
