package dev.reactor.examples;

import dev.reactor.Reactor;
import dev.reactor.io.Fds;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One HTTP/1.1 keep-alive connection: parses pipelined requests, hands each to the handler, and
 * writes the responses in request order. Bounded: 16 KiB of input, 64 KiB of output and at most
 * {@link #MAX_IN_FLIGHT} requests awaiting their response; past that it stops reading.
 */
final class HttpConnection extends BufferedConnection {
    static final int MAX_IN_FLIGHT = 32;

    private final HttpServer.Handler handler;
    private final HttpServer.Stats stats;
    private final ArrayDeque<HttpResponse> inFlight = new ArrayDeque<>();
    private Reactor reactor;
    private boolean consuming;
    private boolean lastRequestSeen;   // Connection: close, or an error: parse nothing after it
    private long answered;             // responses queued for the peer

    HttpConnection(int fd, HttpServer.Handler handler, HttpServer.Stats stats) {
        super(fd, 16 * 1024, 64 * 1024);
        this.handler = handler;
        this.stats = stats;
        stats.connectionsOpen++;
        stats.connectionsTotal++;
        stats.open.add(this);
    }

    Reactor reactor() {
        return reactor;
    }

    @Override
    protected void consume(Reactor r, ByteBuffer input) {
        reactor = r;
        consuming = true;
        try {
            drain();
            while (!lastRequestSeen && inFlight.size() < MAX_IN_FLIGHT && out.hasRemaining()) {
                HttpRequest request;
                try {
                    request = HttpParser.parse(input);
                } catch (HttpParser.HttpError e) {
                    lastRequestSeen = true;
                    HttpResponse error = new HttpResponse(this, false, false);
                    inFlight.add(error);
                    error.send(e.status, "text/plain; charset=utf-8", e.status + " " + HttpResponse.reason(e.status)
                            + ": " + e.getMessage() + "\n");
                    drain();
                    break;
                }
                if (request == null) break;
                stats.requests++;
                // Draining (HotRestart): this request is the connection's last; its answer says so.
                boolean keepAlive = request.keepAlive() && !stats.draining;
                if (!keepAlive) lastRequestSeen = true;
                HttpResponse response = new HttpResponse(this, request.method().equals("HEAD"), keepAlive);
                inFlight.add(response);
                try {
                    handler.handle(r, request, response);
                } catch (Exception e) {
                    if (!response.isSent()) response.send(500, "text/plain; charset=utf-8", "500: " + e + "\n");
                }
                drain();
            }
        } finally {
            consuming = false;
        }
    }

    /** A response was sent: queue it (and any ready ones behind it) unless it waits for an earlier one. */
    void completed(HttpResponse response) {
        if (consuming || isClosed()) return;   // consume() drains; a closed connection drops it
        try {
            pump(reactor);
        } catch (Exception e) {
            onError(reactor, e);
        }
    }

    /** Moves ready responses, in order, into the output buffer while they fit. */
    private void drain() {
        HttpResponse head;
        while ((head = inFlight.peek()) != null && head.isSent()) {
            if (!send(head.bytes())) return;   // output full: the rest goes once WRITABLE drains it
            inFlight.poll();
            stats.responses++;
            answered++;
            if (head.closesConnection()) {
                lastRequestSeen = true;
                inFlight.clear();
                closeWhenFlushed();
                return;
            }
        }
    }

    /**
     * Draining: closes the connection now if it is idle between requests (one answered at least,
     * nothing in flight or queued, nothing of a next request here or in the kernel); a connection
     * not yet answered, or with a request coming, is served (its answer says Connection: close).
     */
    void closeIfIdle(Reactor r) {
        if (isClosed() || answered == 0 || !inFlight.isEmpty() || in.position() > 0 || out.position() > 0) return;
        try {
            int n = Fds.read(fd, in);               // what the loop has not read yet
            if (n > 0) pump(r);                      // a request came: answered, then closed
            else close(r);                           // idle, or the peer closed its end
        } catch (Exception e) {
            onError(r, e);
        }
    }

    @Override
    protected boolean wantsInput() {
        return !lastRequestSeen && inFlight.size() < MAX_IN_FLIGHT;
    }

    @Override
    protected void onBackpressure(boolean paused) {
        if (paused) stats.backpressurePauses++;
    }

    @Override
    protected boolean hasPendingWork() {
        return !inFlight.isEmpty();
    }

    @Override
    protected void onClosed(Reactor r) {
        stats.connectionsOpen--;
        stats.open.remove(this);
        inFlight.clear();
    }
}
