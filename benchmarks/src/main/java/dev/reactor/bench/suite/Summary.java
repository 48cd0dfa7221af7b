package dev.reactor.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The run's summary in Markdown (what made it, when, on what), and the README section it fills. */
final class Summary {
    static final String BEGIN = "<!-- bench:begin (written by make bench) -->";
    static final String END = "<!-- bench:end -->";

    private Summary() { }

    static String markdown(String command, String started, long seconds, String loadBefore, String loadAfter,
                           Profile profile, String table, List<String> charts, Path out) {
        StringBuilder b = new StringBuilder();
        b.append("Measured with `").append(command).append("` on ").append(started).append(" (profile ")
                .append(profile.name()).append(", ").append(seconds / 60).append(" min ").append(seconds % 60)
                .append(" s): ").append(machine()).append(", JDK ").append(Runtime.version())
                .append(". Load average before/after: ").append(loadBefore).append(" / ").append(loadAfter)
                .append(". Latencies: ").append(profile.rounds()).append(" rounds of ").append(profile.warmup())
                .append(" warm-up + ").append(profile.iterations())
                .append(" measured round trips per implementation (8-byte messages; each JVM first runs 1 s of "
                        + "throw-away ping-pongs so the JIT is done); each value is the median over rounds, "
                        + "each ratio the median of the per-round ratios (the runs of one round are seconds apart).\n\n");
        b.append(table).append('\n');
        for (String c : charts) {
            if (c.startsWith("rtt-p50-") || c.equals("idle-fds.png") || c.equals("rtt-percentiles-tcp-spin.png")) {
                b.append("![").append(c).append("](").append(out.resolve(c)).append(")\n");
            }
        }
        b.append("\nAll charts, results.json, results.csv and per-run logs: `").append(out).append("/`.\n");
        return b.toString();
    }

    private static String machine() {
        String cpu = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux: the OS name below still says something
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /** Replaces the text between the bench markers of the README with summary. */
    static void updateReadme(Path readme, String summary) throws IOException {
        String s = Files.readString(readme);
        int b = s.indexOf(BEGIN), e = s.indexOf(END);
        if (b < 0 || e < b) throw new IOException(readme + ": no '" + BEGIN + "' ... '" + END + "' section to update");
        Files.writeString(readme, s.substring(0, b + BEGIN.length()) + "\n" + summary + s.substring(e));
        System.out.println("updated " + readme);
    }
}
