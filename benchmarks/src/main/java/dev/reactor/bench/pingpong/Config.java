package dev.reactor.bench.pingpong;

import dev.reactor.bench.Args;

/** One ping-pong run, with the same options (and defaults) as native/bench/pingpong.c. */
public record Config(String impl, String transport, String mode, int size, int warmup, int iterations, int idleFds) {

    public static Config parse(Args a) {
        String transport = a.require("transport");
        String mode = a.require("mode");
        if (!mode.equals("block") && !mode.equals("spin")) throw new IllegalArgumentException("unknown mode '" + mode + "'");
        int size = transport.equals("eventfd") ? 8 : a.getInt("size", 8);   // an eventfd message is its 8-byte counter
        if (size < 1) throw new IllegalArgumentException("--size must be >= 1");
        int iterations = a.getInt("iterations", 200_000);
        if (iterations < 1) throw new IllegalArgumentException("--iterations must be >= 1");
        return new Config(a.get("impl", "reactor"), transport, mode, size, a.getInt("warmup", 20_000), iterations,
                a.getInt("idle-fds", 0));
    }

    public boolean spin() {
        return mode.equals("spin");
    }

    public int total() {
        return warmup + iterations;
    }
}
