package dev.reactor.bench.pingpong;

import dev.reactor.bench.Args;
import dev.reactor.bench.Samples;
import dev.reactor.bench.Watchdog;

/**
 * Command line twin of native/bench/pingpong.c, for the Java implementations:
 * {@code --impl reactor|raw|nio|netty [--backend panama|jnr] --transport T --mode block|spin
 * [--size B] [--warmup N] [--iterations N] [--idle-fds N] [--jit-warmup-ms 1000] [--json] [--timeout-s S]}.
 * Prints one JSON line of the same shape as the C program's.
 */
public final class PingPong {
    private PingPong() { }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "json");
        Config cfg = Config.parse(args);
        String backend = args.get("backend", "panama");
        // Fds (every read and write of the harness) takes its backend from this property when it
        // loads: without it a "jnr" run would poll through jnr but read and write through Panama.
        System.setProperty("dev.reactor.ffi", backend);
        long timeoutSeconds = args.getLong("timeout-s", 300);
        Watchdog.start(timeoutSeconds, "pingpong " + String.join(" ", argv));
        // JIT warm-up: whole short runs (fresh fds and threads, no idle fds) until the time is up,
        // so that the measured run below starts with compiled code and no compiler thread busy
        // in the background. C needs none; a busy compiler thread would even flatter a blocking
        // loop here, since a busy vCPU wakes faster than a halted one. Then the measured run,
        // with exactly the C program's warm-up and iteration counts.
        long jitWarmupNanos = args.getLong("jit-warmup-ms", 1000) * 1_000_000L;
        Config jit = new Config(cfg.impl(), cfg.transport(), cfg.mode(), cfg.size(), 0,
                Math.max(1, Math.min(cfg.total(), 10_000)), 0);
        for (long start = System.nanoTime(); System.nanoTime() - start < jitWarmupNanos; ) {
            run(jit, backend);
        }
        Samples samples = run(cfg, backend);
        String impl = cfg.impl().equals("reactor") || cfg.impl().equals("raw") ? cfg.impl() + "-" + backend : cfg.impl();
        String extra = "\"jvm\":\"" + Runtime.version().feature() + "\"";
        if (cfg.impl().equals("reactor")) {
            extra += String.format(java.util.Locale.ROOT, ",\"alloc_bytes_per_rtt\":%.1f", ReactorPingPong.allocatedPerRoundTrip);
        }
        System.out.println(samples.json(impl, cfg.transport(), cfg.mode(), cfg.size(), cfg.idleFds(),
                extra));
        System.exit(0);   // no lingering non-daemon thread keeps the JVM
    }

    private static Samples run(Config cfg, String backend) throws Exception {
        switch (cfg.impl()) {
            case "reactor": return ReactorPingPong.run(cfg, backend);
            case "raw": return RawPingPong.run(cfg, backend);
            case "nio": return NioPingPong.run(cfg);
            case "netty": return NettyPingPong.run(cfg);
            default: throw new IllegalArgumentException("unknown impl '" + cfg.impl() + "' (reactor, raw, nio, netty)");
        }
    }
}
