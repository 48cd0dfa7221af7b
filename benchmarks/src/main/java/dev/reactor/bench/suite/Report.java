package dev.reactor.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table: every case's p50/p99 (or mean ns per operation for JMH cases), its ratio to the
 * C baseline and to NIO/Netty from the same run, allocation, and whether the target is
 * met. Also writes results.json and results.csv with the medians of every row.
 */
final class Report {
    static final List<String> KEYS = List.of("p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "mean_ns",
            "ns_per_event", "total_ns_per_event", "ns_per_call", "ns_per_op", "ns_per_op_error", "alloc_bytes_per_op", "count");

    private final List<Row> rows;

    Report(List<Row> rows) {
        this.rows = rows;
    }

    List<Row> rows() {
        return rows;
    }

    Row find(String group, String caseName, String impl) {
        for (Row r : rows) {
            if (r.group.equals(group) && r.caseName.equals(caseName) && r.impl.equals(impl) && r.ok()) return r;
        }
        return null;
    }

    String table() {
        StringBuilder b = new StringBuilder();
        b.append("| case | impl | p50 | p99 | p50 ×C | p99 ×C | p50 ×NIO | p50 ×Netty | B/op | target |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            if (!r.ok()) {
                b.append("| ").append(r.caseName).append(" | ").append(r.impl).append(" | failed: ")
                        .append(r.error).append(" |||||||\n");
                continue;
            }
            switch (r.group) {
                case "rtt", "idle" -> latencyRow(b, r);
                case "timer" -> {
                    Row c = find("timer", r.caseName, "c");
                    cells(b, r, us(r.value("p50_ns")), us(r.value("p99_ns")), ratio(r, c, "p50_ns"), ratio(r, c, "p99_ns"),
                            "", "", "", r.impl.equals("c") ? "kernel floor (timer slack)"
                                    : verdict(r.value("p99_ns") <= 200_000, "p99 ≤ 200 µs"));
                }
                case "dispatch" -> dispatchRow(b, r);
                case "syscall" -> syscallRow(b, r);
                default -> jmhRow(b, r);
            }
        }
        return b.toString();
    }

    private void latencyRow(StringBuilder b, Row r) {
        double p50 = r.value("p50_ns"), p99 = r.value("p99_ns");
        Row c = find(r.group, r.caseName, "c");
        Row nio = find(r.group, r.caseName, "nio");
        Row netty = find(r.group, r.caseName, "netty");
        String target = "";
        boolean reactor = r.impl.startsWith("reactor");
        if (reactor && c != null) {
            // The targets: spin p50 ≤ 1.10×C and below NIO; block p50 ≤ 1.05×C.
            boolean spin = r.caseName.contains("/spin");
            double limit = spin ? 1.10 : 1.05;
            double ratio = ratioValue(r, c, "p50_ns");
            boolean nioTarget = spin && nio != null;
            boolean belowNio = !nioTarget || ratioValue(r, nio, "p50_ns") < 1;
            target = verdict(ratio <= limit && belowNio, "p50 ≤ " + limit + "×C" + (nioTarget ? ", < NIO" : ""));
        }
        if (r.group.equals("idle") && !r.caseName.endsWith("idle=" + Profile.IDLE_FDS_FEW)) {
            Row few = find("idle", r.caseName.replaceAll("idle=\\d+", "idle=" + Profile.IDLE_FDS_FEW), r.impl);
            if (few != null) {
                double ratio = ratioValue(r, few, "p50_ns");
                String v = String.format(Locale.ROOT, "%.2f× the %d-fd p50", ratio, Profile.IDLE_FDS_FEW);
                target = reactor ? verdict(ratio <= 1.05, v + " (≤ 1.05)") : v;
            }
        }
        cells(b, r, us(p50), us(p99),
                ratio(r, c, "p50_ns"), ratio(r, c, "p99_ns"),
                r.impl.equals("nio") ? "" : ratio(r, nio, "p50_ns"),
                r.impl.equals("netty") ? "" : ratio(r, netty, "p50_ns"), "", target);
    }

    private void dispatchRow(StringBuilder b, Row r) {
        if (r.impl.equals("c")) {
            cells(b, r, ns(r.value("total_ns_per_event")) + "/event", "", "", "", "", "", "",
                    "epoll_wait+read only: " + ns(r.value("ns_per_event")) + "/event");
            return;
        }
        Row c = find("dispatch", r.caseName.substring(0, r.caseName.lastIndexOf('/')), "c");
        String x = c == null ? "" : fmt(r.value("ns_per_op") / c.value("total_ns_per_event"));   // JMH: one round
        cells(b, r, ns(r.value("ns_per_op")) + "/event", "", x, "", "", "", bytes(r), allocVerdict(r));
    }

    private void syscallRow(StringBuilder b, Row r) {
        if (r.impl.equals("c")) {
            cells(b, r, ns(r.value("ns_per_call")) + "/call", "", "", "", "", "", "", "the syscall alone");
            return;
        }
        Row c = find("syscall", "read(empty eventfd)", "c");
        String x = c == null ? "" : fmt(r.value("ns_per_op") / c.value("ns_per_call"));
        cells(b, r, ns(r.value("ns_per_op")) + "/call", "", x, "", "", "", bytes(r), allocVerdict(r));
    }

    private void jmhRow(StringBuilder b, Row r) {
        cells(b, r, ns(r.value("ns_per_op")) + "/op", "", "", "", "", "", bytes(r), allocVerdict(r));
    }

    private static void cells(StringBuilder b, Row r, String... c) {
        b.append("| ").append(r.caseName).append(" | ").append(r.impl);
        for (String s : c) b.append(" | ").append(s);
        b.append(" |\n");
    }

    private static String ratio(Row r, Row base, String key) {
        if (base == null || base == r) return "";
        return fmt(ratioValue(r, base, key));
    }

    /**
     * The median of the per-round ratios when both rows have every round: the two runs of a
     * round are seconds apart, so drift on this shared machine (other work, CPU idle states)
     * cancels out better than in the ratio of the two medians, which is the fallback.
     */
    static double ratioValue(Row r, Row base, String key) {
        if (r.rounds.size() == base.rounds.size() && r.rounds.size() > 1) {
            java.util.List<Double> ratios = new java.util.ArrayList<>();
            for (int i = 0; i < r.rounds.size(); i++) {
                if (r.rounds.get(i).get(key) instanceof Number a && base.rounds.get(i).get(key) instanceof Number b) {
                    ratios.add(a.doubleValue() / b.doubleValue());
                }
            }
            if (ratios.size() == r.rounds.size()) {
                java.util.Collections.sort(ratios);
                int n = ratios.size();
                return n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
            }
        }
        return r.value(key) / base.value(key);
    }

    private static String allocVerdict(Row r) {
        double a = r.value("alloc_bytes_per_op");
        // The GC profiler's norm is total allocation / operations: JMH's own bookkeeping leaves
        // a few hundredths of a byte per op in it even when the code allocates nothing.
        return Double.isNaN(a) ? "" : verdict(a < 0.5, "0 B/op");
    }

    private static String verdict(boolean ok, String what) {
        return (ok ? "ok: " : "MISS: ") + what;
    }

    private static String bytes(Row r) {
        double a = r.value("alloc_bytes_per_op");
        return Double.isNaN(a) ? "" : String.format(Locale.ROOT, "%.2f", a);
    }

    static String us(double ns) {
        return Double.isNaN(ns) ? "" : String.format(Locale.ROOT, "%.2f µs", ns / 1000);
    }

    static String ns(double ns) {
        return Double.isNaN(ns) ? "" : String.format(Locale.ROOT, ns < 100 ? "%.1f ns" : "%.0f ns", ns);
    }

    static String fmt(double ratio) {
        return Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    void writeData(Path out) throws IOException {
        List<String> json = new ArrayList<>();
        List<String> csv = new ArrayList<>();
        csv.add("group,case,impl,rounds," + String.join(",", KEYS) + ",error");
        for (Row r : rows) {
            Map<String, Object> m = r.summary(KEYS);
            json.add("  " + Json.write(m));
            StringBuilder line = new StringBuilder();
            line.append(r.group).append(',').append('"').append(r.caseName).append('"').append(',')
                    .append(r.impl).append(',').append(r.rounds.size());
            for (String k : KEYS) {
                double d = r.value(k);
                line.append(',').append(Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.1f", d));
            }
            line.append(',').append(r.error == null ? "" : '"' + r.error.replace('"', '\'') + '"');
            csv.add(line.toString());
        }
        Files.writeString(out.resolve("results.json"), "[\n" + String.join(",\n", json) + "\n]\n");
        Files.write(out.resolve("results.csv"), csv);
    }
}
