package dev.reactor.bench.jmh;

import dev.reactor.Context;
import dev.reactor.IdleStrategy;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.Task;
import dev.reactor.io.Fds;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Cross-thread throughput: the benchmark thread sends (or executes) into a reactor whose loop
 * runs on its own thread, retrying while the queue is full; the score is the time per accepted
 * message. Under "block" the loop sleeps in epoll when it has drained the queue, so senders pay
 * for wake-ups; under "spin" it never sleeps. Allocation is counted for both threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SendBenchmark {
    @Param({"panama", "jnr"}) public String backend;
    @Param({"block", "spin"}) public String mode;

    private static final Object MESSAGE = "m";
    private Reactor reactor;
    private Thread loop;
    private int target;
    private volatile Throwable loopFailure;
    /** Counted on the loop thread; read after it stopped. */
    long delivered;
    private final Task task = () -> delivered++;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        IdleStrategy idle = mode.equals("spin") ? IdleStrategy.spin() : IdleStrategy.block();
        reactor = Reactor.open(ReactorConfig.builder().backend(backend).idleStrategy(idle).build());
        target = Fds.eventfd();   // never written: it only carries the Context that receives messages
        reactor.register(new Context() {
            @Override public int fd() { return target; }
            @Override public int interest() { return Interest.READ; }
            @Override public void onEvent(Reactor r, int events) { }
            @Override public void onNotify(Reactor r, Object message) { delivered++; }
        });
        loop = new Thread(() -> {
            try {
                reactor.run();
            } catch (Throwable t) {
                loopFailure = t;
            }
        }, "reactor-loop");
        loop.start();
    }

    @Benchmark
    public void send() {
        while (!reactor.send(target, MESSAGE)) Thread.onSpinWait();
    }

    @Benchmark
    public void execute() {
        while (!reactor.execute(task)) Thread.onSpinWait();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        reactor.stop();
        loop.join(10_000);
        reactor.close();
        Fds.close(target);
        if (loopFailure != null) throw new IllegalStateException("loop failed", loopFailure);
        if (delivered == 0) throw new IllegalStateException("nothing was delivered");
    }
}
