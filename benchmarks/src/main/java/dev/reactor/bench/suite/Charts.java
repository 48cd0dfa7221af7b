package dev.reactor.bench.suite;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** PNG charts (XChart, headless): p50 by transport per mode, percentiles per case, idle fds. */
final class Charts {
    static final List<String> IMPLS = List.of("c", "reactor-panama", "reactor-jnr", "raw-panama", "nio", "netty");
    private static final String[] PCT_KEYS = {"p50_ns", "p90_ns", "p99_ns", "p999_ns"};
    private static final List<String> PCT_NAMES = List.of("p50", "p90", "p99", "p99.9");

    private final Report report;
    private final Path out;
    final List<String> written = new ArrayList<>();

    Charts(Report report, Path out) {
        this.report = report;
        this.out = out;
        System.setProperty("java.awt.headless", "true");
    }

    void drawAll(String subtitle) throws IOException {
        for (String mode : Profile.MODES) p50ByTransport(mode, subtitle);
        for (String t : Profile.TRANSPORTS) {
            for (String mode : Profile.MODES) percentiles(t, mode, subtitle);
        }
        idle(subtitle);
    }

    private void p50ByTransport(String mode, String subtitle) throws IOException {
        CategoryChart chart = chart("Round trip p50, " + mode + " (" + subtitle + ")", "transport", "µs");
        boolean any = false;
        for (String impl : IMPLS) {
            List<Double> ys = new ArrayList<>();
            boolean mine = false;
            for (String t : Profile.TRANSPORTS) {
                Row r = report.find("rtt", t + "/" + mode, impl);
                ys.add(r == null ? null : r.value("p50_ns") / 1000);
                mine |= r != null;
            }
            if (mine) chart.addSeries(impl, Profile.TRANSPORTS, ys);
            any |= mine;
        }
        if (any) save(chart, "rtt-p50-" + mode);
    }

    private void percentiles(String transport, String mode, String subtitle) throws IOException {
        CategoryChart chart = chart("Round trip over " + transport + ", " + mode + " (" + subtitle + ")",
                "percentile", "µs (log)");
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setYAxisLogarithmic(true);
        boolean any = false;
        for (String impl : IMPLS) {
            Row r = report.find("rtt", transport + "/" + mode, impl);
            if (r == null) continue;
            List<Double> ys = new ArrayList<>();
            for (String k : PCT_KEYS) ys.add(r.value(k) / 1000);
            chart.addSeries(impl, PCT_NAMES, ys);
            any = true;
        }
        if (any) save(chart, "rtt-percentiles-" + transport + "-" + mode);
    }

    /** The idle-fd cases, labelled from the C rows (every case has one). */
    private void idle(String subtitle) throws IOException {
        List<String> cases = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Row r : report.rows()) {
            if (r.group.equals("idle") && r.impl.equals("c") && r.ok()) {
                cases.add(r.caseName);
                labels.add(r.caseName.substring(r.caseName.indexOf('/') + 1).replace(" idle=", ", ") + " fds");
            }
        }
        if (cases.isEmpty()) return;
        CategoryChart chart = chart("eventfd round trip p50 with idle registered fds (" + subtitle + ")",
                "mode, idle fds registered", "µs");
        for (String impl : IMPLS) {
            List<Double> ys = new ArrayList<>();
            boolean mine = false;
            for (String c : cases) {
                Row r = report.find("idle", c, impl);
                ys.add(r == null ? null : r.value("p50_ns") / 1000);
                mine |= r != null;
            }
            if (mine) chart.addSeries(impl, labels, ys);
        }
        save(chart, "idle-fds");
    }

    private static CategoryChart chart(String title, String x, String y) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(title)
                .xAxisTitle(x).yAxisTitle(y).build();
        Styler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(java.awt.Color.WHITE);
        return chart;
    }

    private void save(CategoryChart chart, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, out.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        written.add(name + ".png");
    }
}
