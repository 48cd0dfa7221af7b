package dev.reactor.bench.pingpong;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.IdleStrategy;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.bench.Samples;
import dev.reactor.bench.ThreadAlloc;
import dev.reactor.io.Fds;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CyclicBarrier;

/**
 * pingpong.c in Java: two threads, each running its own {@link Reactor} loop; level-triggered;
 * on an event, read until the whole message is in or the fd would block, then reply. The
 * pinger times send to full reply with System.nanoTime.
 */
final class ReactorPingPong {
    private ReactorPingPong() { }

    /** Bytes both loop threads allocated per measured round trip, in the last run (0 is the goal). */
    static double allocatedPerRoundTrip;

    static Samples run(Config cfg, String backend) throws Exception {
        Samples samples = new Samples(cfg.iterations());
        try (FdLink link = FdLink.open(cfg.transport())) {
            CyclicBarrier start = new CyclicBarrier(2);
            SideThread<Side> tb = new SideThread<>("ponger",
                    () -> new Side(cfg, backend, link.pongRead, link.pongWrite, null, cfg.idleFds() / 2, start), start);
            SideThread<Side> ta = new SideThread<>("pinger",
                    () -> new Side(cfg, backend, link.pingRead, link.pingWrite, samples, cfg.idleFds() - cfg.idleFds() / 2, start), start);
            tb.start();
            ta.start();
            ta.join();
            tb.join();
            Side ping = ta.side(), pong = tb.side();
            if (ping.failure != null) throw ping.failure;
            if (pong.failure != null) throw pong.failure;
            allocatedPerRoundTrip = (double) (ping.allocated() + pong.allocated()) / cfg.iterations();
        }
        return samples;
    }

    /** One thread and its loop. The pinger has samples; the ponger echoes. */
    private static final class Side implements Context, Runnable {
        private final Config cfg;
        private final String backend;
        private final int rfd, wfd;
        private final Samples samples;
        private final int idleFds;
        private final CyclicBarrier start;
        private final ByteBuffer in, out;
        private final int total;
        private int done;
        private long sentAt;
        private long allocAtWarmupEnd, allocAtEnd;
        volatile Exception failure;

        Side(Config cfg, String backend, int rfd, int wfd, Samples samples, int idleFds, CyclicBarrier start) {
            this.cfg = cfg;
            this.backend = backend;
            this.rfd = rfd;
            this.wfd = wfd;
            this.samples = samples;
            this.idleFds = idleFds;
            this.start = start;
            this.total = cfg.total();
            this.in = ByteBuffer.allocateDirect(cfg.size()).order(ByteOrder.nativeOrder());
            this.out = ByteBuffer.allocateDirect(cfg.size()).order(ByteOrder.nativeOrder());
            if (cfg.transport().equals("eventfd")) {
                out.putLong(0, 1L);
            } else {
                for (int i = 0; i < cfg.size(); i++) out.put(i, (byte) 0x5a);
            }
        }

        @Override public int fd() { return rfd; }
        @Override public int interest() { return Interest.READ; }

        @Override
        public void run() {
            int[] idle = new int[idleFds];
            int made = 0;
            ReactorConfig config = ReactorConfig.builder()
                    .backend(backend)
                    .idleStrategy(cfg.spin() ? IdleStrategy.spin() : IdleStrategy.block())
                    .initialFds(idleFds + 1024)
                    .build();
            try (Reactor reactor = Reactor.open(config)) {
                for (; made < idleFds; made++) {
                    idle[made] = Fds.eventfd();
                    reactor.register(Context.of(idle[made], Interest.READ, (r, ev) -> {
                        throw new IllegalStateException("idle fd reported ready (should never happen)");
                    }));
                }
                reactor.register(this);
                start.await();
                if (samples != null) send();
                reactor.run();
                allocAtEnd = ThreadAlloc.current();
                if (failure == null && done != total) failure = new IllegalStateException("loop ended after " + done + " of " + total);
            } catch (Exception e) {
                failure = e;
                start.reset();
            } finally {
                for (int i = 0; i < made; i++) Fds.closeQuietly(idle[i]);
            }
        }

        @Override
        public void onEvent(Reactor reactor, int events) throws IOException {
            if ((events & Events.READABLE) == 0) throw new IOException("peer closed / error: " + Events.toString(events));
            while (true) {
                int n = Fds.read(rfd, in);
                if (n < 0) throw new EOFException("unexpected EOF on fd " + rfd);
                if (!in.hasRemaining()) {
                    in.clear();
                    message(reactor);
                    return;
                }
                if (n == 0) return;   // partial message: wait again
            }
        }

        long allocated() {
            return allocAtEnd - allocAtWarmupEnd;
        }

        private void message(Reactor reactor) throws IOException {
            if (done == cfg.warmup()) allocAtWarmupEnd = ThreadAlloc.current();
            if (samples != null) {
                long now = System.nanoTime();
                if (done >= cfg.warmup()) samples.record(now - sentAt);
                if (++done == total) {
                    reactor.stop();
                } else {
                    send();
                }
            } else {
                send();
                if (++done == total) reactor.stop();
            }
        }

        private void send() throws IOException {
            sentAt = System.nanoTime();
            out.clear();
            while (out.hasRemaining()) {
                if (Fds.write(wfd, out) == 0) Thread.onSpinWait();   // kernel buffer full: the peer is draining
            }
        }

        @Override
        public void onError(Reactor reactor, Exception error) {
            failure = error;
            reactor.stop();
        }
    }
}
