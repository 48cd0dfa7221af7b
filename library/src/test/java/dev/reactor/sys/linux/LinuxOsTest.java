package dev.reactor.sys.linux;

import dev.reactor.ffi.LibC;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.sys.Os;
import dev.reactor.sys.Platform;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Linux's door: the one-call forms and the portable sequences the BSDs use (the call, then
 * fcntl twice), both run here on real fds: every fd made is non-blocking and close-on-exec.
 */
@LinuxOnly("LinuxOs, the OS layer of Linux")
class LinuxOsTest {
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;
    private final LibC c = Os.libc();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
    private final long address = c.address(scratch);

    @BeforeEach
    void linuxOnly() {
        assumeTrue(Platform.LINUX, "Linux only");
    }

    /** The suite's own setting (the kqueue-jnr suite sets it), put back after each test. */
    private final String suiteSetting = System.getProperty(LinuxOs.PORTABLE_CALLS);

    @AfterEach
    void restore() {
        if (suiteSetting == null) System.clearProperty(LinuxOs.PORTABLE_CALLS);
        else System.setProperty(LinuxOs.PORTABLE_CALLS, suiteSetting);
    }

    private static LinuxOs os(boolean portable) {
        System.setProperty(LinuxOs.PORTABLE_CALLS, Boolean.toString(portable));
        LinuxOs os = new LinuxOs();
        assertEquals(portable, os.portableCalls());
        return os;
    }

    private void assertNonBlockingAndCloseOnExec(Os os, int fd) throws Exception {
        assertTrue(os.isNonBlocking(c, fd), "fd " + fd + " is non-blocking");
        assertEquals(FD_CLOEXEC, c.fcntl(fd, F_GETFD, 0) & FD_CLOEXEC, "fd " + fd + " is close-on-exec");
    }

    @Test
    void shouldMakeEveryFdNonBlockingAndCloseOnExecEitherWay() throws Exception {
        for (boolean portable : new boolean[] {false, true}) {
            LinuxOs os = os(portable);
            int[] pipe = os.pipe(c, scratch, address);
            int[] pair = os.socketpair(c, scratch, address);
            int socket = os.socket(c, os.sockaddr().layout().afInet());
            try {
                for (int fd : new int[] {pipe[0], pipe[1], pair[0], pair[1], socket}) assertNonBlockingAndCloseOnExec(os, fd);
            } finally {
                for (int fd : new int[] {pipe[0], pipe[1], pair[0], pair[1], socket}) Fds.closeQuietly(fd);
            }
        }
    }

    @Test
    void shouldAcceptNonBlockingAndCloseOnExecEitherWay() throws Exception {
        for (boolean portable : new boolean[] {false, true}) {
            LinuxOs os = os(portable);
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            int listener = Sockets.open(any);
            int client = -1;
            int accepted = -1;
            try {
                Sockets.bind(listener, any);
                Sockets.listen(listener, 8);
                assertEquals(-1, os.accept(c, listener), "nothing waiting: -1 (EAGAIN)");
                client = Sockets.open(any);
                Sockets.connect(client, Sockets.localAddress(listener));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while ((accepted = os.accept(c, listener)) < 0 && System.nanoTime() < deadline) Thread.onSpinWait();
                assertTrue(accepted >= 0, "accepted within 10 s");
                assertNonBlockingAndCloseOnExec(os, accepted);
            } finally {
                Fds.closeQuietly(accepted);
                Fds.closeQuietly(client);
                Fds.closeQuietly(listener);
            }
        }
    }

    @Test
    void shouldRefuseACpuWhoseLayoutItDoesNotKnowNamingIt() {
        assertNull(LinuxOs.unsupported(true, "amd64"));
        assertEquals("no poller for Linux on ppc64le: epoll's event layout and the syscall numbers"
                + " are known for x86_64 (amd64) and aarch64 only", LinuxOs.unsupported(false, "ppc64le"));
    }
}
