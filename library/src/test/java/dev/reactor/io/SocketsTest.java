package dev.reactor.io;

import dev.reactor.ReactorException;
import dev.reactor.sys.Errno;
import dev.reactor.testing.FdSnapshot;
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
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SocketsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private final List<Integer> fds = new ArrayList<>();
    private FdSnapshot fdsBefore;

    @BeforeAll
    static void warmUp() {
        Net.warmUp();
    }

    @BeforeEach
    void countFds() {
        fdsBefore = FdSnapshot.take();
    }

    @AfterEach
    void closeAndCheckLeaks() {
        for (int fd : fds) Fds.closeQuietly(fd);
        fdsBefore.assertNoneOpened("fds leaked");
    }

    private int track(int fd) {
        fds.add(fd);
        return fd;
    }

    /** [listening, client, accepted] */
    private int[] connectedPair(SocketAddress bindTo) throws IOException {
        int listener = track(Sockets.open(bindTo));
        Sockets.bind(listener, bindTo);
        Sockets.listen(listener, 16);
        SocketAddress target = Sockets.localAddress(listener);
        int client = track(Sockets.open(target));
        Sockets.connect(client, target);
        int server = track(Net.acceptWithin(listener, DEADLINE));
        return new int[] {listener, client, server};
    }

    @Test
    void shouldReportLocalAndPeerAddressesOverIpv4() throws IOException {
        int[] p = connectedPair(Net.loopback4());
        InetSocketAddress listening = (InetSocketAddress) Sockets.localAddress(p[0]);
        assertEquals(InetAddress.getLoopbackAddress(), listening.getAddress());
        assertTrue(listening.getPort() > 0, "port 0 was replaced by the kernel's choice");
        assertEquals(listening, Sockets.peerAddress(p[1]));
        assertEquals(Sockets.localAddress(p[1]), Sockets.peerAddress(p[2]));
        assertEquals(listening.getPort(), Sockets.localPort(p[2]));
    }

    @Test
    void shouldReportLocalAndPeerAddressesOverIpv6() throws IOException {
        assumeTrue(Net.ipv6Available(), "no IPv6 loopback here");
        int[] p = connectedPair(Net.loopback6());
        InetSocketAddress listening = (InetSocketAddress) Sockets.localAddress(p[0]);
        assertEquals(InetAddress.getByName("::1"), listening.getAddress());
        assertEquals(listening, Sockets.peerAddress(p[1]));
        InetSocketAddress peer = (InetSocketAddress) Sockets.peerAddress(p[2]);
        assertEquals(InetAddress.getByName("::1"), peer.getAddress());
        assertEquals(((InetSocketAddress) Sockets.localAddress(p[1])).getPort(), peer.getPort());
    }

    @Test
    void shouldReportUnixDomainAddresses() throws IOException {
        UnixDomainSocketAddress path = Net.unixAddress();
        try {
            int[] p = connectedPair(path);
            assertEquals(path, Sockets.localAddress(p[0]));
            assertEquals(path, Sockets.peerAddress(p[1]));
            // The client never bound: its own address, seen from either side, is unnamed.
            assertEquals(UnixDomainSocketAddress.of(""), Sockets.peerAddress(p[2]));
            assertEquals(-1, Sockets.localPort(p[0]));
        } finally {
            path.getPath().toFile().delete();
        }
    }

    @Test
    void shouldSetAndGetTcpNoDelay() throws IOException {
        int fd = track(Sockets.open(Net.loopback4()));
        assertFalse(Sockets.tcpNoDelay(fd), "off by default (Nagle on)");
        Sockets.setTcpNoDelay(fd, true);
        assertTrue(Sockets.tcpNoDelay(fd));
        Sockets.setTcpNoDelay(fd, false);
        assertFalse(Sockets.tcpNoDelay(fd));
    }

    @Test
    void shouldSetAndGetReuseAddress() throws IOException {
        int fd = track(Sockets.open(Net.loopback4()));
        assertFalse(Sockets.reuseAddress(fd));
        Sockets.setReuseAddress(fd, true);
        assertTrue(Sockets.reuseAddress(fd));
    }

    @Test
    void shouldLetTwoSocketsListenOnOnePortWithReusePort() throws IOException {
        int a = track(Sockets.open(Net.loopback4()));
        assertFalse(Sockets.reusePort(a));
        Sockets.setReusePort(a, true);
        assertTrue(Sockets.reusePort(a));
        Sockets.bind(a, Net.loopback4());
        Sockets.listen(a, 4);
        SocketAddress bound = Sockets.localAddress(a);

        int b = track(Sockets.open(bound));
        Sockets.setReusePort(b, true);
        Sockets.bind(b, bound);           // EADDRINUSE without SO_REUSEPORT on both
        Sockets.listen(b, 4);
        assertEquals(bound, Sockets.localAddress(b));

        int c = track(Sockets.open(bound));
        ReactorException e = assertThrows(ReactorException.class, () -> Sockets.bind(c, bound));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertTrue(e.getMessage().startsWith("bind(fd=" + c + ", "), e.getMessage());
    }

    @Test
    void shouldSetAndGetBufferSizes() throws IOException {
        int fd = track(Sockets.open(Net.loopback4()));
        Sockets.setReceiveBufferSize(fd, 32 * 1024);
        Sockets.setSendBufferSize(fd, 48 * 1024);
        // Linux stores twice the request (socket(7)); either way, what we asked for is there.
        assertEquals(64 * 1024, Sockets.receiveBufferSize(fd));
        assertEquals(96 * 1024, Sockets.sendBufferSize(fd));
        Sockets.setReceiveBufferSize(fd, 8 * 1024);
        assertEquals(16 * 1024, Sockets.receiveBufferSize(fd));
        ReactorException e = assertThrows(ReactorException.class, () -> Sockets.setSendBufferSize(fd, 0));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void shouldReportRefusedConnectThroughSocketErrorOnce() throws IOException {
        InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), Net.freePort());
        int fd = track(Sockets.open(nobody));
        boolean connected = Sockets.connect(fd, nobody);
        assertFalse(connected, "a TCP connect is in progress, even on loopback");
        int[] error = {0};
        Loop.await(DEADLINE, () -> {
            try {
                error[0] = Sockets.socketError(fd);
            } catch (ReactorException e) {
                throw new AssertionError(e);
            }
            return error[0] != 0;
        });
        assertEquals(Errno.ECONNREFUSED, error[0]);
        assertEquals(0, Sockets.socketError(fd), "reading SO_ERROR clears it");
    }

    @Test
    void shouldShutdownTheWriteSideSoThePeerReadsEndOfStream() throws IOException {
        int[] p = connectedPair(Net.loopback4());
        ByteBuffer out = ByteBuffer.wrap(new byte[] {1, 2, 3});
        assertEquals(3, Fds.write(p[1], out));
        Sockets.shutdown(p[1], Sockets.SHUT_WR);
        ByteBuffer in = ByteBuffer.allocate(16);
        int[] last = {0};
        Loop.await(DEADLINE, () -> {
            try {
                last[0] = Fds.read(p[2], in);
            } catch (ReactorException e) {
                throw new AssertionError(e);
            }
            return last[0] == -1;
        });
        assertEquals(3, in.position(), "the bytes before the shutdown arrive, then end of stream");
        // The other direction still works.
        assertEquals(1, Fds.write(p[2], ByteBuffer.wrap(new byte[] {9})));
        ReactorException e = assertThrows(ReactorException.class, () -> Sockets.shutdown(p[1], 7));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void shouldNameCallFdAndErrnoForABadFd() {
        int[] bad = {-1, 999_999};
        for (int fd : bad) {
            ReactorException e = assertThrows(ReactorException.class, () -> Sockets.tcpNoDelay(fd));
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("getsockopt(fd=" + fd + ", TCP_NODELAY): EBADF (Bad file descriptor)", e.getMessage());
        }
        ReactorException peer = assertThrows(ReactorException.class, () -> Sockets.peerAddress(999_999));
        assertEquals("getpeername(fd=999999)", peer.call());
    }

    @Test
    void shouldRefuseSocketCallsOnAnFdThatIsNotASocket() throws IOException {
        int[] pipe = Fds.pipe();
        track(pipe[0]);
        track(pipe[1]);
        ReactorException e = assertThrows(ReactorException.class, () -> Sockets.socketError(pipe[0]));
        assertEquals(Errno.ENOTSOCK, e.errno());
        ReactorException a = assertThrows(ReactorException.class, () -> Sockets.accept(pipe[0]));
        assertEquals((dev.reactor.testing.PollerKind.portableCalls() ? "accept(fd=" : "accept4(fd=") + pipe[0] + ")", a.call());
    }

    @Test
    void shouldRejectAUnixPathLongerThanSunPath() throws IOException {
        UnixDomainSocketAddress tooLong = UnixDomainSocketAddress.of("/tmp/" + "x".repeat(200));
        int fd = track(Sockets.open(tooLong));
        ReactorException e = assertThrows(ReactorException.class, () -> Sockets.bind(fd, tooLong));
        assertEquals(Errno.ENAMETOOLONG, e.errno());
    }

    @Test
    void shouldRejectUnresolvedAndUnsupportedAddresses() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("localhost", 80);
        assertThrows(IllegalArgumentException.class, () -> Sockets.open(unresolved));
        SocketAddress odd = new SocketAddress() { };
        assertThrows(IllegalArgumentException.class, () -> Sockets.open(odd));
    }

    @Test
    void shouldMakeNonBlockingSockets() throws IOException {
        int[] p = connectedPair(Net.loopback4());
        for (int fd : p) assertTrue(Fds.isNonBlocking(fd), "fd " + fd);
        assertEquals(-1, Sockets.accept(p[0]), "nothing pending: -1, not a block");
        assertInstanceOf(InetSocketAddress.class, Sockets.peerAddress(p[2]));
    }
}
