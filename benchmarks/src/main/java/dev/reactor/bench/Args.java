package dev.reactor.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} and {@code --flag} command-line options, the same spelling as native/bench. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    public Args(String[] argv, String... flags) {
        java.util.Set<String> isFlag = java.util.Set.of(flags);
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq >= 0) {
                values.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (isFlag.contains(key)) {
                values.put(key, "true");
            } else {
                if (i + 1 >= argv.length) throw new IllegalArgumentException("--" + key + " needs a value");
                values.put(key, argv[++i]);
            }
        }
    }

    public String get(String key, String def) {
        return values.getOrDefault(key, def);
    }

    public String require(String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("--" + key + " is required");
        return v;
    }

    public long getLong(String key, long def) {
        String v = values.get(key);
        if (v == null) return def;
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value for --" + key + ": '" + v + "'");
        }
    }

    public int getInt(String key, int def) {
        long n = getLong(key, def);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("--" + key + " too large: " + n);
        return (int) n;
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(values.getOrDefault(key, "false"));
    }
}
