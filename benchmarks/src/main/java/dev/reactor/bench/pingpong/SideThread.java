package dev.reactor.bench.pingpong;

import java.util.concurrent.CyclicBarrier;
import java.util.function.Supplier;

/**
 * A ping-pong side that is built on its own thread. Its mutable state (counters, buffer
 * positions) then lives in that thread's allocation buffer; built by one main thread, the two
 * sides' objects sit next to each other and share cache lines, and every message pays for
 * coherence misses no event loop written for real would have (measured: ~20% of an eventfd
 * spin round trip).
 */
final class SideThread<T extends Runnable> extends Thread {
    private final Supplier<T> factory;
    private final CyclicBarrier start;
    private volatile T side;
    private volatile Exception setupFailure;

    SideThread(String name, Supplier<T> factory, CyclicBarrier start) {
        super(name);
        this.factory = factory;
        this.start = start;
    }

    @Override
    public void run() {
        T s;
        try {
            s = factory.get();
        } catch (RuntimeException e) {
            setupFailure = e;
            start.reset();     // the other side is not left waiting
            return;
        }
        side = s;
        s.run();
    }

    /** After join: the side, or throws what kept it from being built. */
    T side() throws Exception {
        if (setupFailure != null) throw setupFailure;
        return side;
    }
}
