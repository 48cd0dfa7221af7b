package dev.reactor.bench.suite;

import java.util.List;

/**
 * How long and how much to measure. "short" is what {@code make bench} runs (a few minutes on
 * this 2-core machine); "full" is {@code make bench-full}: C's default iteration count, more
 * rounds, longer JMH iterations, more dispatch batch sizes.
 */
record Profile(String name, int rounds, int warmup, int iterations, int timerIterations,
               int jmhWarmupIterations, int jmhMeasureIterations, int jmhSeconds, int jmhForks,
               List<Integer> dispatchReady, int idleFdsMany) {

    static final List<String> TRANSPORTS = List.of("eventfd", "pipe", "unix", "tcp");
    static final List<String> MODES = List.of("block", "spin");
    static final List<String> BACKENDS = List.of("panama", "jnr");
    /** The few-fds side of the idle comparison. */
    static final int IDLE_FDS_FEW = 10;

    static Profile named(String name) {
        switch (name) {
            case "short":
                // The process may hold 20,000 fds (hard limit); the JVM itself holds ~50, so
                // 18,000 idle eventfds plus the transport leave a safe margin.
                return new Profile("short", 3, 50_000, 40_000, 2_000, 3, 3, 1, 1, List.of(16), 18_000);
            case "smoke":
                // Seconds, not minutes: checks that every case runs; the numbers mean little.
                return new Profile("smoke", 1, 2_000, 2_000, 50, 1, 1, 1, 1, List.of(16), 1_000);
            case "full":
                return new Profile("full", 5, 200_000, 200_000, 10_000, 5, 5, 2, 2, List.of(1, 16, 64), 18_000);
            default:
                throw new IllegalArgumentException("unknown profile '" + name + "' (smoke, short, full)");
        }
    }
}
