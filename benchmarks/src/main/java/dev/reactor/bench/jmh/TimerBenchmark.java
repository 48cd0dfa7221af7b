package dev.reactor.bench.jmh;

import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.TimeoutHandler;
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
 * One operation: {@code timeoutNanos(1 s, handler)} then {@code cancel(id)}, with {@code pending}
 * other timers in the heap (they never fire during the run). The allocation-free form of the
 * timer API, so gc.alloc.rate.norm should be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TimerBenchmark {
    @Param({"panama", "jnr"}) public String backend;
    @Param({"1000"}) public int pending;

    private static final TimeoutHandler NOTHING = (r, id) -> { };
    private Reactor reactor;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        reactor = Reactor.open(ReactorConfig.builder().backend(backend).build());
        for (int i = 0; i < pending; i++) reactor.timeoutNanos(3_600_000_000_000L + i, NOTHING);
    }

    @Benchmark
    public boolean scheduleCancel() {
        long id = reactor.timeoutNanos(1_000_000_000L, NOTHING);
        return reactor.cancel(id);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reactor.close();
    }
}
