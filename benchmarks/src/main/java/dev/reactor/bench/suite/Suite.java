package dev.reactor.bench.suite;

import dev.reactor.bench.Args;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code make bench}: every case next to its C baseline and its JDK/Netty peers, in one run.
 * Ping-pong and timer cases run one process each (the C programs, or a fresh JVM), every
 * implementation of a case back to back, in an order that rotates each round; the reported
 * value is the median over rounds. Then the JMH cases. Prints one table and writes
 * results.json, results.csv, summary.md and PNG charts into the results folder; with
 * {@code --readme FILE} it also replaces FILE's benchmark section with summary.md.
 * <pre>--profile short|full --out DIR --native DIR --command TEXT [--readme README.md] [--only rtt,idle,timer,jmh]</pre>
 */
public final class Suite {
    private static final String PINGPONG = "dev.reactor.bench.pingpong.PingPong";
    private static final String TIMER = "dev.reactor.bench.timer.TimerLateness";
    private static final long RUN_TIMEOUT_SECONDS = 60;

    private final Profile profile;
    private final Path out;
    private final Path nativeDir;
    private final Processes processes;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> only;
    private int done;

    private Suite(Args a) throws IOException {
        profile = Profile.named(a.get("profile", "short"));
        out = Path.of(a.get("out", "results/latest"));
        nativeDir = Path.of(a.get("native", "native/bench/build"));
        only = List.of(a.get("only", "rtt,idle,timer,jmh").split(","));
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("java.class.path");
        clean(out);
        Files.createDirectories(out.resolve("logs"));
        processes = new Processes(out.resolve("logs"), java, jvmFlags(), jar);
    }

    /**
     * Panama needs native access; Fds.of(channel) (the ping-pong's Unix and TCP links) reads the
     * JDK's private fd fields, which needs the two --add-opens; jnr's jffi and Netty use
     * sun.misc.Unsafe, which warns on JDK 24+ unless allowed (the library itself uses none).
     */
    static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>();
        int v = Runtime.version().feature();
        if (v >= 22) flags.add("--enable-native-access=ALL-UNNAMED");
        flags.add("--add-opens=java.base/java.io=ALL-UNNAMED");
        flags.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        if (v >= 24) flags.add("--sun-misc-unsafe-memory-access=allow");
        return flags;
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Suite s = new Suite(a);
        String command = a.get("command", "make bench");
        String started = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT));
        String loadBefore = load();
        long t0 = System.nanoTime();
        s.runAll();
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

        Report report = new Report(s.rows);
        report.writeData(s.out);
        String table = report.table();
        String subtitle = started;
        Charts charts = new Charts(report, s.out);
        charts.drawAll(subtitle);
        String summary = Summary.markdown(command, started, seconds, loadBefore, load(), s.profile, table, charts.written, s.out);
        Files.writeString(s.out.resolve("summary.md"), summary);
        Files.writeString(s.out.resolve("table.md"), table);
        System.out.println();
        System.out.println(table);
        System.out.println("results, charts and logs: " + s.out + " (" + seconds + " s)");
        String readme = a.get("readme", null);
        if (readme != null) Summary.updateReadme(Path.of(readme), summary);
    }

    private void runAll() throws Exception {
        int w = profile.warmup(), n = profile.iterations();
        for (int round = 0; round < profile.rounds(); round++) {
            System.out.println("round " + (round + 1) + " of " + profile.rounds());
            if (only.contains("rtt")) {
                for (String t : Profile.TRANSPORTS) {
                    for (String mode : Profile.MODES) {
                        for (String impl : rotate(impls(t), round)) {
                            pingpong("rtt", t + "/" + mode, impl, t, mode, w, n, 0);
                        }
                    }
                }
            }
            if (only.contains("idle")) {
                for (String mode : Profile.MODES) {
                    for (int idle : new int[] {Profile.IDLE_FDS_FEW, profile.idleFdsMany()}) {
                        for (String impl : rotate(List.of("c", "reactor-panama", "reactor-jnr"), round)) {
                            pingpong("idle", "eventfd/" + mode + " idle=" + idle, impl, "eventfd", mode, w, n, idle);
                        }
                    }
                }
            }
            if (only.contains("timer")) {
                String iterations = String.valueOf(profile.timerIterations());
                for (String impl : rotate(List.of("c", "reactor-panama", "reactor-jnr"), round)) {
                    List<String> cmd = impl.equals("c")
                            ? List.of(nativeDir.resolve("timer").toString(), "--iterations", iterations, "--json")
                            : processes.javaCommand(TIMER, List.of("--backend", impl.substring("reactor-".length()),
                                    "--mode", "block", "--iterations", iterations, "--json"));
                    run("timer", "1 ms timer lateness/block", impl, cmd);
                }
            }
            if (only.contains("jmh")) {
                run("syscall", "read(empty eventfd)", "c", List.of(nativeDir.resolve("syscall").toString(), "--json"));
                for (int k : profile.dispatchReady()) {
                    run("dispatch", "dispatch 1000 fds, " + k + " ready", "c", List.of(
                            nativeDir.resolve("dispatch").toString(), "--fds", "1000", "--ready", String.valueOf(k), "--json"));
                }
            }
        }
        if (only.contains("jmh")) {
            List<Row> jmh = new JmhCases(profile, out, processes.java(), jvmFlags())
                    .run(line -> System.out.println("  " + line));
            rows.addAll(jmh);
            rows.sort(Comparator.comparingInt(r -> groupOrder(r.group)));
        }
    }

    private static int groupOrder(String g) {
        return List.of("rtt", "idle", "timer", "syscall", "dispatch", "timers", "send").indexOf(g);
    }

    private static List<String> impls(String transport) {
        // raw-panama: pingpong.c transcribed into Java over the raw binding, the floor for Java + FFI.
        List<String> l = new ArrayList<>(List.of("c", "reactor-panama", "reactor-jnr", "raw-panama"));
        if (transport.equals("pipe") || transport.equals("tcp")) l.add("nio");
        if (transport.equals("tcp")) l.add("netty");
        return l;
    }

    /** A different implementation goes first each round, so none always gets the quietest slot. */
    private static List<String> rotate(List<String> l, int round) {
        List<String> r = new ArrayList<>(l);
        java.util.Collections.rotate(r, -(round % l.size()));
        return r;
    }

    private void pingpong(String group, String caseName, String impl, String transport, String mode,
                          int warmup, int iterations, int idle) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--transport", transport, "--mode", mode,
                "--warmup", String.valueOf(warmup), "--iterations", String.valueOf(iterations),
                "--idle-fds", String.valueOf(idle), "--json"));
        List<String> cmd;
        if (impl.equals("c")) {
            cmd = new ArrayList<>();
            cmd.add(nativeDir.resolve("pingpong").toString());
            cmd.addAll(args);
        } else {
            List<String> jargs = new ArrayList<>(args);
            if (impl.startsWith("reactor-") || impl.startsWith("raw-")) {
                int dash = impl.indexOf('-');
                jargs.addAll(List.of("--impl", impl.substring(0, dash), "--backend", impl.substring(dash + 1)));
            } else {
                jargs.addAll(List.of("--impl", impl));
            }
            cmd = processes.javaCommand(PINGPONG, jargs);
        }
        run(group, caseName, impl, cmd);
    }

    private void run(String group, String caseName, String impl, List<String> cmd) throws InterruptedException {
        Row row = null;
        for (Row r : rows) {
            if (r.group.equals(group) && r.caseName.equals(caseName) && r.impl.equals(impl)) row = r;
        }
        if (row == null) {
            row = new Row(group, caseName, impl);
            rows.add(row);
        }
        long t0 = System.nanoTime();
        String result;
        try {
            // A normal run takes seconds. Spinning pairs degenerate when other work takes a vCPU:
            // both spinners then share one and each message waits for a time slice (~ms), so a
            // run could take many minutes; it is cut short and reported as failed instead.
            Map<String, Object> m = processes.run(cmd, RUN_TIMEOUT_SECONDS);
            row.rounds.add(m);
            result = m.containsKey("p50_ns")
                    ? "p50 " + Report.us(((Number) m.get("p50_ns")).doubleValue()) + ", p99 " + Report.us(((Number) m.get("p99_ns")).doubleValue())
                    : m.containsKey("ns_per_call") ? Report.ns(((Number) m.get("ns_per_call")).doubleValue()) + "/call"
                    : Report.ns(((Number) m.get("total_ns_per_event")).doubleValue()) + "/event";
        } catch (IOException e) {
            row.error = e.getMessage();
            result = "FAILED: " + e.getMessage();
        }
        System.out.printf(Locale.ROOT, "  [%3d] %-8s %-32s %-15s %s (%.1f s)%n", ++done, group, caseName, impl, result,
                (System.nanoTime() - t0) / 1e9);
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void clean(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        }
    }
}
