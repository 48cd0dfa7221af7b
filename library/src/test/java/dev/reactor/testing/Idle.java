package dev.reactor.testing;

import dev.reactor.IdleStrategy;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** The idle strategies that loop tests are parameterized over: {@code @MethodSource("dev.reactor.testing.Idle#strategies")}. */
public final class Idle {
    private Idle() { }

    public static Stream<IdleStrategy> strategies() {
        return Stream.of(IdleStrategy.block(), IdleStrategy.spin(), IdleStrategy.spinThenBlock(Duration.ofNanos(100_000)));
    }

    public static Reactor open(IdleStrategy strategy) throws IOException {
        return open(strategy, b -> b);
    }

    /** A reactor with this strategy and the suite's backend; tune adds other settings. */
    public static Reactor open(IdleStrategy strategy, UnaryOperator<ReactorConfig.Builder> tune) throws IOException {
        return Reactor.open(tune.apply(ReactorConfig.builder().idleStrategy(strategy)).build());
    }
}
