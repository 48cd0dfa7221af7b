package dev.reactor.testing;

import dev.reactor.Reactor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Test helpers: drive a reactor until a condition holds (with a deadline, never a bare sleep), count fds. */
public final class Loop {
    private Loop() { }

    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    /** Runs reactor.runOnce on this thread until condition is true; fails after the deadline. */
    public static void until(Reactor reactor, BooleanSupplier condition) throws IOException {
        until(reactor, DEFAULT_DEADLINE, condition);
    }

    public static void until(Reactor reactor, Duration deadline, BooleanSupplier condition) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("condition not met within " + deadline);
            reactor.runOnce(Duration.ofMillis(10));
        }
    }

    /** Waits (without a reactor) until condition is true; fails after the deadline. */
    public static void await(Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("condition not met within " + deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** How many fds this process has open, from /dev/fd (on Linux, a link to /proc/self/fd). */
    public static int openFds() {
        try (Stream<Path> s = Files.list(Path.of("/dev/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The backend the suite runs against, from -Ddev.reactor.ffi (auto when unset). */
    public static String backend() {
        return System.getProperty("dev.reactor.ffi", "auto");
    }
}
