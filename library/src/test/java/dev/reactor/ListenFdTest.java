package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.Echo;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * listen(int fd, handler) adopts a socket that listens already (made elsewhere: here by the
 * Sockets calls a supervisor would make), and refuses, leaving it open, an fd that is not a
 * socket or a socket that is not listening.
 */
class ListenFdTest {
    @Test
    void shouldAcceptOnASocketListeningAlready() throws Exception {
        int fd = Sockets.open(Net.loopback4());
        Sockets.bind(fd, Net.loopback4());
        Sockets.listen(fd, 16);
        SocketAddress at = Sockets.localAddress(fd);
        try (Reactor reactor = Reactor.open()) {
            assertEquals(fd, reactor.listen(fd, (r, conn, peer) -> new Echo(conn)));
            assertEquals(Ownership.OWNED, reactor.ownership(fd));
            ReactorException twice = assertThrows(ReactorException.class, () -> reactor.listen(fd, (r, conn, peer) -> null));
            assertEquals(Errno.EEXIST, twice.errno(), twice.getMessage());
            assertTrue(twice.getMessage().startsWith("listen(fd=" + fd + "): EEXIST (File exists): already registered to Acceptor{"),
                    twice.getMessage());
            assertTrue(Fds.isNonBlocking(fd));
            try (SocketChannel client = SocketChannel.open(at)) {
                client.write(ByteBuffer.wrap("adopted".getBytes(StandardCharsets.UTF_8)));
                ByteBuffer got = ByteBuffer.allocate(7);
                client.configureBlocking(false);
                Loop.until(reactor, () -> {
                    try {
                        client.read(got);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return !got.hasRemaining();
                });
                assertEquals("adopted", new String(got.array(), StandardCharsets.UTF_8));
            }
        }
        // close() closed it, as the owner: the port is free again
        int again = Sockets.open(at);
        try {
            Sockets.setReuseAddress(again, true);
            Sockets.bind(again, at);
        } finally {
            Fds.close(again);
        }
    }

    @Test
    void shouldRefuseWhatIsNotAListeningSocketAndLeaveItOpen() throws Exception {
        int[] pipe = Fds.pipe();
        int unbound = Sockets.open(new InetSocketAddress(Net.loopback4().getAddress(), 0));
        try (Reactor reactor = Reactor.open()) {
            ReactorException notSocket = assertThrows(ReactorException.class, () -> reactor.listen(pipe[0], (r, c, p) -> null));
            assertEquals(Errno.ENOTSOCK, notSocket.errno());
            assertEquals("listen(fd=" + pipe[0] + "): ENOTSOCK (Socket operation on non-socket): not a socket;"
                    + " listen(int) adopts a listening stream socket", notSocket.getMessage());
            ReactorException notListening = assertThrows(ReactorException.class, () -> reactor.listen(unbound, (r, c, p) -> null));
            assertEquals(Errno.EINVAL, notListening.errno());
            assertEquals("listen(fd=" + unbound + "): EINVAL (Invalid argument): the socket is not listening: call"
                    + " listen(2) on it first, or use listen(SocketAddress)", notListening.getMessage());
            assertEquals(Errno.EBADF, assertThrows(ReactorException.class, () -> reactor.listen(-1, (r, c, p) -> null)).errno());
            assertTrue(Fds.isOpen(pipe[0]) && Fds.isOpen(unbound), "left open, the caller's");
            assertEquals(0, reactor.registrations());
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
            Fds.close(unbound);
        }
    }
}
