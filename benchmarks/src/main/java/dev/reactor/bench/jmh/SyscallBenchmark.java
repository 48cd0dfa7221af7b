package dev.reactor.bench.jmh;

import dev.reactor.sys.Os;
import dev.reactor.ffi.LibC;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of one event goes, one layer at a time: read(2) on an empty non-blocking
 * eventfd (it fails at once with EAGAIN) through the raw binding ({@code libc}), then through
 * {@link Fds#eventfdRead} (per-thread scratch, EINTR retry, errno check). native/bench/syscall
 * makes the same call from C: the differences are the binding's and the utility's own cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SyscallBenchmark {
    @Param({"panama", "jnr"}) public String backend;

    private LibC libc;
    private int fd;
    private long buf;
    private ByteBuffer mem;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        libc = Os.libc(backend);
        fd = Fds.eventfd();
        mem = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        buf = libc.address(mem);
    }

    @Benchmark
    public long libcRead() {
        return libc.read(fd, buf, 8);
    }

    @Benchmark
    public long fdsEventfdRead() throws IOException {
        return Fds.eventfdRead(fd);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Fds.closeQuietly(fd);
    }
}
