package dev.reactor.examples;

import dev.reactor.testing.Heavy;
import dev.reactor.testing.HttpTestClient;
import dev.reactor.testing.HttpTestClient.Response;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
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
        return o;
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
