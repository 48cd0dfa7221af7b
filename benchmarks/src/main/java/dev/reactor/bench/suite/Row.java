package dev.reactor.bench.suite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured case for one implementation, with the numbers of every round. {@link #value}
 * is the median over rounds, so one disturbed round does not move the result.
 */
final class Row {
    final String group;      // rtt, idle, timer, dispatch, timers, send
    final String caseName;   // e.g. "tcp/spin", "eventfd/block idle=18000"
    final String impl;       // c, reactor-panama, reactor-jnr, nio, netty
    final List<Map<String, Object>> rounds = new ArrayList<>();
    String error;

    Row(String group, String caseName, String impl) {
        this.group = group;
        this.caseName = caseName;
        this.impl = impl;
    }

    boolean ok() {
        return !rounds.isEmpty();
    }

    /** Median over rounds of a numeric field; NaN when absent. */
    double value(String key) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Object> r : rounds) {
            if (r.get(key) instanceof Number n) v.add(n.doubleValue());
        }
        if (v.isEmpty()) return Double.NaN;
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    String text(String key) {
        for (Map<String, Object> r : rounds) {
            if (r.get(key) instanceof String s) return s;
        }
        return "";
    }

    /** The medians as one flat object, for results.json / results.csv. */
    Map<String, Object> summary(List<String> keys) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", group);
        m.put("case", caseName);
        m.put("impl", impl);
        m.put("rounds", rounds.size());
        for (String k : keys) {
            double d = value(k);
            if (!Double.isNaN(d)) m.put(k, d);
        }
        if (error != null) m.put("error", error);
        return m;
    }
}
