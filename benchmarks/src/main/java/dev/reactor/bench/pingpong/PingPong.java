package dev.reactor.bench.pingpong;

import dev.reactor.bench.Args;
import dev.reactor.bench.Samples;
import dev.reactor.bench.Watchdog;

/**
 * Command line twin of native/bench/pingpong.c, for the Java implementations:
 * {@code --impl reactor|raw|nio|netty [--backend panama|jnr] --transport T --mode block|spin
 * [--size B] [--warmup N] [--iterations N] [--idle-fds N] [--json] [--timeout-s S]}.
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
        Samples samples;
        String impl;
        String extra = "\"jvm\":\"" + Runtime.version().feature() + "\"";
        switch (cfg.impl()) {
            case "reactor":
                samples = ReactorPingPong.run(cfg, backend);
                impl = "reactor-" + backend;
                extra += String.format(java.util.Locale.ROOT, ",\"alloc_bytes_per_rtt\":%.1f", ReactorPingPong.allocatedPerRoundTrip);
                break;
            case "raw":
                samples = RawPingPong.run(cfg, backend);
                impl = "raw-" + backend;
                break;
            case "nio":
                samples = NioPingPong.run(cfg);
                impl = "nio";
                break;
            case "netty":
                samples = NettyPingPong.run(cfg);
                impl = "netty";
                break;
            default:
                throw new IllegalArgumentException("unknown impl '" + cfg.impl() + "' (reactor, raw, nio, netty)");
        }
        System.out.println(samples.json(impl, cfg.transport(), cfg.mode(), cfg.size(), cfg.idleFds(),
                extra));
        System.exit(0);   // no lingering non-daemon thread keeps the JVM
    }
}
