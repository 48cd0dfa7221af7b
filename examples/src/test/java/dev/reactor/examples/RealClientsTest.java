package dev.reactor.examples;

import dev.reactor.io.Sockets;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.LoopThread;
import dev.reactor.testing.Net;
import dev.reactor.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The HTTP examples driven by curl and wrk, over loopback only. */
@Heavy
class RealClientsTest {
    /** Output of a finished command: exit code, stdout, stderr. */
    private record Run(int exit, String out, String err) { }

    /** The executable name on the PATH, or null (the tests that need it then skip, saying so). */
    static Path tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static Run run(String... cmd) throws Exception {
        Path bin = tool(cmd[0]);
        assumeTrue(bin != null, cmd[0] + " is not installed (apt-get install " + cmd[0] + ")");
        Path out = Files.createTempFile("rx-out", ".txt");
        Path err = Files.createTempFile("rx-err", ".txt");
        try {
            List<String> args = new ArrayList<>(List.of(cmd));
            args.set(0, bin.toString());
            Process p = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static LoopThread httpServer(int[] port) throws Exception {
        HttpServer.Stats stats = new HttpServer.Stats();
        return LoopThread.start(r -> port[0] = Sockets.localPort(
                HttpServer.listen(r, Net.loopback4(), HttpServer::basicRoutes, stats)));
    }

    @Test
    void shouldServeCurlOverOneKeptAliveConnection() throws Exception {
        int[] port = {0};
        try (LoopThread server = httpServer(port)) {
            String base = "http://127.0.0.1:" + port[0];
            Run hello = run("curl", "-sS", "-i", base + "/hello");
            assertEquals(0, hello.exit(), hello.err());
            assertTrue(hello.out().startsWith("HTTP/1.1 200 OK\r\n"), hello.out());
            assertTrue(hello.out().endsWith("\r\n\r\nhello from " + server.reactor().backend() + "\n"), hello.out());

            Run two = run("curl", "-sS", "-v", base + "/echo?text=one", base + "/echo?text=two");
            assertEquals(0, two.exit(), two.err());
            assertEquals("onetwo", two.out());
            assertTrue(two.err().contains("Re-using existing connection"), "curl kept the connection: " + two.err());

            Run post = run("curl", "-sS", "--data-binary", "posted body", base + "/echo");
            assertEquals("posted body", post.out());

            Run missing = run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", base + "/missing");
            assertEquals("404", missing.out());
        }
    }

    /** wrk's summary: requests done, and whether it saw socket errors or non-2xx/3xx responses. */
    private static long wrk(String url) throws Exception {
        Run r = run("wrk", "-t1", "-c50", "-d5s", url);
        System.out.println("wrk " + url + ":\n" + r.out());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("Socket errors"), "socket errors:\n" + r.out());
        assertFalse(r.out().contains("Non-2xx or 3xx responses"), "non-2xx responses:\n" + r.out());
        Matcher m = Pattern.compile("(\\d+) requests in").matcher(r.out());
        assertTrue(m.find(), r.out());
        long requests = Long.parseLong(m.group(1));
        assertTrue(requests > 0, r.out());
        return requests;
    }

    @Test
    void shouldServeWrkWithFiftyConnectionsWithoutErrors() throws Exception {
        assumeTrue(tool("wrk") != null, "wrk is not installed (apt-get install wrk)");
        int[] port = {0};
        try (LoopThread server = httpServer(port)) {
            wrk("http://127.0.0.1:" + port[0] + "/hello");
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldServeWrkOnTheRedisBackedRouteWithoutErrors() throws Exception {
        assumeTrue(tool("wrk") != null, "wrk is not installed (apt-get install wrk)");
        try (RedisServer redis = RedisServer.start()) {
            OneLoopApp.Options o = new OneLoopApp.Options();
            o.http = Net.loopback4();
            o.redis = redis.address();
            try (OneLoopApp app = OneLoopApp.start(o)) {
                Loop.await(Duration.ofSeconds(10), () -> {
                    try {
                        return run("curl", "-sS", app.url() + "stats").out().contains("\"status\":\"connected\"");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                long requests = wrk(app.url() + "count");
                Run last = run("curl", "-sS", app.url() + "count");
                long count = Long.parseLong(last.out().trim());
                // Every request wrk counted was an INCR in Redis (and a few more may have been in flight at its end).
                assertTrue(count > requests, "Redis counted " + count + ", wrk " + requests);
            }
        }
    }
}
