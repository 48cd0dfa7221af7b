package dev.reactor.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP2, the Redis protocol: commands are arrays of bulk strings; replies are simple strings
 * ({@code +OK}), errors ({@code -ERR ...}), integers ({@code :42}), bulk strings ({@code $3 foo},
 * {@code $-1} for nil) and arrays. Decoding is incremental: an incomplete reply consumes nothing.
 */
final class Resp {
    private Resp() { }

    /** Returned by {@link #decode} when the buffer does not yet hold a whole reply. */
    static final Object INCOMPLETE = new Object();

    /** An error reply ({@code -ERR ...}). */
    record Error(String message) { }

    static byte[] encode(String... args) {
        StringBuilder sb = new StringBuilder(16 + args.length * 16);
        sb.append('*').append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One reply from buf's position (advanced past it), or {@link #INCOMPLETE} (position unchanged). */
    static Object decode(ByteBuffer buf) {
        int start = buf.position();
        Object value = value(buf);
        if (value == INCOMPLETE) buf.position(start);
        return value;
    }

    private static Object value(ByteBuffer buf) {
        if (!buf.hasRemaining()) return INCOMPLETE;
        byte type = buf.get();
        String line = line(buf);
        if (line == null) return INCOMPLETE;
        switch (type) {
            case '+': return line;
            case '-': return new Error(line);
            case ':': return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) return null;
                if (buf.remaining() < len + 2) return INCOMPLETE;
                byte[] bytes = new byte[len];
                buf.get(bytes);
                buf.position(buf.position() + 2);   // CRLF
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Object item = value(buf);
                    if (item == INCOMPLETE) return INCOMPLETE;
                    items.add(item);
                }
                return items;
            }
            default:
                throw new IllegalStateException("not RESP: type byte " + (char) type);
        }
    }

    /** The text up to CRLF (consumed), or null when no CRLF yet. */
    private static String line(ByteBuffer buf) {
        for (int i = buf.position(); i + 1 < buf.limit(); i++) {
            if (buf.get(i) == '\r' && buf.get(i + 1) == '\n') {
                byte[] b = new byte[i - buf.position()];
                buf.get(b);
                buf.position(buf.position() + 2);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
