package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.Echo;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ConnectTest {
    private Reactor reactor;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private FdSnapshot fdsBefore;

    @BeforeAll
    static void warmUp() {
        Net.warmUp();
    }

    @BeforeEach
    void open() throws IOException {
        fdsBefore = FdSnapshot.take();
        reactor = Reactor.open();
    }

    @AfterEach
    void close() throws Exception {
        reactor.close();
        for (AutoCloseable c : closeAfter) c.close();
        fdsBefore.assertNoneOpened("fds leaked");
    }

    /** What a ConnectionHandler saw. */
    private static final class Recorder implements ConnectionHandler {
        int fd = -1;
        SocketAddress peer;
        IOException failure;
        Echo context;

        @Override public Context onConnection(Reactor r, int fd, SocketAddress peer) {
            this.fd = fd;
            this.peer = peer;
            context = new Echo(fd);
            return context;
        }

        @Override public void onConnectFailed(Reactor r, SocketAddress address, IOException cause) {
            failure = cause;
        }

        boolean done() {
            return fd >= 0 || failure != null;
        }
    }

    private ServerSocketChannel server(SocketAddress address) throws IOException {
        ServerSocketChannel s = address instanceof UnixDomainSocketAddress
                ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
        closeAfter.add(s);
        s.bind(address);
        if (address instanceof UnixDomainSocketAddress) closeAfter.add(() -> ((UnixDomainSocketAddress) address).getPath().toFile().delete());
        return s;
    }

    private void assertConnectsAndTalks(SocketAddress bindTo) throws IOException {
        ServerSocketChannel server = server(bindTo);
        SocketAddress address = server.getLocalAddress();
        Recorder h = new Recorder();
        int fd = reactor.connect(address, h);
        assertTrue(fd >= 0);
        Loop.until(reactor, h::done);
        assertNull(h.failure);
        assertEquals(fd, h.fd, "the handler gets the fd connect returned");
        assertEquals(address, h.peer);
        assertSame(h.context, reactor.context(fd), "its Context is registered");

        SocketChannel accepted = server.accept();
        closeAfter.add(accepted);
        accepted.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer in = ByteBuffer.allocate(4);
        accepted.configureBlocking(false);
        Loop.until(reactor, () -> {
            try {
                accepted.read(in);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !in.hasRemaining();
        });
        assertEquals("ping", new String(in.array(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldConnectOverIpv4AndRegisterTheHandlersContext() throws IOException {
        assertConnectsAndTalks(Net.loopback4());
    }

    @Test
    void shouldConnectOverIpv6() throws IOException {
        assumeTrue(Net.ipv6Available(), "no IPv6 loopback here");
        assertConnectsAndTalks(Net.loopback6());
    }

    @Test
    void shouldConnectToAUnixDomainSocket() throws IOException {
        assertConnectsAndTalks(Net.unixAddress());
    }

    @Test
    void shouldSetTcpNoDelayUnlessToldNot() throws IOException {
        ServerSocketChannel server = server(Net.loopback4());
        int on = reactor.connect(server.getLocalAddress(), new Recorder());
        int off = reactor.connect(server.getLocalAddress(), ConnectOptions.builder().tcpNoDelay(false).build(), new Recorder());
        assertTrue(Sockets.tcpNoDelay(on));
        assertEquals(false, Sockets.tcpNoDelay(off));
    }

    @Test
    void shouldReportARefusedConnectWithEconnrefusedAndCloseTheFd() throws IOException {
        InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), Net.freePort());
        Recorder h = new Recorder();
        int fd = reactor.connect(nobody, h);
        Loop.until(reactor, h::done);
        ReactorException e = assertInstanceOf(ReactorException.class, h.failure);
        assertEquals(Errno.ECONNREFUSED, e.errno());
        assertEquals("connect(fd=" + fd + ", " + nobody + ")", e.call());
        assertEquals(-1, h.fd, "onConnection never ran");
        assertNull(reactor.context(fd));
        assertEquals(0, reactor.registrations());
    }

    @Test
    void shouldReportAnImmediateFailureFromTheLoopNotFromConnect() throws IOException {
        UnixDomainSocketAddress missing = UnixDomainSocketAddress.of(Net.unixAddress().getPath());
        Recorder h = new Recorder();
        int fd = reactor.connect(missing, h);      // fails at once inside connect(2): ENOENT
        assertNull(h.failure, "not reported inside connect()");
        Loop.until(reactor, h::done);
        ReactorException e = assertInstanceOf(ReactorException.class, h.failure);
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("fd=" + fd), e.getMessage());
        assertEquals(0, reactor.registrations());
    }

    @Test
    void shouldTimeOutWithEtimedoutWhenTheListenersQueueIsFull() throws IOException {
        // A listener with backlog 0 that never accepts holds one connection; the kernel then
        // drops further SYNs, so the next connect stays pending until our timer fires.
        int listener = Sockets.open(Net.loopback4());
        closeAfter.add(() -> Fds.close(listener));
        Sockets.bind(listener, Net.loopback4());
        Sockets.listen(listener, 0);
        SocketAddress full = Sockets.localAddress(listener);
        Recorder filler = new Recorder();
        reactor.connect(full, filler);
        Loop.until(reactor, filler::done);
        assertNull(filler.failure);

        Recorder h = new Recorder();
        long start = System.nanoTime();
        int fd = reactor.connect(full, ConnectOptions.timeout(Duration.ofMillis(200)), h);
        Loop.until(reactor, h::done);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        ReactorException e = assertInstanceOf(ReactorException.class, h.failure, "" + h.failure);
        assertEquals(Errno.ETIMEDOUT, e.errno());
        assertTrue(e.getMessage().contains("timed out after 200 ms"), e.getMessage());
        assertTrue(tookMillis >= 200, "not before the timeout: " + tookMillis + " ms");
        assertNull(reactor.context(fd));
        assertEquals(1, reactor.registrations(), "only the filler connection");
    }

    @Test
    void shouldCancelTheTimeoutOnceConnected() throws IOException {
        ServerSocketChannel server = server(Net.loopback4());
        Recorder h = new Recorder();
        int fd = reactor.connect(server.getLocalAddress(), ConnectOptions.timeout(Duration.ofMillis(50)), h);
        Loop.until(reactor, h::done);
        long end = System.nanoTime() + Duration.ofMillis(150).toNanos();
        Loop.until(reactor, () -> System.nanoTime() - end > 0);   // well past the timeout
        assertNull(h.failure);
        assertSame(h.context, reactor.context(fd));
    }

    @Test
    void shouldCloseTheFdWhenOnConnectionReturnsNullOrThrows() throws IOException {
        ServerSocketChannel server = server(Net.loopback4());
        int[] calls = {0};
        ConnectionHandler refuse = (r, fd, peer) -> {
            calls[0]++;
            return null;
        };
        IllegalStateException failure = new IllegalStateException("test: handler fails");
        ConnectionHandler fail = (r, fd, peer) -> {
            calls[0]++;
            throw failure;
        };
        int a;
        int b;
        try (LogCapture log = LogCapture.start()) {
            a = reactor.connect(server.getLocalAddress(), refuse);
            b = reactor.connect(server.getLocalAddress(), fail);
            Loop.until(reactor, () -> calls[0] == 2);
            assertEquals(1, log.records.stream().filter(r -> r.getMessage().endsWith("onConnection threw; closed")
                    && r.getThrown() == failure).count(), "the throwing handler logged once: " + log.records);
        }
        assertEquals(0, reactor.registrations());
        for (int i = 0; i < 2; i++) {
            SocketChannel accepted = server.accept();
            closeAfter.add(accepted);
            ByteBuffer in = ByteBuffer.allocate(1);
            assertEquals(-1, accepted.read(in), "the reactor closed its end");
        }
        assertTrue(a != b);
    }

    @Test
    void shouldRejectAnUnsupportedAddressWithoutLeaking() {
        assertThrows(IllegalArgumentException.class,
                () -> reactor.connect(InetSocketAddress.createUnresolved("localhost", 1), new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> reactor.connect(new SocketAddress() { }, new Recorder()));
        assertEquals(0, reactor.registrations());
    }

    @Test
    void shouldCloseAConnectingSocketWhenTheReactorCloses() throws IOException {
        InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), Net.freePort());
        FdSnapshot fds = FdSnapshot.take();
        int fd = reactor.connect(nobody, new Recorder());
        assertTrue(Fds.isOpen(fd));
        assertEquals(1, FdSnapshot.of("socket:", fds.opened()).size(), "" + fds.opened());
        reactor.close();
        fdsBefore.assertNoneOpened("the connecting socket closed with the reactor's own fds");
    }
}
