package dev.reactor.bench.suite;

import dev.reactor.bench.jmh.DispatchBenchmark;
import dev.reactor.bench.jmh.SendBenchmark;
import dev.reactor.bench.jmh.SyscallBenchmark;
import dev.reactor.bench.jmh.TimerBenchmark;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JMH cases (dispatch, timer schedule+cancel, send/execute), each with the GC profiler so
 * that gc.alloc.rate.norm (bytes per operation) is reported next to the time. JMH forks its own
 * JVMs; each class writes its JSON result file to the results folder.
 */
final class JmhCases {
    private final Profile profile;
    private final Path out;
    private final String java;
    private final List<String> jvmFlags;

    JmhCases(Profile profile, Path out, String java, List<String> jvmFlags) {
        this.profile = profile;
        this.out = out;
        this.java = java;
        this.jvmFlags = jvmFlags;
    }

    /** Rows keyed like the other cases; dispatch scores are converted to per-event numbers. */
    List<Row> run(java.util.function.Consumer<String> progress) throws RunnerException {
        List<Row> rows = new ArrayList<>();
        String[] ready = profile.dispatchReady().stream().map(String::valueOf).toArray(String[]::new);
        // One JMH run per backend: the fork's -Ddev.reactor.ffi puts Fds (the eventfd reads and
        // writes) on the same backend as the reactor, not only its epoll calls.
        for (String backend : Profile.BACKENDS) {
            progress.accept("jmh DispatchBenchmark " + backend + " (ready=" + String.join(",", ready) + ")");
            for (RunResult r : run(DispatchBenchmark.class, backend, b -> b.param("ready", ready))) {
                BenchmarkParams p = r.getParams();
                int k = Integer.parseInt(p.getParam("ready"));
                rows.add(row("dispatch", "dispatch " + p.getParam("fds") + " fds, " + k + " ready/" + p.getParam("mode"),
                        backend, r, k));
            }
            progress.accept("jmh SyscallBenchmark " + backend);
            for (RunResult r : run(SyscallBenchmark.class, backend, b -> b)) {
                String method = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
                rows.add(row("syscall", method.equals("libcRead") ? "read(empty eventfd): raw binding"
                        : "read(empty eventfd): Fds.eventfdRead", backend, r, 1));
            }
            progress.accept("jmh TimerBenchmark " + backend);
            for (RunResult r : run(TimerBenchmark.class, backend, b -> b)) {
                rows.add(row("timers", "timeoutNanos+cancel (" + r.getParams().getParam("pending") + " pending)",
                        backend, r, 1));
            }
            progress.accept("jmh SendBenchmark " + backend);
            for (RunResult r : run(SendBenchmark.class, backend, b -> b)) {
                BenchmarkParams p = r.getParams();
                String method = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
                rows.add(row("send", method + " from another thread/" + p.getParam("mode"), backend, r, 1));
            }
        }
        return rows;
    }

    private Collection<RunResult> run(Class<?> benchmark, String backend,
                                      java.util.function.UnaryOperator<ChainedOptionsBuilder> extra) throws RunnerException {
        List<String> args = new ArrayList<>(jvmFlags);
        args.add("-Ddev.reactor.ffi=" + backend);
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(benchmark.getName() + "\\.")
                .param("backend", backend)
                .forks(profile.jmhForks())
                .warmupIterations(profile.jmhWarmupIterations())
                .warmupTime(TimeValue.seconds(profile.jmhSeconds()))
                .measurementIterations(profile.jmhMeasureIterations())
                .measurementTime(TimeValue.seconds(profile.jmhSeconds()))
                .addProfiler(GCProfiler.class)
                .jvm(java)
                .jvmArgsAppend(args.toArray(String[]::new))
                .verbosity(VerboseMode.SILENT)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh-" + benchmark.getSimpleName() + "-" + backend + ".json").toString());
        return new Runner(extra.apply(b).build()).run();
    }

    private static Row row(String group, String caseName, String backend, RunResult r, int eventsPerOp) {
        Row row = new Row(group, caseName, "reactor-" + backend);
        Map<String, Object> m = new LinkedHashMap<>();
        Result<?> primary = r.getPrimaryResult();
        m.put("ns_per_op", primary.getScore() / eventsPerOp);
        m.put("ns_per_op_error", primary.getScoreError() / eventsPerOp);
        Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        if (alloc != null) m.put("alloc_bytes_per_op", alloc.getScore() / eventsPerOp);
        m.put("events_per_op", eventsPerOp);
        row.rounds.add(m);
        return row;
    }
}
