package dev.reactor.bench.suite;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Flat JSON objects, the shape the benchmark programs print ({@code {"k":"text","n":1.5}}):
 * enough to read one line and to write one. No nesting, no arrays.
 */
final class Json {
    private Json() { }

    static Map<String, Object> parseFlat(String line) {
        Map<String, Object> m = new LinkedHashMap<>();
        String s = line.trim();
        if (!s.startsWith("{") || !s.endsWith("}")) throw new IllegalArgumentException("not a JSON object: " + line);
        int i = 1;
        while (i < s.length() - 1) {
            i = skip(s, i, ',');
            if (s.charAt(i) == '}') break;
            int keyEnd = s.indexOf('"', i + 1);
            String key = s.substring(i + 1, keyEnd);
            i = skip(s, keyEnd + 1, ':');
            if (s.charAt(i) == '"') {
                int end = s.indexOf('"', i + 1);
                m.put(key, s.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = i;
                while (end < s.length() && ",} ".indexOf(s.charAt(end)) < 0) end++;
                m.put(key, Double.parseDouble(s.substring(i, end)));
                i = end;
            }
        }
        return m;
    }

    private static int skip(String s, int i, char sep) {
        while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == sep)) i++;
        return i;
    }

    static String write(Map<String, ?> m) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, ?> e : m.entrySet()) {
            if (b.length() > 1) b.append(',');
            b.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof Number n) {
                double d = n.doubleValue();
                b.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.3f", d));
            } else {
                b.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return b.append('}').toString();
    }
}
