package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.Loop;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HANGUP when the other end goes away, ERROR when the kernel has an error pending on the fd. */
class HangupAndErrorTest {

    @Test
    void shouldReportHangupWhenTheSocketpairPeerCloses() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(pair[0], Interest.READ);
            reactor.register(ctx);
            Fds.close(pair[1]);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            assertTrue(Events.isHangup(ctx.last()), Events.toString(ctx.last()));
            assertTrue(Events.isReadable(ctx.last()), "a read would now return -1");
            assertEquals(-1, Fds.read(pair[0], java.nio.ByteBuffer.allocate(8)));
        } finally {
            Fds.closeQuietly(pair[0]);
        }
    }

    @Test
    void shouldReportHangupWithoutReadableWhenThePipeWriterCloses() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(pipe[0], Interest.READ);
            reactor.register(ctx);
            Fds.close(pipe[1]);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
            // epoll: EPOLLHUP alone; kqueue: EVFILT_READ with EV_EOF (the read filter is what fires)
            assertEquals(PollerKind.kqueue() ? "READABLE|HANGUP" : "HANGUP", Events.toString(ctx.last()));
        } finally {
            Fds.closeQuietly(pipe[0]);
        }
    }

    @Test
    void shouldReportDataAndHangupTogetherWhenThePeerWritesThenCloses() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            StringBuilder got = new StringBuilder();
            Recorder ctx = new Recorder(pair[0], Interest.READ, (r, ev) -> got.append(Io.readAvailable(pair[0])));
            reactor.register(ctx);
            Io.write(pair[1], "last words");
            Fds.close(pair[1]);
            reactor.runOnce(Duration.ZERO);
            assertEquals("READABLE|HANGUP", Events.toString(ctx.events.get(0)));
            assertEquals("last words", got.toString());
        } finally {
            Fds.closeQuietly(pair[0]);
        }
    }

    @Test
    void shouldReportHangupOnAHalfCloseWithoutReading() throws Exception {
        // EPOLLRDHUP: shutdown(SHUT_WR) by the peer shows as HANGUP while our write side still works.
        try (ServerSocketChannel server = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             Reactor reactor = Reactor.open()) {
            accepted.configureBlocking(false);
            Recorder ctx = new Recorder(Fds.of(accepted), Interest.READ);
            reactor.register(ctx);
            client.shutdownOutput();
            Loop.until(reactor, () -> ctx.count() > 0);
            assertTrue(Events.isHangup(ctx.last()), Events.toString(ctx.last()));
            assertEquals(4, accepted.write(java.nio.ByteBuffer.wrap("more".getBytes())), "half-closed, not closed");
        }
    }

    @Test
    void shouldReportErrorWhenATcpConnectIsRefused() throws Exception {
        int closedPort;
        try (ServerSocketChannel s = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        try (SocketChannel client = SocketChannel.open(); Reactor reactor = Reactor.open()) {
            client.configureBlocking(false);
            assertFalse(client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)));
            int fd = Fds.of(client);
            Recorder ctx = new Recorder(fd, Interest.WRITE);
            reactor.register(ctx);
            Loop.until(reactor, () -> ctx.count() > 0);
            assertTrue(Events.isError(ctx.last()) || (PollerKind.emulatedKqueue() && Events.isHangup(ctx.last())),
                    Events.toString(ctx.last()));
            reactor.deregister(fd);
            assertThrows(ConnectException.class, client::finishConnect, "SO_ERROR says ECONNREFUSED");
        }
    }

    @Test
    void shouldReportErrorEvenWhenOnlyReadIsAsked() throws Exception {
        // EPOLLERR is always reported, whatever the interest (man 2 epoll_ctl).
        int closedPort;
        try (ServerSocketChannel s = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        try (SocketChannel client = SocketChannel.open(); Reactor reactor = Reactor.open()) {
            client.configureBlocking(false);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
            Recorder ctx = new Recorder(Fds.of(client), Interest.READ);
            reactor.register(ctx);
            Loop.until(reactor, () -> ctx.count() > 0);
            // The emulator: HANGUP, the error left pending (see PollerKind.emulatedKqueue)
            assertTrue(Events.isError(ctx.last()) || (PollerKind.emulatedKqueue() && Events.isHangup(ctx.last())),
                    Events.toString(ctx.last()));
            reactor.deregister(Fds.of(client));
        }
    }
}
