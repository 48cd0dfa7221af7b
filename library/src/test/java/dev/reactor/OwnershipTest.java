package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An owned fd is closed on every path that ends its registration other than an explicit
 * deregister; a borrowed one is never closed by the reactor on its own. Connections that
 * listen/connect hand over are owned, however the handler registers them, and whatever it throws.
 */
class OwnershipTest {
    private LogCapture log;
    private FdSnapshot before;

    @BeforeAll
    static void warmUp() {
        Net.warmUp();
    }

    @BeforeEach
    void setUp() {
        log = LogCapture.start();
        before = FdSnapshot.take();
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    /** What /proc says fd points to now ("" when closed): compared, not the number, which is reused. */
    @LinuxOnly("/proc/self/fd")
    private static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException closed) {
            return "";
        }
    }

    @Test
    @LinuxOnly("/proc")
    void shouldCloseAnOwnedFdWhenTheDefaultOnErrorEndsItsRegistration() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            reactor.register(new Recorder(pair[0], Interest.READ, (r, ev) -> {
                Io.readAvailable(pair[0]);       // nothing left unread, so the close is a FIN, not a reset
                throw new IOException("boom");
            }), Ownership.OWNED);
            assertEquals(Ownership.OWNED, reactor.ownership(pair[0]));
            String socket = target(pair[0]);
            Io.write(pair[1], "x");
            Loop.until(reactor, () -> reactor.context(pair[0]) == null);
            assertFalse(socket.equals(target(pair[0])), "the owned fd is closed");
            assertEquals(-1, Fds.read(pair[1], ByteBuffer.allocate(8)), "the peer sees the close");
            assertTrue(log.records.get(0).getMessage().contains("closed"), log.records.get(0).getMessage());
        } finally {
            Io.closeAll(pair[1]);
        }
    }

    @Test
    void shouldOnlyDeregisterABorrowedFdWhenTheDefaultOnErrorRuns() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            reactor.register(new Recorder(pair[0], Interest.READ, (r, ev) -> { throw new IOException("boom"); }));
            assertEquals(Ownership.BORROWED, reactor.ownership(pair[0]));
            Io.write(pair[1], "x");
            Loop.until(reactor, () -> reactor.context(pair[0]) == null);
            assertTrue(Fds.isOpen(pair[0]), "a borrowed fd stays open");
            assertEquals("x", Io.readAvailable(pair[0]));
        } finally {
            Io.closeAll(pair[0], pair[1]);
        }
    }

    @Test
    @LinuxOnly("/proc")
    void shouldCloseAnOwnedFdWhoseOnErrorThrows() throws Exception {
        int[] pair = Fds.socketpair();
        Context ctx = new Recorder(pair[0], Interest.READ, (r, ev) -> { throw new IOException("boom"); }) {
            @Override public void onError(Reactor reactor, Exception error) {
                throw new IllegalStateException("and again");
            }
        };
        try (Reactor reactor = Reactor.open()) {
            reactor.register(ctx, Ownership.OWNED);
            String socket = target(pair[0]);
            Io.write(pair[1], "x");
            Loop.until(reactor, () -> reactor.context(pair[0]) == null);
            assertFalse(socket.equals(target(pair[0])), "closed after onError threw");
        } finally {
            Io.closeAll(pair[1]);
        }
    }

    @Test
    void shouldHandAnOwnedFdBackOnDeregister() throws Exception {
        int[] pair = Fds.socketpair();
        try {
            Reactor reactor = Reactor.open();
            Recorder ctx = new Recorder(pair[0], Interest.READ);
            reactor.register(ctx, Ownership.OWNED);
            assertSame(ctx, reactor.deregister(pair[0]));
            assertNull(reactor.ownership(pair[0]));
            reactor.close();
            assertTrue(Fds.isOpen(pair[0]), "deregister handed the fd back: the reactor does not close it");
        } finally {
            Io.closeAll(pair[0], pair[1]);
        }
    }

    @Test
    @LinuxOnly("/proc")
    void shouldCloseOwnedAndLeaveBorrowedFdsOnReactorClose() throws Exception {
        int[] owned = Fds.socketpair();
        int[] borrowed = Fds.socketpair();
        try {
            Reactor reactor = Reactor.open();
            reactor.register(new Recorder(owned[0], Interest.READ), Ownership.OWNED);
            reactor.register(new Recorder(borrowed[0], Interest.READ), Ownership.BORROWED);
            String socket = target(owned[0]);
            reactor.close();
            assertFalse(socket.equals(target(owned[0])));
            assertTrue(Fds.isOpen(borrowed[0]));
        } finally {
            Io.closeAll(owned[1], borrowed[0], borrowed[1]);
        }
    }

    @Test
    void shouldRefuseANullOwnership() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            assertThrows(NullPointerException.class, () -> reactor.register(new Recorder(pair[0], Interest.READ), null));
            assertNull(reactor.context(pair[0]));
        } finally {
            Io.closeAll(pair[0], pair[1]);
        }
    }

    // ---- connections: listen/connect hand over owned fds ----------------------------------------

    /** The README's echo server: a reset from the client makes Fds.read throw ECONNRESET. */
    @Test
    @LinuxOnly("/proc")
    void shouldCloseAnAcceptedSocketWhoseContextThrowsOnAReset() throws Exception {
        List<Integer> accepted = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        try (Reactor reactor = Reactor.open()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
                accepted.add(fd);
                targets.add(target(fd));
                return Context.of(fd, Interest.READ, (loop, events) -> {
                    buf.clear();
                    if (Fds.read(fd, buf) < 0) loop.close(fd);
                    else Fds.write(fd, buf.flip());
                });
            });
            try (Socket client = new Socket()) {
                client.connect(Sockets.localAddress(listener));
                Loop.until(reactor, () -> accepted.size() == 1 && reactor.context(accepted.get(0)) != null);
                client.setSoLinger(true, 0);   // close() sends RST
            }
            int fd = accepted.get(0);
            Loop.until(reactor, () -> reactor.context(fd) == null);
            assertFalse(targets.get(0).equals(target(fd)), "the reset socket is closed, not leaked");
            assertTrue(log.records.stream().anyMatch(l -> l.getThrown() instanceof ReactorException e
                    && e.getMessage().contains("ECONNRESET")), "the failure was ECONNRESET, logged");
        }
        before.assertNoneOpened("nothing leaked");
    }

    @Test
    void shouldOwnAnAcceptedSocketWhoseHandlerRegisteredItsContextItself() throws Exception {
        List<Integer> accepted = new ArrayList<>();
        Socket client = new Socket();
        try {
            Reactor reactor = Reactor.open();
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
                Context ctx = new Recorder(fd, Interest.READ);
                r.register(ctx);                 // to arm a timeout on it, the natural way
                r.timeout(Duration.ofHours(1), fd);
                accepted.add(fd);
                return ctx;
            });
            client.connect(Sockets.localAddress(listener));
            Loop.until(reactor, () -> accepted.size() == 1);
            int fd = accepted.get(0);
            assertEquals(Ownership.OWNED, reactor.ownership(fd));
            reactor.close();
            client.setSoTimeout(10_000);
            assertEquals(-1, client.getInputStream().read(), "reactor.close() closed the accepted socket");
        } finally {
            client.close();
        }
        before.assertNoneOpened("nothing leaked");
    }

    @Test
    void shouldCloseAnAcceptedSocketWhenOnConnectionThrowsAnError() throws Exception {
        AssertionError fatal = new AssertionError("not swallowed");
        Socket client = new Socket();
        try (Reactor reactor = Reactor.open()) {
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> { throw fatal; });
            client.connect(Sockets.localAddress(listener));
            AssertionError thrown = assertThrows(AssertionError.class, () -> Loop.until(reactor, () -> false));
            assertSame(fatal, thrown, "the Error goes on up");
            client.setSoTimeout(10_000);
            assertEquals(-1, client.getInputStream().read(), "but the accepted fd was closed first");
            assertEquals(1, reactor.registrations(), "only the listener is left");
        } finally {
            client.close();
        }
        before.assertNoneOpened("nothing leaked");
    }

    @Test
    void shouldCloseAConnectedSocketWhenOnConnectionThrowsAnError() throws Exception {
        AssertionError fatal = new AssertionError("not swallowed");
        try (ServerSocket server = new ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress());
             Reactor reactor = Reactor.open()) {
            reactor.connect(server.getLocalSocketAddress(), (r, fd, peer) -> { throw fatal; });
            try (Socket peer = server.accept()) {
                AssertionError thrown = assertThrows(AssertionError.class, () -> Loop.until(reactor, () -> false));
                assertSame(fatal, thrown);
                peer.setSoTimeout(10_000);
                InputStream in = peer.getInputStream();
                assertEquals(-1, in.read(), "the connected fd was closed");
                assertEquals(0, reactor.registrations());
            }
        }
        before.assertNoneOpened("nothing leaked");
    }

    @Test
    void shouldOwnAConnectedSocketWhoseHandlerRegisteredItsContextItself() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress())) {
            Reactor reactor = Reactor.open();
            List<Integer> connected = new ArrayList<>();
            reactor.connect(server.getLocalSocketAddress(), new ConnectionHandler() {
                @Override public Context onConnection(Reactor r, int fd, SocketAddress peer) throws IOException {
                    Context ctx = new Recorder(fd, Interest.READ);
                    r.register(ctx, Ownership.BORROWED);   // even asked borrowed: the connection is the reactor's
                    connected.add(fd);
                    return ctx;
                }
            });
            try (Socket peer = server.accept()) {
                Loop.until(reactor, () -> connected.size() == 1);
                assertEquals(Ownership.OWNED, reactor.ownership(connected.get(0)));
                reactor.close();
                peer.setSoTimeout(10_000);
                assertEquals(-1, peer.getInputStream().read());
            }
        }
        before.assertNoneOpened("nothing leaked");
    }

    @Test
    void shouldReportListeningAndConnectingSocketsAsOwned() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress());
             Reactor reactor = Reactor.open()) {
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> null);
            int connecting = reactor.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
                    (r, fd, peer) -> null);
            assertEquals(Ownership.OWNED, reactor.ownership(listener));
            assertEquals(Ownership.OWNED, reactor.ownership(connecting));
        }
        before.assertNoneOpened("nothing leaked");
    }
}
