package dev.reactor.bench.timer;

import dev.reactor.IdleStrategy;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.TimeoutHandler;
import dev.reactor.bench.Args;
import dev.reactor.bench.Samples;
import dev.reactor.bench.Watchdog;

/**
 * How late a 1 ms timer fires on a blocking loop: schedule {@code timeoutNanos(1 ms)}, and when
 * it runs, record (now - (time of scheduling + 1 ms)), then schedule the next one. The loop has
 * nothing else to do, so this is the wake-up precision of epoll_pwait2 (or the timerfd fallback)
 * plus the loop's own overhead.
 * {@code --backend panama|jnr [--mode block|spin] [--delay-us 1000] [--warmup N] [--iterations N] [--json]}
 */
public final class TimerLateness {
    private TimerLateness() { }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "json");
        String backend = args.get("backend", "panama");
        System.setProperty("dev.reactor.ffi", backend);   // the whole process on one backend
        String mode = args.get("mode", "block");
        long delayNanos = args.getLong("delay-us", 1000) * 1000;
        int warmup = args.getInt("warmup", 200);
        int iterations = args.getInt("iterations", 2000);
        Watchdog.start(args.getLong("timeout-s", 300), "timer lateness");
        Samples samples = new Samples(iterations);
        ReactorConfig config = ReactorConfig.builder().backend(backend)
                .idleStrategy(mode.equals("spin") ? IdleStrategy.spin() : IdleStrategy.block()).build();
        String source;
        try (Reactor reactor = Reactor.open(config)) {
            source = reactor.timerSource();
            TimeoutHandler handler = new TimeoutHandler() {
                long due;
                int fired;

                void schedule(Reactor r) {
                    due = System.nanoTime() + delayNanos;
                    r.timeoutNanos(delayNanos, this);
                }

                @Override
                public void onTimeout(Reactor r, long timerId) {
                    long late = System.nanoTime() - due;
                    if (fired++ >= warmup) samples.record(late);
                    if (samples.full()) r.stop(); else schedule(r);
                }

                TimeoutHandler start(Reactor r) {
                    schedule(r);
                    return this;
                }
            }.start(reactor);
            reactor.run();
        }
        System.out.println(samples.json("reactor-" + backend, "timer-" + (delayNanos / 1000) + "us", mode, 0, 0,
                "\"case\":\"timer-lateness\",\"timerSource\":\"" + source + "\""));
        System.exit(0);
    }
}
