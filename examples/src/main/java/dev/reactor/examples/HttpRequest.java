package dev.reactor.examples;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** One parsed HTTP/1.x request. Header names are kept as sent; lookups ignore case. */
record HttpRequest(String method, String target, String version, List<String[]> headers, byte[] body) {

    /** The target without its query string. */
    String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The value of a query parameter, or null. No percent-decoding: the examples need none. */
    String query(String name) {
        int q = target.indexOf('?');
        if (q < 0) return null;
        for (String pair : target.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) return pair.substring(eq + 1);
        }
        return null;
    }

    String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) return h[1];
        }
        return null;
    }

    /** HTTP/1.1 keeps the connection unless "Connection: close"; HTTP/1.0 closes unless "keep-alive". */
    boolean keepAlive() {
        String c = header("Connection");
        String connection = c == null ? "" : c.toLowerCase(Locale.ROOT);
        if (version.equals("HTTP/1.0")) return connection.contains("keep-alive");
        return !connection.contains("close");
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
