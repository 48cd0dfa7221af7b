package dev.reactor.examples;

import dev.reactor.io.Sockets;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LoopThread;
import dev.reactor.testing.Net;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The echo example under 1,000 concurrent connections from java.nio clients; every byte checked. */
@Heavy
class EchoServerTest {
    private static final int CLIENTS = 1_000;
    private static final int BYTES_PER_CLIENT = 32 * 1024;   // more than the server's 8 KiB buffers: exercises backpressure

    /** One client: writes its own random bytes, reads the echo into a buffer of the same size. */
    private static final class Client {
        final SocketChannel channel;
        final ByteBuffer toSend;
        final ByteBuffer received = ByteBuffer.allocate(BYTES_PER_CLIENT);

        Client(SocketChannel channel, long seed) {
            this.channel = channel;
            byte[] bytes = new byte[BYTES_PER_CLIENT];
            new Random(seed).nextBytes(bytes);
            this.toSend = ByteBuffer.wrap(bytes);
        }
    }

    @Test
    void shouldEchoEveryByteToAThousandConcurrentConnections() throws Exception {
        int[] port = {0};
        try (LoopThread server = LoopThread.start(r -> port[0] = Sockets.localPort(EchoServer.listen(r, Net.loopback4())));
             Selector selector = Selector.open()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port[0]);
            List<Client> clients = new ArrayList<>(CLIENTS);
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    Client c = new Client(ch, i);
                    clients.add(c);
                    ch.connect(address);
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                }
                int done = drive(selector);
                assertEquals(CLIENTS, done);
                for (int i = 0; i < CLIENTS; i++) {
                    Client c = clients.get(i);
                    assertArrayEquals(c.toSend.array(), c.received.array(), "client " + i + " got other bytes back");
                }
                long open = server.call(() -> (long) server.reactor().registrations());
                assertEquals(CLIENTS + 1, open, "every connection registered at once, plus the listener");
            } finally {
                for (Client c : clients) c.channel.close();
            }
        }
    }

    /** Runs every client to completion; returns how many finished. */
    private static int drive(Selector selector) throws IOException {
        int done = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (done < CLIENTS) {
            assertTrue(System.nanoTime() < deadline, "only " + done + " of " + CLIENTS + " clients finished in 60 s");
            selector.select(1000);
            for (SelectionKey key : selector.selectedKeys()) {
                Client c = (Client) key.attachment();
                if (key.isConnectable()) {
                    c.channel.finishConnect();
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    continue;
                }
                if (key.isWritable()) {
                    c.channel.write(c.toSend);
                    if (!c.toSend.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
                }
                if (key.isReadable()) {
                    int n = c.channel.read(c.received);
                    if (n < 0) throw new AssertionError("server closed a connection early");
                    if (!c.received.hasRemaining()) {
                        key.cancel();
                        done++;
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return done;
    }
}
