package dev.reactor.bench.pingpong;

import dev.reactor.bench.Samples;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Consumer;

/**
 * The same ping-pong through the JDK's NIO {@link Selector} (epoll underneath): two threads,
 * each with its own selector; select (block) or selectNow in a loop (spin); read until the whole
 * message or 0 bytes; reply. Pipe and TCP loopback, as the JDK offers them.
 */
final class NioPingPong {
    private NioPingPong() { }

    static Samples run(Config cfg) throws Exception {
        Samples samples = new Samples(cfg.iterations());
        SelectableChannel pingRead, pongRead;
        WritableByteChannel pingWrite, pongWrite;
        AutoCloseable[] toClose;
        switch (cfg.transport()) {
            case "pipe": {
                Pipe ab = Pipe.open();
                Pipe ba = Pipe.open();
                pingRead = ba.source();
                pingWrite = ab.sink();
                pongRead = ab.source();
                pongWrite = ba.sink();
                ab.sink().configureBlocking(false);
                ba.sink().configureBlocking(false);
                toClose = new AutoCloseable[] {ab.source(), ab.sink(), ba.source(), ba.sink()};
                break;
            }
            case "tcp": {
                try (ServerSocketChannel server = ServerSocketChannel.open()) {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                    SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = server.accept();
                    a.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    b.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    a.configureBlocking(false);
                    b.configureBlocking(false);
                    pingRead = a;
                    pingWrite = a;
                    pongRead = b;
                    pongWrite = b;
                    toClose = new AutoCloseable[] {a, b};
                }
                break;
            }
            default:
                throw new IllegalArgumentException("nio: transport '" + cfg.transport() + "' (pipe, tcp only)");
        }
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            SelectableChannel aRead = pingRead, bRead = pongRead;
            WritableByteChannel aWrite = pingWrite, bWrite = pongWrite;
            SideThread<Side> tb = new SideThread<>("ponger", () -> new Side(cfg, bRead, bWrite, null, start), start);
            SideThread<Side> ta = new SideThread<>("pinger", () -> new Side(cfg, aRead, aWrite, samples, start), start);
            tb.start();
            ta.start();
            ta.join();
            tb.join();
            Side ping = ta.side(), pong = tb.side();
            if (ping.failure != null) throw ping.failure;
            if (pong.failure != null) throw pong.failure;
        } finally {
            for (AutoCloseable c : toClose) c.close();
        }
        return samples;
    }

    private static final class Side implements Runnable {
        private final Config cfg;
        private final SelectableChannel rch;
        private final WritableByteChannel wch;
        private final Samples samples;
        private final CyclicBarrier start;
        private final ByteBuffer in, out;
        private final Consumer<SelectionKey> onReady = key -> readReady();
        private boolean complete;
        private IOException readError;
        volatile Exception failure;

        Side(Config cfg, SelectableChannel rch, WritableByteChannel wch, Samples samples, CyclicBarrier start) {
            this.cfg = cfg;
            this.rch = rch;
            this.wch = wch;
            this.samples = samples;
            this.start = start;
            this.in = ByteBuffer.allocateDirect(cfg.size());
            this.out = ByteBuffer.allocateDirect(cfg.size());
            for (int i = 0; i < cfg.size(); i++) out.put(i, (byte) 0x5a);
        }

        @Override
        public void run() {
            try (Selector selector = Selector.open()) {
                rch.configureBlocking(false);
                rch.register(selector, SelectionKey.OP_READ);
                start.await();
                int total = cfg.total();
                for (int i = 0; i < total; i++) {
                    if (samples != null) {
                        long t0 = System.nanoTime();
                        send();
                        receive(selector);
                        long t1 = System.nanoTime();
                        if (i >= cfg.warmup()) samples.record(t1 - t0);
                    } else {
                        receive(selector);
                        send();
                    }
                }
            } catch (Exception e) {
                failure = e;
                start.reset();
            }
        }

        private void send() throws IOException {
            out.clear();
            while (out.hasRemaining()) {
                if (wch.write(out) == 0) Thread.onSpinWait();
            }
        }

        /** select, then read the ready channel until the whole message is in or it would block. */
        private void receive(Selector selector) throws IOException {
            in.clear();
            complete = false;
            while (!complete) {
                // The Consumer forms of select: no selected-key set to iterate and clear (JDK 11+).
                int n = cfg.spin() ? selector.selectNow(onReady) : selector.select(onReady);
                if (readError != null) throw readError;
                if (n == 0 && cfg.spin()) Thread.onSpinWait();
            }
        }

        private void readReady() {
            try {
                ReadableByteChannel r = (ReadableByteChannel) rch;
                while (true) {
                    int got = r.read(in);
                    if (got < 0) throw new EOFException("unexpected EOF");
                    if (!in.hasRemaining()) {
                        complete = true;
                        return;
                    }
                    if (got == 0) return;
                }
            } catch (IOException e) {
                readError = e;
            }
        }
    }
}
