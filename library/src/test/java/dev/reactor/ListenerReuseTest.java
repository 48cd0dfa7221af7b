package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.FdNumbers;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A listener's handler closes the listener, and the fd number goes at once to the next socket
 * the handler makes (the kernel hands out the lowest free number). The old Acceptor must stop
 * at the end of its registration: it must not accept on the new socket, fail on it, close it, or
 * hand the new listener's connections to the old handler.
 */
class ListenerReuseTest {
    private final List<Integer> fillers = new ArrayList<>();
    private FdSnapshot before;

    @BeforeAll
    static void warmUp() {
        Net.warmUp();
    }

    /** The listener is made at the top of the fd numbers, so its number is the next socket's once it closes. */
    @BeforeEach
    void fillFdGaps() throws IOException {
        before = FdSnapshot.take();
        fillers.addAll(FdNumbers.fillGaps());
    }

    @AfterEach
    void closeFillers() {
        for (int fd : fillers) Fds.closeQuietly(fd);
        before.assertNoneOpened("nothing leaked");
    }

    @Test
    void shouldNotTouchTheConnectorThatTookTheClosedListenersNumber() throws Exception {
        // A one-shot proxy: the first connection closes the listener and connects onwards.
        try (ServerSocket upstream = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             Reactor reactor = Reactor.open()) {
            int[] numbers = {-1, -1};
            List<String> outcome = new ArrayList<>();
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
                r.close(numbers[0]);
                numbers[1] = r.connect(upstream.getLocalSocketAddress(), new ConnectionHandler() {
                    @Override public Context onConnection(Reactor loop, int up, SocketAddress to) {
                        outcome.add("connected");
                        return new Recorder(up, Interest.READ);
                    }
                    @Override public void onConnectFailed(Reactor loop, SocketAddress to, IOException cause) {
                        outcome.add("failed: " + cause.getMessage());
                    }
                });
                return new Recorder(fd, Interest.READ);
            });
            numbers[0] = listener;
            try (Socket client = new Socket()) {
                client.connect(Sockets.localAddress(listener));
                Loop.until(reactor, () -> !outcome.isEmpty());
                assertEquals(List.of("connected"), outcome, "the connector was not killed");
                assertEquals(numbers[0], numbers[1], "the connecting socket got the listener's number");
                upstream.accept().close();
            }
        }
    }

    @Test
    void shouldHandTheNewListenersConnectionsToTheNewHandler() throws Exception {
        try (Reactor reactor = Reactor.open(); Socket a = new Socket(); Socket b = new Socket()) {
            List<String> accepted = new ArrayList<>();
            int[] listeners = {-1, -1};
            listeners[0] = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
                accepted.add("old");
                r.close(listeners[0]);           // and listen again
                listeners[1] = r.listen(Net.loopback4(), (loop, conn, from) -> {
                    accepted.add("new");
                    return new Recorder(conn, Interest.READ);
                });
                // A client of the new listener is already queued when this handler returns,
                // while the old Acceptor is still inside its accept batch.
                b.connect(Sockets.localAddress(listeners[1]));
                return new Recorder(fd, Interest.READ);
            });
            a.connect(Sockets.localAddress(listeners[0]));
            Loop.until(reactor, () -> accepted.size() == 2);
            assertEquals(listeners[0], listeners[1], "the new listener got the old one's number");
            assertEquals(List.of("old", "new"), accepted);
        }
    }
}
