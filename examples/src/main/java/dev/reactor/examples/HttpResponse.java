package dev.reactor.examples;

import dev.reactor.Reactor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The answer to one request, in its place in the connection's queue: responses leave in request
 * order even when a later one is ready first. {@link #send} may be called during the handler or
 * later on the loop thread (e.g. when a Redis reply arrives); a response for a connection that has
 * closed meanwhile is dropped.
 */
final class HttpResponse {
    private final HttpConnection connection;
    private final boolean head;
    private final boolean keepAlive;
    private ByteBuffer bytes;
    private boolean close;

    HttpResponse(HttpConnection connection, boolean head, boolean keepAlive) {
        this.connection = connection;
        this.head = head;
        this.keepAlive = keepAlive;
    }

    void send(int status, String contentType, String body) {
        send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    void send(int status, String contentType, byte[] body) {
        if (bytes != null) throw new IllegalStateException("response already sent");
        close = !keepAlive || status >= 400 && status != 404 && status != 405 && status != 503;
        StringBuilder h = new StringBuilder(128)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (close) h.append("Connection: close\r\n");
        h.append("\r\n");
        byte[] headBytes = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(headBytes.length + (head ? 0 : body.length));
        b.put(headBytes);
        if (!head) b.put(body);
        bytes = b.flip();
        connection.completed(this);
    }

    boolean isSent() {
        return bytes != null;
    }

    /** The encoded bytes still to queue; empty once all went to the connection's buffer. */
    ByteBuffer bytes() {
        return bytes;
    }

    boolean closesConnection() {
        return close;
    }

    Reactor reactor() {
        return connection.reactor();
    }

    static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 413: return "Content Too Large";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 503: return "Service Unavailable";
            case 505: return "HTTP Version Not Supported";
            default: return "Status " + status;
        }
    }
}
