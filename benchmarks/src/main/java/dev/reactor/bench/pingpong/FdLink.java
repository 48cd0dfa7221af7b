package dev.reactor.bench.pingpong;

import dev.reactor.io.Fds;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two ends of a ping-pong transport as raw fds, made the way pingpong.c makes them:
 * two eventfds, two pipes, a Unix stream socket pair, or a TCP loopback connection with
 * TCP_NODELAY. Sockets are made with java.nio and handed over with {@link Fds#of}: the
 * channels keep owning them, so closing this closes the channels.
 */
final class FdLink implements AutoCloseable {
    final int pingRead, pingWrite, pongRead, pongWrite;
    private final int[] ownFds;
    private final List<AutoCloseable> channels;

    private FdLink(int pingRead, int pingWrite, int pongRead, int pongWrite, int[] ownFds, List<AutoCloseable> channels) {
        this.pingRead = pingRead;
        this.pingWrite = pingWrite;
        this.pongRead = pongRead;
        this.pongWrite = pongWrite;
        this.ownFds = ownFds;
        this.channels = channels;
    }

    static FdLink open(String transport) throws IOException {
        switch (transport) {
            case "eventfd": {
                int ab = Fds.eventfd();
                int ba = Fds.eventfd();
                return new FdLink(ba, ab, ab, ba, new int[] {ab, ba}, List.of());
            }
            case "pipe": {
                int[] ab = Fds.pipe();
                int[] ba = Fds.pipe();
                return new FdLink(ba[0], ab[1], ab[0], ba[1], new int[] {ab[0], ab[1], ba[0], ba[1]}, List.of());
            }
            case "unix": {
                Path dir = Files.createTempDirectory("pingpong");
                Path path = dir.resolve("s");
                List<AutoCloseable> open = new ArrayList<>();
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(path));
                    SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    open.add(a);
                    SocketChannel b = server.accept();
                    open.add(b);
                    return connected(a, b, open);
                } finally {
                    Files.deleteIfExists(path);
                    Files.deleteIfExists(dir);
                }
            }
            case "tcp": {
                List<AutoCloseable> open = new ArrayList<>();
                try (ServerSocketChannel server = ServerSocketChannel.open()) {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                    SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    open.add(a);
                    SocketChannel b = server.accept();
                    open.add(b);
                    a.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    b.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    return connected(a, b, open);
                }
            }
            default:
                throw new IllegalArgumentException("unknown transport '" + transport + "' (eventfd, pipe, unix, tcp)");
        }
    }

    private static FdLink connected(SocketChannel a, SocketChannel b, List<AutoCloseable> open) throws IOException {
        a.configureBlocking(false);
        b.configureBlocking(false);
        int fa = Fds.of(a);
        int fb = Fds.of(b);
        return new FdLink(fa, fa, fb, fb, new int[0], open);
    }

    @Override
    public void close() throws Exception {
        for (int fd : ownFds) Fds.close(fd);
        for (AutoCloseable c : channels) c.close();
    }
}
