package dev.reactor.examples;

import dev.reactor.Reactor;
import dev.reactor.io.Sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Example (b): an HTTP/1.1 keep-alive server on the reactor. Pipelined requests are answered in
 * order; a malformed request gets 400, oversized headers 431, and the connection closes after
 * either. Routes: {@code /hello}, {@code /echo?text=...} (or POST a body), {@code /bytes?n=N}.
 * {@code java ... dev.reactor.examples.HttpServer [port]} (default 8081).
 */
public final class HttpServer {
    private HttpServer() { }

    /** Answers one request, now or later on the loop thread, through response.send. */
    @FunctionalInterface
    interface Handler {
        void handle(Reactor reactor, HttpRequest request, HttpResponse response) throws Exception;
    }

    /** Counters of one server; loop-thread only. */
    static final class Stats {
        long connectionsOpen;
        long connectionsTotal;
        long requests;
        long responses;
        /** Times a connection stopped reading because its output or in-flight queue was full. */
        long backpressurePauses;
        /** Handing over to another process (HotRestart): every response from now on closes its connection. */
        boolean draining;
        /** The open connections, for HotRestart to close the idle ones when it starts draining. */
        final java.util.Set<HttpConnection> open = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    static int listen(Reactor reactor, SocketAddress address, Handler handler, Stats stats) throws IOException {
        return reactor.listen(address, (r, fd, peer) -> new HttpConnection(fd, handler, stats));
    }

    static final String TEXT = "text/plain; charset=utf-8";

    /** The routes of this example; other examples fall back to them. */
    static void basicRoutes(Reactor reactor, HttpRequest request, HttpResponse response) {
        String method = request.method();
        boolean get = method.equals("GET") || method.equals("HEAD");
        switch (request.path()) {
            case "/hello":
                if (get) response.send(200, TEXT, "hello from " + reactor.backend() + "\n");
                else response.send(405, TEXT, "405: use GET\n");
                return;
            case "/echo":
                if (method.equals("POST")) response.send(200, TEXT, request.body());
                else if (get) response.send(200, TEXT, String.valueOf(request.query("text")));
                else response.send(405, TEXT, "405: use GET or POST\n");
                return;
            case "/bytes": {
                String n = request.query("n");
                int count = n == null ? 1024 : Integer.parseInt(n);
                if (count < 0 || count > 16 << 20) {
                    response.send(400, TEXT, "400: n must be 0..16777216\n");
                    return;
                }
                byte[] body = new byte[count];
                for (int i = 0; i < count; i++) body[i] = (byte) ('a' + i % 26);
                response.send(200, "application/octet-stream", body);
                return;
            }
            default:
                response.send(404, TEXT, "404: no route for " + request.path() + "\n");
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Usage.optional("HttpServer", "HttpServer [port]  (default 8081)", args, 8081, v -> Usage.port("port", v));
        Stats stats = new Stats();
        // Socket-activated (systemd-socket-activate -l 127.0.0.1:8081 ..., or a .socket unit):
        // the supervisor made and bound the listener; this process adopts it instead of binding.
        try (Reactor reactor = Reactor.open()) {
            // snippet: socket-activation
            List<Sockets.Inherited> inherited = Sockets.inherited();   // LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES
            int fd = inherited.isEmpty()
                    ? listen(reactor, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), HttpServer::basicRoutes, stats)
                    : reactor.listen(inherited.get(0).fd(), (r, conn, peer) -> new HttpConnection(conn, HttpServer::basicRoutes, stats));
            // end snippet
            java.net.SocketAddress local = Sockets.localAddress(fd);
            String at = local instanceof InetSocketAddress i
                    ? (i.getAddress() instanceof java.net.Inet6Address ? "[" + i.getHostString() + "]" : i.getHostString()) + ":" + i.getPort()
                    : local.toString();
            System.out.println("HTTP server on http://" + at + "/hello (" + reactor.backend()
                    + (inherited.isEmpty() ? "" : ", socket-activated: fd " + fd + " '" + inherited.get(0).name() + "'") + ")");
            reactor.run();
        }
    }
}
