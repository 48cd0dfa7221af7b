package dev.reactor.examples;

import dev.reactor.*;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

public class ReadmeNetworkingExample {
    public static void main(String[] args) throws Exception {
        try (Reactor reactor = Reactor.open()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            // Server: each accepted fd gets an echo Context; the reactor owns (and closes) the fd.
            int listener = reactor.listen(new InetSocketAddress("127.0.0.1", 0), (r, fd, peer) ->
                    Context.of(fd, Interest.READ, (loop, events) -> {
                        buf.clear();
                        if (Fds.read(fd, buf) < 0) loop.close(fd);
                        else Fds.write(fd, buf.flip());
                    }));
            // Client, in the same loop: the same kind of closure creates its Context.
            reactor.connect(Sockets.localAddress(listener), ConnectOptions.timeout(Duration.ofSeconds(2)),
                    new ConnectionHandler() {
                        @Override public Context onConnection(Reactor r, int fd, SocketAddress peer) throws IOException {
                            Fds.write(fd, ByteBuffer.wrap("ping".getBytes()));
                            return Context.of(fd, Interest.READ, (loop, events) -> {
                                ByteBuffer in = ByteBuffer.allocate(64);
                                Fds.read(fd, in);
                                System.out.println("echoed: " + new String(in.array(), 0, in.position()));
                                loop.stop();
                            });
                        }
                        @Override public void onConnectFailed(Reactor r, SocketAddress to, IOException cause) {
                            System.out.println("connect failed: " + cause.getMessage());   // e.g. ECONNREFUSED
                            r.stop();
                        }
                    });
            reactor.run();
        }
    }
}
