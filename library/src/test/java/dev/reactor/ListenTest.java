package dev.reactor;

import dev.reactor.sys.Os;
import dev.reactor.sys.Errno;
import dev.reactor.sys.linux.Linux;
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
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ListenTest {
    private Reactor reactor;
    private final List<SocketChannel> clients = new ArrayList<>();
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
    void close() throws IOException {
        reactor.close();
        for (SocketChannel c : clients) c.close();
        fdsBefore.assertNoneOpened("fds leaked");
    }

    private SocketChannel client(SocketAddress server) throws IOException {
        SocketChannel c = server instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        clients.add(c);
        c.connect(server);          // completes in the kernel's accept queue, before any accept
        c.configureBlocking(false);
        return c;
    }

    /** Sends text and drives the loop until the same text comes back. */
    private void assertEchoes(SocketChannel c, String text) throws IOException {
        c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        ByteBuffer in = ByteBuffer.allocate(text.length());
        Loop.until(reactor, () -> read(c, in) >= 0 && !in.hasRemaining());
        assertEquals(text, new String(in.array(), StandardCharsets.UTF_8));
    }

    /** Drives the loop until the server closes c (the client reads end of stream). */
    private void assertClosedByServer(SocketChannel c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(16);
        Loop.until(reactor, () -> read(c, in) < 0);
    }

    private static int read(SocketChannel c, ByteBuffer in) {
        try {
            return c.read(in);
        } catch (IOException e) {
            return -1;   // reset by the server: closed too
        }
    }

    private void assertServesOn(SocketAddress address) throws IOException {
        List<SocketAddress> peers = new ArrayList<>();
        int listener = reactor.listen(address, (r, fd, peer) -> {
            peers.add(peer);
            return new Echo(fd);
        });
        SocketAddress bound = Sockets.localAddress(listener);
        SocketChannel c = client(bound);
        assertEchoes(c, "hello over " + address);
        SocketAddress expected = address instanceof UnixDomainSocketAddress
                ? UnixDomainSocketAddress.of("") : c.getLocalAddress();   // an unbound Unix client is unnamed
        assertEquals(List.of(expected), peers);
        assertEquals(2, reactor.registrations(), "the listener and the accepted connection");
    }

    @Test
    void shouldAcceptTcpOverIpv4AndRegisterTheHandlersContext() throws IOException {
        assertServesOn(Net.loopback4());
    }

    @Test
    void shouldAcceptTcpOverIpv6() throws IOException {
        assumeTrue(Net.ipv6Available(), "no IPv6 loopback here");
        assertServesOn(Net.loopback6());
    }

    @Test
    void shouldAcceptOnAUnixDomainSocket() throws IOException {
        UnixDomainSocketAddress path = Net.unixAddress();
        try {
            assertServesOn(path);
        } finally {
            path.getPath().toFile().delete();
        }
    }

    @Test
    void shouldHandThePeerAddressToTheHandler() throws IOException {
        SocketAddress[] seen = new SocketAddress[1];
        int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
            seen[0] = peer;
            return new Echo(fd);
        });
        SocketChannel c = client(Sockets.localAddress(listener));
        Loop.until(reactor, () -> seen[0] != null);
        assertEquals(c.getLocalAddress(), seen[0]);
    }

    @Test
    void shouldMakeTheListenerNonBlockingWithReuseAddress() throws IOException {
        int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> null);
        assertTrue(dev.reactor.io.Fds.isNonBlocking(listener));
        assertTrue(Sockets.reuseAddress(listener));
        assertFalse(Sockets.reusePort(listener), "SO_REUSEPORT only when asked");
    }

    @Test
    void shouldMakeAcceptedSocketsNonBlockingAndCloseOnExec() throws IOException {
        int[] accepted = {-1};
        int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
            accepted[0] = fd;
            return new Echo(fd);
        });
        client(Sockets.localAddress(listener));
        Loop.until(reactor, () -> accepted[0] >= 0);
        assertTrue(dev.reactor.io.Fds.isNonBlocking(accepted[0]));
        int fdFlags = Os.libc().fcntl(accepted[0], Linux.F_GETFD, 0);
        assertEquals(Linux.FD_CLOEXEC, fdFlags & Linux.FD_CLOEXEC, "accept4(SOCK_CLOEXEC): not inherited by exec");
        assertEquals(Linux.FD_CLOEXEC, Os.libc().fcntl(listener, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC);
    }

    /**
     * The backlog reaches listen(2): with backlog 1 and nobody accepting, the kernel queues two
     * connections (backlog + 1) and drops the third one's SYN, so that connect times out.
     */
    @Test
    void shouldPassTheBacklogToListen() throws IOException {
        int listener = reactor.listen(Net.loopback4(), ListenOptions.builder().backlog(1).build(), (r, fd, peer) -> null);
        SocketAddress server = Sockets.localAddress(listener);
        reactor.interest(listener, 0);   // accept nothing: the queue stays as the kernel fills it
        List<IOException> failures = new ArrayList<>();
        int[] connected = {0};
        ConnectionHandler client = new ConnectionHandler() {
            @Override public Context onConnection(Reactor r, int fd, SocketAddress peer) {
                connected[0]++;
                return new Echo(fd);
            }

            @Override public void onConnectFailed(Reactor r, SocketAddress address, IOException cause) {
                failures.add(cause);
            }
        };
        for (int i = 1; i <= 3; i++) {
            reactor.connect(server, ConnectOptions.timeout(java.time.Duration.ofMillis(300)), client);
            int attempt = i;
            Loop.until(reactor, () -> connected[0] + failures.size() == attempt);
        }
        assertEquals(2, connected[0]);
        assertEquals(1, failures.size());
        assertEquals(Errno.ETIMEDOUT, ((ReactorException) failures.get(0)).errno());
    }

    @Test
    void shouldCloseTheFdWhenTheHandlerReturnsNull() throws IOException {
        int[] offered = {0};
        int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
            offered[0]++;
            return null;
        });
        SocketChannel c = client(Sockets.localAddress(listener));
        assertClosedByServer(c);
        assertEquals(1, offered[0]);
        assertEquals(1, reactor.registrations(), "only the listener");
    }

    @Test
    void shouldCloseOnlyThatFdWhenTheHandlerThrows() throws IOException {
        int[] calls = {0};
        IllegalStateException refusal = new IllegalStateException("test: refuse the first connection");
        try (LogCapture log = LogCapture.start()) {
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
                if (calls[0]++ == 0) throw refusal;
                return new Echo(fd);
            });
            SocketAddress server = Sockets.localAddress(listener);
            SocketChannel first = client(server);
            assertClosedByServer(first);
            SocketChannel second = client(server);
            assertEchoes(second, "still accepting");
            assertEquals(2, reactor.registrations());
            assertEquals(1, log.records.stream().filter(r -> r.getMessage().endsWith("onConnection threw; closed")
                    && r.getThrown() == refusal).count(), "the failure logged once, with its exception: " + log.records);
        }
    }

    @Test
    void shouldCloseTheFdWhenTheContextIsForAnotherFd() throws IOException {
        try (LogCapture log = LogCapture.start()) {
            int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> new Echo(fd + 1000));
            SocketChannel c = client(Sockets.localAddress(listener));
            assertClosedByServer(c);
            assertEquals(1, reactor.registrations());
            assertTrue(log.records.stream().anyMatch(r -> r.getMessage().contains("onConnection returned a Context for fd ")
                    && r.getMessage().endsWith("; closed")), "logged: " + log.records);
        }
    }

    @Test
    void shouldAcceptABoundedBatchPerReadiness() throws IOException {
        List<Integer> accepted = new ArrayList<>();
        int listener = reactor.listen(Net.loopback4(), ListenOptions.builder().acceptBatch(2).build(),
                (r, fd, peer) -> {
                    accepted.add(fd);
                    return new Echo(fd);
                });
        SocketAddress server = Sockets.localAddress(listener);
        for (int i = 0; i < 5; i++) client(server);   // all five wait in the accept queue now
        Loop.until(reactor, () -> !accepted.isEmpty());
        assertEquals(2, accepted.size(), "one readiness, one batch of two");
        Loop.until(reactor, () -> accepted.size() == 5);
    }

    @Test
    void shouldSetTcpNoDelayOnAcceptedSocketsUnlessToldNot() throws IOException {
        Boolean[] noDelay = new Boolean[2];
        int on = reactor.listen(Net.loopback4(), (r, fd, peer) -> {
            noDelay[0] = Sockets.tcpNoDelay(fd);
            return null;
        });
        int off = reactor.listen(Net.loopback4(), ListenOptions.builder().tcpNoDelay(false).build(), (r, fd, peer) -> {
            noDelay[1] = Sockets.tcpNoDelay(fd);
            return null;
        });
        client(Sockets.localAddress(on));
        client(Sockets.localAddress(off));
        Loop.until(reactor, () -> noDelay[0] != null && noDelay[1] != null);
        assertTrue(noDelay[0]);
        assertFalse(noDelay[1]);
    }

    @Test
    void shouldShareAPortBetweenListenersWithReusePort() throws IOException {
        ListenOptions reuse = ListenOptions.builder().reusePort(true).backlog(16).build();
        int a = reactor.listen(Net.loopback4(), reuse, (r, fd, peer) -> new Echo(fd));
        InetSocketAddress bound = (InetSocketAddress) Sockets.localAddress(a);
        int b = reactor.listen(bound, reuse, (r, fd, peer) -> new Echo(fd));
        assertTrue(Sockets.reusePort(b));
        assertEquals(bound, Sockets.localAddress(b));
        assertEchoes(client(bound), "either listener");
    }

    @Test
    void shouldFailWithEaddrinuseAndLeakNothingWhenThePortIsTaken() throws IOException {
        int a = reactor.listen(Net.loopback4(), (r, fd, peer) -> null);
        SocketAddress bound = Sockets.localAddress(a);
        FdSnapshot fds = FdSnapshot.take();
        ReactorException e = assertThrows(ReactorException.class, () -> reactor.listen(bound, (r, fd, peer) -> null));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertTrue(e.call().startsWith("bind(fd="), e.call());
        fds.assertNoneOpened("the socket that could not bind");
        assertEquals(1, reactor.registrations());
    }

    @Test
    void shouldCloseListenerAndAcceptedSocketsWhenTheReactorCloses() throws IOException {
        int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> new Echo(fd));
        SocketChannel c = client(Sockets.localAddress(listener));
        assertEchoes(c, "x");
        reactor.close();
        assertFalse(dev.reactor.io.Fds.isOpen(listener));
        ByteBuffer in = ByteBuffer.allocate(1);
        Loop.await(Loop.DEFAULT_DEADLINE, () -> read(c, in) < 0);
    }

    @Test
    void shouldStopWatchingAListenerClosedByFd() throws IOException {
        int listener = reactor.listen(Net.loopback4(), (r, fd, peer) -> new Echo(fd));
        SocketAddress bound = Sockets.localAddress(listener);
        reactor.close(listener);
        assertEquals(0, reactor.registrations());
        IOException refused = assertThrows(IOException.class, () -> client(bound));
        assertNotNull(refused.getMessage());
    }

    @Test
    void shouldRefuseListenFromAnotherThread() throws Exception {
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                reactor.listen(Net.loopback4(), (r, fd, peer) -> null);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.start();
        t.join();
        assertInstanceOf(IllegalStateException.class, thrown[0]);
    }
}
