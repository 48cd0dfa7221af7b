package dev.reactor.bench.pingpong;

import dev.reactor.sys.Os;
import dev.reactor.bench.Samples;
import dev.reactor.ffi.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CyclicBarrier;

/**
 * A diagnostic, not a product: pingpong.c transcribed line for line into Java over the
 * library's raw {@link LibC} binding (epoll_wait, read, write; no Reactor, no Fds). The gap
 * between this and C is the cost of Java plus the FFI; the gap between this and the Reactor
 * is the loop's own. Eventfd, pipe and sockets (through {@link FdLink}).
 */
final class RawPingPong {
    private RawPingPong() { }

    private static final int MAX_EVENTS = 64;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EAGAIN = 11;

    static Samples run(Config cfg, String backend) throws Exception {
        LibC c = Os.libc(backend);
        Samples samples = new Samples(cfg.iterations());
        try (FdLink link = FdLink.open(cfg.transport())) {
            CyclicBarrier start = new CyclicBarrier(2);
            SideThread<Side> tb = new SideThread<>("ponger", () -> new Side(c, cfg, link.pongRead, link.pongWrite, null, start), start);
            SideThread<Side> ta = new SideThread<>("pinger", () -> new Side(c, cfg, link.pingRead, link.pingWrite, samples, start), start);
            tb.start();
            ta.start();
            ta.join();
            tb.join();
            Side ping = ta.side(), pong = tb.side();
            if (ping.failure != null) throw ping.failure;
            if (pong.failure != null) throw pong.failure;
        }
        return samples;
    }

    private static final class Side implements Runnable {
        private final LibC c;
        private final Config cfg;
        private final int rfd, wfd;
        private final Samples samples;
        private final CyclicBarrier start;
        private final ByteBuffer mem;     // [0, size): message; then the epoll_event array
        private final long buf, events, ev;
        volatile Exception failure;

        Side(LibC c, Config cfg, int rfd, int wfd, Samples samples, CyclicBarrier start) {
            this.c = c;
            this.cfg = cfg;
            this.rfd = rfd;
            this.wfd = wfd;
            this.samples = samples;
            this.start = start;
            int size = Math.max(8, cfg.size());
            this.mem = ByteBuffer.allocateDirect(size + 16 * (MAX_EVENTS + 1)).order(ByteOrder.nativeOrder());
            this.buf = c.address(mem);
            this.events = buf + size;
            this.ev = events + 16L * MAX_EVENTS;
            if (cfg.transport().equals("eventfd")) mem.putLong(0, 1L);
        }

        @Override
        public void run() {
            int ep = c.epoll_create1(0x80000);
            try {
                if (ep < 0) throw new IllegalStateException("epoll_create1: " + ep);
                mem.putInt(size() + 16 * MAX_EVENTS, EPOLLIN);            // events at offset 0 of the struct
                mem.putLong(size() + 16 * MAX_EVENTS + 4, 0L);            // data (packed: offset 4 on x86_64)
                if (c.epoll_ctl(ep, EPOLL_CTL_ADD, rfd, ev) < 0) throw new IllegalStateException("epoll_ctl");
                start.await();
                int total = cfg.total();
                for (int i = 0; i < total; i++) {
                    if (samples != null) {
                        long t0 = System.nanoTime();
                        send();
                        receive(ep);
                        long t1 = System.nanoTime();
                        if (i >= cfg.warmup()) samples.record(t1 - t0);
                    } else {
                        receive(ep);
                        send();
                    }
                }
            } catch (Exception e) {
                failure = e;
                start.reset();
            } finally {
                if (ep >= 0) c.close(ep);
            }
        }

        private int size() {
            return Math.max(8, cfg.size());
        }

        private void send() {
            long off = 0;
            while (off < cfg.size()) {
                long n = c.write(wfd, buf + off, cfg.size() - off);
                if (n > 0) off += n;
                else if (n == -EAGAIN) Thread.onSpinWait();
                else throw new IllegalStateException("write: " + n);
            }
        }

        private void receive(int ep) {
            int timeout = cfg.spin() ? 0 : -1;
            long got = 0;
            while (true) {
                int n = c.epoll_wait(ep, events, MAX_EVENTS, timeout);
                if (n < 0) {
                    if (n == -4) continue;
                    throw new IllegalStateException("epoll_wait: " + n);
                }
                if (n == 0) {
                    Thread.onSpinWait();
                    continue;
                }
                while (true) {
                    long r = c.read(rfd, buf + got, cfg.size() - got);
                    if (r > 0) {
                        got += r;
                        if (got == cfg.size()) return;
                    } else if (r == 0) {
                        throw new IllegalStateException("unexpected EOF");
                    } else if (r == -EAGAIN) {
                        break;
                    } else if (r != -4) {
                        throw new IllegalStateException("read: " + r);
                    }
                }
            }
        }
    }
}
