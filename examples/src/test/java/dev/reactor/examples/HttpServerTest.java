package dev.reactor.examples;

import dev.reactor.Reactor;
import dev.reactor.io.Sockets;
import dev.reactor.testing.HttpTestClient;
import dev.reactor.testing.HttpTestClient.Response;
import dev.reactor.testing.Loop;
import dev.reactor.testing.LoopThread;
import dev.reactor.testing.Net;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP example over real sockets: keep-alive, pipelining, errors, limits, backpressure. */
class HttpServerTest {
    private final HttpServer.Stats stats = new HttpServer.Stats();
    private LoopThread server;
    private int port;

    /** The example's routes, plus /slow, answered 50 ms later from a timer. */
    private static void routes(Reactor r, HttpRequest request, HttpResponse response) {
        if (request.path().equals("/slow")) {
            r.timeout(Duration.ofMillis(50), (rr, id) -> response.send(200, HttpServer.TEXT, "slow"));
        } else {
            HttpServer.basicRoutes(r, request, response);
        }
    }

    @BeforeEach
    void start() throws Exception {
        int[] p = {0};
        server = LoopThread.start(r -> p[0] = Sockets.localPort(
                HttpServer.listen(r, Net.loopback4(), HttpServerTest::routes, stats)));
        port = p[0];
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private long stat(java.util.function.ToLongFunction<HttpServer.Stats> f) throws Exception {
        return server.call(() -> f.applyAsLong(stats));
    }

    @Test
    void shouldKeepOneConnectionAliveAcrossRequests() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            for (int i = 0; i < 3; i++) {
                Response r = c.request("/echo?text=n" + i);
                assertEquals(200, r.status());
                assertEquals("n" + i, r.text());
                assertEquals(String.valueOf(r.body().length), r.headers().get("content-length"));
            }
        }
        assertEquals(1, stat(s -> s.connectionsTotal));
        assertEquals(3, stat(s -> s.requests));
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderWithRightContentLengths() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 20; i++) batch.append(HttpTestClient.get("/bytes?n=" + (i * 97)));
            c.sendRaw(batch.toString());       // one write: all twenty arrive together
            for (int i = 0; i < 20; i++) {
                Response r = c.read();
                assertEquals(200, r.status());
                assertEquals(i * 97, r.body().length, "response " + i);
                assertEquals(String.valueOf(i * 97), r.headers().get("content-length"));
                for (int j = 0; j < r.body().length; j++) assertEquals('a' + j % 26, r.body()[j]);
            }
        }
    }

    @Test
    void shouldKeepResponseOrderWhenAnEarlierOneIsLate() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw(HttpTestClient.get("/slow") + HttpTestClient.get("/echo?text=fast") + HttpTestClient.get("/slow"));
            assertEquals("slow", c.read().text());
            assertEquals("fast", c.read().text());
            assertEquals("slow", c.read().text());
        }
    }

    @Test
    void shouldReadABodySplitAcrossWritesByContentLength() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello");
            c.sendRaw(" world" + HttpTestClient.get("/echo?text=next"));
            assertEquals("hello world", c.read().text());
            assertEquals("next", c.read().text());
        }
    }

    @Test
    void shouldAnswer400AndCloseOnAMalformedRequest() throws Exception {
        String[] malformed = {
            "GARBAGE\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n",
            "GET nopath HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /x HTTP/1.1\r\n\r\n",                                   // HTTP/1.1 without Host
            "GET /x HTTP/1.1\r\nHost: t\r\nContent-Length: x1\r\n\r\n",
        };
        for (String request : malformed) {
            try (HttpTestClient c = new HttpTestClient(port)) {
                c.sendRaw(request + HttpTestClient.get("/hello"));   // nothing after the bad one is answered
                Response r = c.read();
                assertEquals(400, r.status(), request);
                assertEquals("close", r.headers().get("connection"));
                assertTrue(c.closedByServer(), "closed after 400: " + request);
            }
        }
    }

    @Test
    void shouldAnswer431OnOversizedHeaders() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + "y".repeat(10_000) + "\r\n\r\n");
            assertEquals(431, c.read().status());
            assertTrue(c.closedByServer());
        }
        try (HttpTestClient c = new HttpTestClient(port)) {   // headers that never end: same answer, no waiting forever
            c.sendRaw("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + "y".repeat(HttpParser.MAX_HEADER_BYTES));
            assertEquals(431, c.read().status());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void shouldAnswer413ForATooLargeBodyAnd501ForChunked() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
            assertEquals(413, c.read().status());
        }
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertEquals(501, c.read().status());
        }
    }

    @Test
    void shouldCloseAfterConnectionCloseAndAfterHttp10() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("close", r.headers().get("connection"));
            assertTrue(c.closedByServer());
        }
        try (HttpTestClient c = new HttpTestClient(port)) {
            c.sendRaw("GET /hello HTTP/1.0\r\n\r\n");
            assertEquals(200, c.read().status());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void shouldAnswer404AndKeepTheConnection() throws Exception {
        try (HttpTestClient c = new HttpTestClient(port)) {
            assertEquals(404, c.request("/nothing-here").status());
            assertEquals(200, c.request("/hello").status());
        }
    }

    @Test
    void shouldStopReadingWhileTheClientDoesNotReadItsResponses() throws Exception {
        int requests = 100;
        int size = 1 << 20;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < requests; i++) batch.append(HttpTestClient.get("/bytes?n=" + size));
            s.getOutputStream().write(batch.toString().getBytes(StandardCharsets.ISO_8859_1));

            // 100 MiB of responses cannot be buffered: the server must stop reading and parsing.
            Loop.await(Duration.ofSeconds(10), () -> {
                try {
                    return stat(st -> st.backpressurePauses) > 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            long parsed = stat(st -> st.requests);
            System.out.println("backpressure: " + parsed + " of " + requests + " requests parsed while the client read nothing");
            assertTrue(parsed < 40, "parsed " + parsed + " requests while the client read nothing");

            // Reading resumes on WRITABLE: every response arrives, in order, whole.
            s.setSoTimeout(10_000);
            java.io.InputStream in = s.getInputStream();
            for (int i = 0; i < requests; i++) {
                String status = new String(in.readNBytes(15), StandardCharsets.ISO_8859_1);
                assertEquals("HTTP/1.1 200 OK", status, "response " + i);
                int crlfs = 0;
                int b;
                while (crlfs < 4 && (b = in.read()) >= 0) crlfs = (b == '\r' || b == '\n') ? crlfs + 1 : 0;
                byte[] body = in.readNBytes(size);
                assertEquals(size, body.length);
                assertEquals('a', body[0]);
                assertEquals('a' + (size - 1) % 26, body[size - 1]);
            }
        }
        assertEquals(requests, stat(st -> st.responses));
    }
}
