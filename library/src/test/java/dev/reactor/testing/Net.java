package dev.reactor.testing;

import dev.reactor.io.Sockets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Loopback-only helpers for socket tests. */
public final class Net {
    private Net() { }

    /**
     * Opens, once, the fds the JDK keeps after first use (the entropy source behind temporary
     * names, the networking stack's probes), so that tests counting fds see only their own.
     */
    public static void warmUp() {
        freePort();
        ipv6Available();
        unixAddress().getPath().getParent().toFile().delete();
    }

    /** 127.0.0.1 with port 0 (the kernel picks one). */
    public static InetSocketAddress loopback4() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** [::1] with port 0. */
    public static InetSocketAddress loopback6() {
        try {
            return new InetSocketAddress(InetAddress.getByName("::1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when ::1 can be bound here (containers sometimes have no IPv6). */
    public static boolean ipv6Available() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(loopback6());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A path for a Unix socket in a fresh temporary directory (short enough for sun_path). */
    public static UnixDomainSocketAddress unixAddress() {
        try {
            Path dir = Files.createTempDirectory("rx");
            dir.toFile().deleteOnExit();
            Path sock = dir.resolve("s");
            sock.toFile().deleteOnExit();
            return UnixDomainSocketAddress.of(sock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback TCP port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accepts on a non-blocking listening fd, waiting (with a deadline) for a connection to arrive. */
    public static int acceptWithin(int listenFd, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            int fd = Sockets.accept(listenFd);
            if (fd >= 0) return fd;
            if (System.nanoTime() - end > 0) throw new AssertionError("no connection within " + deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
