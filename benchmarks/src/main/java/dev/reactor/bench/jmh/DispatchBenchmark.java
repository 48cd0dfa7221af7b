package dev.reactor.bench.jmh;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
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
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * dispatch.c in Java: {@code fds} eventfds registered (level-triggered) in one reactor; one
 * operation is one cycle: make {@code ready} of them readable (a rotating set), then runOnce
 * until every one was dispatched to its Context, which reads the eventfd. The score is per
 * cycle, writes included: divide by {@code ready} and compare with dispatch.c's
 * {@code total_ns_per_event} (the suite does). "block" waits with a timeout, "spin" with 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DispatchBenchmark {
    @Param({"panama", "jnr"}) public String backend;
    @Param({"block", "spin"}) public String mode;
    @Param({"1000"}) public int fds;
    @Param({"16"}) public int ready;

    private Reactor reactor;
    private int[] efd;
    private int stride;
    private int cursor;
    private Duration wait;
    private long handled;

    /** One Context per eventfd: reads it, as dispatch.c's handler does. */
    private final class Reader implements Context {
        private final int fd;

        Reader(int fd) { this.fd = fd; }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }

        @Override
        public void onEvent(Reactor r, int events) throws IOException {
            handled += Fds.eventfdRead(fd);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (ready < 1 || ready > fds) throw new IllegalArgumentException("need 1 <= ready <= fds");
        reactor = Reactor.open(ReactorConfig.builder().backend(backend).maxEvents(Math.max(64, ready)).build());
        efd = new int[fds];
        for (int i = 0; i < fds; i++) {
            efd[i] = Fds.eventfd();
            reactor.register(new Reader(efd[i]));
        }
        stride = fds / ready;
        wait = mode.equals("spin") ? Duration.ZERO : Duration.ofSeconds(1);
    }

    @Benchmark
    public long cycle() throws IOException {
        for (int j = 0; j < ready; j++) {
            Fds.eventfdWrite(efd[(cursor + j * stride) % fds], 1);
        }
        cursor = (cursor + 1) % fds;
        int got = 0;
        while (got < ready) got += reactor.runOnce(wait);
        return handled;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reactor.close();
        for (int fd : efd) Fds.closeQuietly(fd);
    }
}
