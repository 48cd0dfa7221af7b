package dev.reactor.examples;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples answer a bad argument with what is wrong and the usage, exit status 2, no stack trace. */
class UsageTest {
    @Test
    void shouldSayWhichArgumentIsWrong() {
        assertEquals("--port 'abc' is not a port (0-65535)", bad("--port", "abc"));
        assertEquals("--port '70000' is not a port (0-65535)", bad("--port", "70000"));
        assertEquals("--redis 'nohost' is not host:port", bad("--redis", "nohost"));
        assertEquals("--redis ':6379' is not host:port", bad("--redis", ":6379"));
        assertEquals("--redis port 'x' is not a port (0-65535)", bad("--redis", "127.0.0.1:x"));
        assertEquals("unexpected argument '--verbose'", bad("--verbose"));
        assertEquals(6380, OneLoopApp.options(new String[] {"--redis", "127.0.0.1:6380"}, null, null).redis.getPort());
        assertEquals("host=/tmp dbname=app", OneLoopApp.options(new String[] {"--pg", "host=/tmp dbname=app"}, null, null).pg);
        assertEquals("port=6543", OneLoopApp.options(new String[0], null, null, "port=6543").pg, "PG_CONNINFO");
        assertEquals(OneLoopApp.PG_DEFAULT, OneLoopApp.options(new String[0], null, null, "").pg);
        assertEquals("unexpected argument '--pg'", bad("--pg"), "--pg without its value");
        assertEquals("PORT 'x' is not a port (0-65535)",
                assertThrows(Usage.Error.class, () -> OneLoopApp.options(new String[0], "x", null)).getMessage(), "from the environment");
    }

    @Test
    void shouldExitWithStatusTwoAndTheUsageForEachExample() throws Exception {
        run("OneLoopApp", "OneLoopApp: --port 'abc' is not a port (0-65535)", "--port", "abc");
        run("OneLoopApp", "OneLoopApp: --redis 'nohost' is not host:port", "--redis", "nohost");
        run("EchoServer", "EchoServer: port 'abc' is not a port (0-65535)", "abc");
        run("HttpServer", "HttpServer: port '-1' is not a port (0-65535)", "-1");
        run("FdDemo", "FdDemo: ticks 'many' is not a positive number", "many");
        run("DirWatcher", "DirWatcher: '/nonexistent-dir' is not a directory", "/nonexistent-dir");
        run("DirWatcher", "DirWatcher: unexpected argument 'two'", "/tmp", "two");
    }

    private static String bad(String... args) {
        return assertThrows(Usage.Error.class, () -> OneLoopApp.options(args, null, null)).getMessage();
    }

    private static void run(String example, String firstLine, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp",
                System.getProperty("java.class.path"), "dev.reactor.examples." + example));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(2, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals(2, lines.size(), out);
        assertEquals(firstLine, lines.get(0));
        assertTrue(lines.get(1).startsWith("usage: " + example + " "), out);
    }
}
