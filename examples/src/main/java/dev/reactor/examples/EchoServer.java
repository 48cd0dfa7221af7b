package dev.reactor.examples;

import dev.reactor.Reactor;
import dev.reactor.io.Sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Example (a): an echo server. Each connection writes back what it reads; when the peer does not
 * read its echo, the output buffer fills and the connection stops reading until it drains.
 * {@code make echo} or {@code java ... dev.reactor.examples.EchoServer [port]} (default 7007).
 */
public final class EchoServer {
    private EchoServer() { }

    /** Listens on address with an echo Context per connection; returns the listening fd. */
    public static int listen(Reactor reactor, SocketAddress address) throws IOException {
        return reactor.listen(address, (r, fd, peer) -> new EchoConnection(fd));
    }

    static final class EchoConnection extends BufferedConnection {
        EchoConnection(int fd) {
            super(fd, 8 * 1024, 8 * 1024);
        }

        @Override
        protected void consume(Reactor reactor, ByteBuffer input) {
            send(input);   // what does not fit stays in input until output drains
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Usage.optional("EchoServer", "EchoServer [port]  (default 7007)", args, 7007, v -> Usage.port("port", v));
        try (Reactor reactor = Reactor.open()) {
            int fd = listen(reactor, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            System.out.println("echo server on " + Sockets.localAddress(fd) + " (" + reactor.backend()
                    + "); try: nc 127.0.0.1 " + Sockets.localPort(fd));
            reactor.run();
        }
    }
}
