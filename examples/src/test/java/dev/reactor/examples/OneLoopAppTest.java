package dev.reactor.examples;

import dev.reactor.testing.Heavy;
import dev.reactor.testing.HttpTestClient;
import dev.reactor.testing.HttpTestClient.Response;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import dev.reactor.testing.PostgresServer;
import dev.reactor.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The headline example: HTTP, a Redis client, a timerfd and an eventfd in one reactor. */
class OneLoopAppTest {
    private static OneLoopApp.Options options(InetSocketAddress redis) {
        OneLoopApp.Options o = new OneLoopApp.Options();
        o.http = Net.loopback4();
        o.redis = redis;
        o.redisRetry = Duration.ofMillis(100);
        o.tick = Duration.ofMillis(50);
        o.signalEvery = Duration.ofMillis(20);
        o.counterKey = "test:count:" + System.nanoTime();
        o.pg = "host=127.0.0.1 port=" + Net.freePort() + " " + PostgresServer.QUIET;   // none unless a test starts one
        o.pgRetry = Duration.ofMillis(100);
        return o;
    }

    private static OneLoopApp.Options options(PostgresServer pg) {
        OneLoopApp.Options o = options(new InetSocketAddress(InetAddress.getLoopbackAddress(), Net.freePort()));
        o.pg = pg.conninfo();
        return o;
    }

    private static void awaitPg(OneLoopApp app) {
        Loop.await(Duration.ofSeconds(60), () -> {
            try {
                return get(app, "/stats").text().contains("\"pg\":{\"status\":\"connected\"");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    @Heavy
    @LinuxOnly("eventfd")
    void shouldAnswerAThousandPgQueriesFromFiftyClientsBesideHttpOnOneLoop() throws Exception {
        PgClientTest.assumeLibpq();
        try (PostgresServer pg = PostgresServer.create(); OneLoopApp app = OneLoopApp.start(options(pg))) {
            awaitPg(app);
            ExecutorService clients = Executors.newFixedThreadPool(50);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < 50; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        int answered = 0;
                        try (HttpTestClient http = new HttpTestClient(app.port())) {   // keep-alive: 20 on one connection
                            for (int i = 0; i < 20; i++) {
                                long n = client * 1000L + i;
                                Response r = http.request("/pg?n=" + n);
                                assertEquals(200, r.status(), r.text());
                                assertEquals((2 * n) + "\n", r.text(), "the answer to this request's own query");
                                if (i % 5 == 0) assertEquals(200, http.request("/hello").status(), "HTTP served meanwhile");
                                answered++;
                            }
                        }
                        return answered;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : done) total += f.get(5, TimeUnit.MINUTES);
                assertEquals(1000, total);
            } finally {
                clients.shutdownNow();
            }
            Response bad = get(app, "/pg?n=abc");
            assertEquals(400, bad.status(), bad.text());
            assertTrue(bad.text().contains("invalid input syntax for type bigint"), bad.text());
            assertEquals("42\n", get(app, "/pg?n=21").text(), "the connection survived the refused query");
            String stats = get(app, "/stats").text();
            assertTrue(number(stats, "queries") >= 1000, stats);
            assertEquals(1, number(stats.substring(stats.indexOf("\"pg\"")), "connects"), stats);
        }
    }

    @Test
    @Heavy
    @LinuxOnly("eventfd")
    void shouldReportEveryPgRequestAsAnswerOrErrorWhenTheServerIsKilledAndRestarted() throws Exception {
        PgClientTest.assumeLibpq();
        try (PostgresServer pg = PostgresServer.create(); OneLoopApp app = OneLoopApp.start(options(pg))) {
            awaitPg(app);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicInteger okAfterRestart = new AtomicInteger();
            AtomicReference<Throwable> wrong = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean restarted = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            ExecutorService clients = Executors.newFixedThreadPool(10);
            List<Future<?>> running = new ArrayList<>();
            try {
                for (int c = 0; c < 10; c++) {
                    int client = c;
                    running.add(clients.submit(() -> {
                        long n = client * 1_000_000L;
                        try (HttpTestClient http = new HttpTestClient(app.port())) {
                            while (!stop.get()) {
                                n++;
                                Response r = http.request("/pg?n=" + n);   // every request gets a response: no timeout
                                if (r.status() == 200) {
                                    assertEquals((2 * n) + "\n", r.text());
                                    ok.incrementAndGet();
                                    if (restarted.get()) okAfterRestart.incrementAndGet();
                                } else {
                                    assertEquals(503, r.status(), r.text());
                                    assertTrue(r.text().startsWith("503: PostgreSQL"), r.text());
                                    unavailable.incrementAndGet();
                                }
                            }
                        } catch (Throwable e) {
                            wrong.compareAndSet(null, e);
                        }
                        return null;
                    }));
                }
                Loop.await(Duration.ofSeconds(60), () -> ok.get() >= 200 || wrong.get() != null);
                pg.kill();
                Loop.await(Duration.ofSeconds(60), () -> unavailable.get() >= 50 || wrong.get() != null);
                pg.start();
                restarted.set(true);
                Loop.await(Duration.ofSeconds(60), () -> okAfterRestart.get() >= 200 || wrong.get() != null);
                stop.set(true);
                for (Future<?> f : running) f.get(2, TimeUnit.MINUTES);
            } finally {
                stop.set(true);
                clients.shutdownNow();
            }
            if (wrong.get() != null) throw new AssertionError("a request went wrong", wrong.get());
            String stats = get(app, "/stats").text();
            String pgStats = stats.substring(stats.indexOf("\"pg\""));
            assertTrue(number(pgStats, "failures") >= 1, stats);
            assertTrue(number(pgStats, "connects") >= 2, "reconnected: " + stats);
        }
    }

    /** GET path on a new connection. */
    private static Response get(OneLoopApp app, String path) throws IOException {
        try (HttpTestClient c = new HttpTestClient(app.port())) {
            return c.request(path);
        }
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    /** Asks Redis directly (RESP over a plain socket): GET key. */
    private static String redisGet(RedisServer redis, String key) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(Resp.encode("GET", key));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return new String(buf, 0, n, StandardCharsets.UTF_8);
        }
    }

    @Test
    @Heavy
    @LinuxOnly("eventfd")
    void shouldIncrementInRedisAndReportTimerfdAndEventfdFromOneLoop() throws Exception {
        try (RedisServer redis = RedisServer.start();
             OneLoopApp app = OneLoopApp.start(options(redis.address()))) {
            Loop.await(Duration.ofSeconds(10), () -> {
                try {
                    return get(app, "/stats").text().contains("\"status\":\"connected\"");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            for (int i = 1; i <= 3; i++) {
                Response r = get(app, "/count");
                assertEquals(200, r.status(), r.text());
                assertEquals(i + "\n", r.text());
            }
            try (HttpTestClient c = new HttpTestClient(app.port())) {   // pipelined: replies in order
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < 5; i++) batch.append(HttpTestClient.get("/count"));
                c.sendRaw(batch.toString());
                for (int i = 4; i <= 8; i++) assertEquals(i + "\n", c.read().text());
            }
            String key = app.optionsForTest().counterKey;
            assertEquals("$1\r\n8\r\n", redisGet(redis, key), "the value lives in Redis");

            Loop.await(Duration.ofSeconds(10), () -> {
                try {
                    String s = get(app, "/stats").text();
                    return number(s, "ticks") >= 3 && number(s, "wakeups") >= 3;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            String stats = get(app, "/stats").text();
            assertTrue(number(stats, "total") >= number(stats, "wakeups"), stats);
            assertEquals(8, number(stats, "commands"), stats);
            // listener, timerfd, eventfd, the Redis socket and this request's connection: one reactor
            assertTrue(number(stats, "registrations") >= 5, stats);
        }
    }

    @Test
    @Heavy
    @LinuxOnly("eventfd")
    void shouldAnswer503WithoutRedisThenRecoverWhenRedisStarts() throws Exception {
        int redisPort = Net.freePort();
        InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort);
        try (OneLoopApp app = OneLoopApp.start(options(nowhere))) {
            Response unavailable = get(app, "/count");
            assertEquals(503, unavailable.status());
            assertTrue(unavailable.text().contains("Redis is unavailable at 127.0.0.1:" + redisPort), unavailable.text());
            assertEquals(200, get(app, "/stats").status(), "everything else serves");
            assertEquals(200, get(app, "/hello").status());
            assertEquals(200, get(app, "/").status());

            try (RedisServer redis = RedisServer.start(redisPort)) {
                Loop.await(Duration.ofSeconds(10), () -> status(app, "/count") == 200);
                assertEquals("2\n", get(app, "/count").text());
            }
            Loop.await(Duration.ofSeconds(10), () -> status(app, "/count") == 503);   // Redis gone again
        }
    }

    private static int status(OneLoopApp app, String path) {
        try {
            return get(app, path).status();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldPickAFreePortWhenTheDefaultIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            OneLoopApp.Options o = options(new InetSocketAddress(InetAddress.getLoopbackAddress(), Net.freePort()));
            o.http = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            try (OneLoopApp app = OneLoopApp.start(o)) {
                assertNotEquals(taken.getLocalPort(), app.port());
                assertEquals(200, get(app, "/hello").status());
            }
            o.anyPortIfTaken = false;
            try {
                OneLoopApp.start(o).close();
                throw new AssertionError("started on a taken port");
            } catch (dev.reactor.ReactorException e) {
                assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
            }
        }
    }
}
