package dev.reactor.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latency samples in nanoseconds, preallocated so recording allocates nothing. Percentiles use
 * the nearest-rank rule on the sorted samples, exactly as native/bench/pingpong.c does, so a
 * Java number and a C number are computed the same way.
 */
public final class Samples {
    private final long[] values;
    private int count;

    public Samples(int capacity) {
        values = new long[capacity];
        Arrays.fill(values, 0L);   // touch the pages now, not during the measurement
    }

    public void record(long nanos) {
        values[count++] = nanos;
    }

    public int count() {
        return count;
    }

    public boolean full() {
        return count == values.length;
    }

    /** Sorted copy's nearest-rank percentile (p in 0..1). */
    public static long percentile(long[] sorted, double p) {
        int n = sorted.length;
        long rank = (long) Math.ceil(p * n - 1e-9);
        rank = Math.max(1, Math.min(n, rank));
        return sorted[(int) rank - 1];
    }

    /** The summary line, in the same JSON shape as pingpong.c's {@code --json}, plus extra fields. */
    public String json(String impl, String transport, String mode, int size, int idleFds, String extra) {
        if (count == 0) throw new IllegalStateException("no samples");
        long[] s = Arrays.copyOf(values, count);
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) sum += v;
        return String.format(Locale.ROOT,
                "{\"impl\":\"%s\",\"transport\":\"%s\",\"mode\":\"%s\",\"size\":%d,\"idleFds\":%d,\"count\":%d,"
                        + "\"p50_ns\":%d,\"p90_ns\":%d,\"p99_ns\":%d,\"p999_ns\":%d,\"max_ns\":%d,\"mean_ns\":%.1f%s}",
                impl, transport, mode, size, idleFds, count,
                percentile(s, 0.50), percentile(s, 0.90), percentile(s, 0.99), percentile(s, 0.999),
                s[count - 1], sum / count, extra == null ? "" : "," + extra);
    }
}
