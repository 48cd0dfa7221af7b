package dev.reactor.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses HTTP/1.x requests out of a byte buffer, one at a time, without copying what is not yet
 * complete. Strict on purpose: CRLF line ends, token method and header names, a target starting
 * with '/', at most one Content-Length, no chunked bodies. Limits bound memory per connection.
 */
final class HttpParser {
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final int MAX_HEADERS = 100;
    static final int MAX_BODY_BYTES = 8 * 1024;

    /** A request that gets an error response, after which the connection closes. */
    static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private HttpParser() { }

    /**
     * The next complete request in buf (position advanced past it), or null when more bytes are
     * needed (position unchanged). Throws when the bytes can never become a valid request.
     */
    static HttpRequest parse(ByteBuffer buf) throws HttpError {
        int start = buf.position();
        int end = headerEnd(buf, start, buf.limit());
        if (end < 0) {
            if (buf.limit() - start >= MAX_HEADER_BYTES) throw new HttpError(431, "request headers exceed " + MAX_HEADER_BYTES + " bytes");
            return null;
        }
        if (end - start > MAX_HEADER_BYTES) throw new HttpError(431, "request headers exceed " + MAX_HEADER_BYTES + " bytes");
        byte[] head = new byte[end - start - 4];
        buf.get(start, head);
        // ISO-8859-1: one char per byte, so nothing is lost and no decoding error is possible.
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n", -1);

        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3) throw new HttpError(400, "malformed request line");
        String method = requestLine[0];
        String target = requestLine[1];
        String version = requestLine[2];
        if (!isToken(method)) throw new HttpError(400, "malformed method");
        if (target.isEmpty() || target.charAt(0) != '/' || !isVisible(target)) throw new HttpError(400, "malformed target");
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            if (version.startsWith("HTTP/")) throw new HttpError(505, "HTTP version " + version + " not supported");
            throw new HttpError(400, "malformed HTTP version");
        }

        if (lines.length - 1 > MAX_HEADERS) throw new HttpError(431, "more than " + MAX_HEADERS + " headers");
        List<String[]> headers = new ArrayList<>(lines.length - 1);
        long contentLength = 0;
        boolean sawLength = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) throw new HttpError(400, "malformed header line");
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            headers.add(new String[] {name, value});
            if (name.equalsIgnoreCase("Content-Length")) {
                long n = parseLength(value);
                if (sawLength && n != contentLength) throw new HttpError(400, "conflicting Content-Length");
                contentLength = n;
                sawLength = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new HttpError(501, "Transfer-Encoding is not supported; send Content-Length");
            }
        }
        if (version.equals("HTTP/1.1") && headerValue(headers, "Host") == null) throw new HttpError(400, "missing Host header");
        if (contentLength > MAX_BODY_BYTES) throw new HttpError(413, "body exceeds " + MAX_BODY_BYTES + " bytes");
        if (buf.limit() - end < contentLength) return null;   // body not all here yet
        byte[] body = new byte[(int) contentLength];
        buf.get(end, body);
        buf.position(end + (int) contentLength);
        return new HttpRequest(method, target, version, headers, body);
    }

    /** Index just past the CRLFCRLF ending the head, or -1. */
    private static int headerEnd(ByteBuffer buf, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (buf.get(i) == '\r' && buf.get(i + 1) == '\n' && buf.get(i + 2) == '\r' && buf.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static long parseLength(String value) throws HttpError {
        if (value.isEmpty() || value.length() > 18) throw new HttpError(400, "malformed Content-Length");
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') throw new HttpError(400, "malformed Content-Length");
        }
        return Long.parseLong(value);
    }

    private static String headerValue(List<String[]> headers, String name) {
        for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
        return null;
    }

    /** RFC 9110 token characters. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    private static boolean isVisible(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7F) return false;
        }
        return true;
    }
}
