package dev.reactor.examples;

import dev.reactor.testing.ChildProcess;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-downtime restart for real: two JVMs running HotRestart on one control path. A client
 * thread opens a new connection per request all along; the first process hands its listening
 * socket to the second (SCM_RIGHTS), drains and exits 0. No connection is refused, every request
 * is answered, by the old process until the handover and by the new one after it; an idle
 * keep-alive connection is closed when the old one starts draining, one with a request begun is
 * served to its end by it. And
 * when a handover fails: the new process killed before it adopts, or hanging past the deadline
 * (the old one takes its listener back), or the old one killed right after handing it (the new
 * one serves on). The kill points are the example's own PAUSED steps, not timing.
 */
@Heavy
class HotRestartTest {
    private static final Duration DEADLINE = Duration.ofSeconds(120);   // a shared 2-core machine; qemu slower still

    @Test
    void shouldHandTheListenerToANewProcessWithoutRefusingAConnection() throws Exception {
        Path dir = Files.createTempDirectory("hr");
        String control = dir.resolve("ctl").toString();
        List<String> args = List.of(control, "0", "60");
        Hammer hammer = null;
        try (ChildProcess old = ChildProcess.start("old", 1024, HotRestart.class, List.of(), args, DEADLINE)) {
            ChildProcess.Report first = old.expect("SERVING");
            assertEquals("false", first.get("adopted"));
            long oldPid = first.num("pid");
            int port = (int) first.num("port");

            try (Socket kept = new Socket(); Socket partial = new Socket()) {
                kept.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                kept.setSoTimeout((int) DEADLINE.toMillis());
                assertEquals("pid " + oldPid, request(kept, true).body, "a keep-alive connection to the old process");
                partial.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                partial.setSoTimeout((int) DEADLINE.toMillis());
                assertEquals("pid " + oldPid, request(partial, true).body, "another");
                partial.getOutputStream().write(HALF.getBytes(StandardCharsets.ISO_8859_1));   // a next request begun

                hammer = new Hammer(port);
                Hammer h = hammer;
                List<Long> answeredBy = h.answered;
                Loop.await(DEADLINE, () -> h.count(oldPid) >= 20 || h.failed());

                try (ChildProcess taker = ChildProcess.start("new", 1024, HotRestart.class, List.of(), args, DEADLINE)) {
                    ChildProcess.Report second = taker.expect("SERVING");
                    long newPid = second.num("pid");
                    assertNotEquals(oldPid, newPid);
                    assertEquals("true", second.get("adopted"));
                    assertEquals(port, second.num("port"), "the same listening socket");
                    assertEquals(oldPid, old.expect("HANDED").num("pid"));
                    assertTrue(old.expect("DRAINING").num("open") >= 1, "the connection with half a request is still open");
                    assertEquals(-1, kept.getInputStream().read(), "the idle keep-alive connection closed when draining began");

                    int before = answeredBy.size();
                    Loop.await(DEADLINE, () -> h.count(newPid) >= 20 || h.failed());

                    // The connection with a request begun before the drain: its answer is the old process's, and the last.
                    Response last = exchange(partial, REST);
                    assertEquals("pid " + oldPid, last.body);
                    assertEquals("close", last.connection);
                    assertEquals(-1, partial.getInputStream().read(), "the old process closed it after answering");

                    ChildProcess.Report exiting = old.expect("EXITING");
                    assertEquals(0, exiting.num("open"));
                    assertEquals(0, old.exitCode(), "the old process exits 0 once drained");

                    // Nobody listens in the old process any more: the new one answers everything now.
                    int after = answeredBy.size();
                    Loop.await(DEADLINE, () -> answeredBy.size() >= after + 20 || h.failed());
                    h.stop();
                    h.assertAllAnswered();
                    List<Long> seen = new ArrayList<>(answeredBy);
                    int switchAt = seen.indexOf(newPid);
                    assertTrue(switchAt > 0 && switchAt <= before + 1, "the old process answered first: " + switchAt);
                    for (int i = 0; i < seen.size(); i++) {
                        assertEquals(i < switchAt ? oldPid : newPid, seen.get(i), "answer " + i + " of " + seen.size()
                                + ": the old process until the handover, the new one after it");
                    }
                    System.out.println("hot restart: " + switchAt + " answers from the old process, "
                            + (seen.size() - switchAt) + " from the new one, none refused");
                }
            }
        } finally {
            if (hammer != null) hammer.stop();
            Files.deleteIfExists(Path.of(control));
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The new process is killed before it has taken the listener (stopped where its message is
     * readable, not yet received): the old one sees the control connection end, takes its
     * listener back and serves on. A client hammering all along is never refused and never fails:
     * what arrived meanwhile waited in the accept queue.
     */
    @Test
    void shouldTakeTheListenerBackWhenTheNewProcessDiesBeforeItAdopts() throws Exception {
        Path dir = Files.createTempDirectory("hr");
        String control = dir.resolve("ctl").toString();
        List<String> args = List.of(control, "0", "60");
        Hammer hammer = null;
        try (ChildProcess old = ChildProcess.start("old", 1024, HotRestart.class, List.of(handover(600)), args, DEADLINE)) {
            ChildProcess.Report first = old.expect("SERVING");
            long oldPid = first.num("pid");
            hammer = new Hammer((int) first.num("port"));
            Hammer h = hammer;
            Loop.await(DEADLINE, () -> h.count(oldPid) >= 20 || h.failed());
            try (ChildProcess taker = ChildProcess.start("new", 1024, HotRestart.class, List.of(pauseAt("readable")), args,
                    DEADLINE)) {
                assertEquals("readable", taker.expect("PAUSED").get("step"));
                assertEquals(oldPid, old.expect("HANDED").num("pid"));
                taker.close();                   // killed with the listener's message unread
                assertNotEquals(0, taker.exitCode());
            }
            assertEquals(oldPid, old.expect("RESUMED").num("pid"));
            int after = h.answered.size();
            Loop.await(DEADLINE, () -> h.answered.size() >= after + 20 || h.failed());
            h.stop();
            h.assertAllAnswered();
            assertEquals(List.of(oldPid), h.answered.stream().distinct().toList(), "the old process answered everything");
            assertTrue(Files.exists(Path.of(control)), "the old process keeps its control path");
        } finally {
            if (hammer != null) hammer.stop();
            Files.deleteIfExists(Path.of(control));
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The new process hangs with the control connection open (stopped, never killed): past the
     * handover deadline the old one closes that connection and takes its listener back. None
     * refused, none failed meanwhile.
     */
    @Test
    void shouldTakeTheListenerBackWhenTheNewProcessHangsPastTheDeadline() throws Exception {
        Path dir = Files.createTempDirectory("hr");
        String control = dir.resolve("ctl").toString();
        List<String> args = List.of(control, "0", "60");
        Hammer hammer = null;
        try (ChildProcess old = ChildProcess.start("old", 1024, HotRestart.class, List.of(handover(1)), args, DEADLINE)) {
            ChildProcess.Report first = old.expect("SERVING");
            long oldPid = first.num("pid");
            hammer = new Hammer((int) first.num("port"));
            Hammer h = hammer;
            Loop.await(DEADLINE, () -> h.count(oldPid) >= 20 || h.failed());
            try (ChildProcess taker = ChildProcess.start("new", 1024, HotRestart.class, List.of(pauseAt("readable")), args,
                    DEADLINE)) {
                assertEquals("readable", taker.expect("PAUSED").get("step"));
                assertEquals(oldPid, old.expect("HANDED").num("pid"));
                assertEquals(oldPid, old.expect("RESUMED").num("pid"), "the deadline passed: the listener is back");
                int after = h.answered.size();
                Loop.await(DEADLINE, () -> h.answered.size() >= after + 20 || h.failed());
            }
            h.stop();
            h.assertAllAnswered();
            assertEquals(List.of(oldPid), h.answered.stream().distinct().toList(), "the old process answered everything");
        } finally {
            if (hammer != null) hammer.stop();
            Files.deleteIfExists(Path.of(control));
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The old process is killed right after it handed the listener over (stopped at HANDED, so
     * it never reads the A nor sends D): the new one has adopted it and serves on, the port never
     * dark; a connection made while the old one was stopped is answered by the new one.
     */
    @Test
    void shouldKeepServingWhenTheOldProcessDiesRightAfterHanding() throws Exception {
        Path dir = Files.createTempDirectory("hr");
        String control = dir.resolve("ctl").toString();
        List<String> args = List.of(control, "0", "60");
        Hammer hammer = null;
        try (ChildProcess old = ChildProcess.start("old", 1024, HotRestart.class, List.of(handover(600), pauseAt("handed")),
                args, DEADLINE)) {
            ChildProcess.Report first = old.expect("SERVING");
            long oldPid = first.num("pid");
            int port = (int) first.num("port");
            try (ChildProcess taker = ChildProcess.start("new", 1024, HotRestart.class, List.of(), args, DEADLINE);
                 Socket meanwhile = new Socket()) {
                assertEquals(oldPid, old.expect("HANDED").num("pid"));
                assertEquals("handed", old.expect("PAUSED").get("step"));
                meanwhile.setSoTimeout((int) DEADLINE.toMillis());
                meanwhile.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                old.close();                     // killed before it read the A
                assertNotEquals(0, old.exitCode());

                ChildProcess.Report second = taker.expect("SERVING");
                long newPid = second.num("pid");
                assertEquals("true", second.get("adopted"));
                assertEquals(port, second.num("port"), "the same listening socket");
                assertTrue(Files.exists(Path.of(control)), "the new process took the control path over");
                assertEquals("pid " + newPid, request(meanwhile, false).body, "the connection made while the old one was stopped");

                hammer = new Hammer(port);
                Hammer h = hammer;
                Loop.await(DEADLINE, () -> h.count(newPid) >= 20 || h.failed());
                h.stop();
                h.assertAllAnswered();
                assertEquals(List.of(newPid), h.answered.stream().distinct().toList(), "the new process answers everything");
            }
        } finally {
            if (hammer != null) hammer.stop();
            Files.deleteIfExists(Path.of(control));
            Files.deleteIfExists(dir);
        }
    }

    private static String handover(int seconds) {
        return "-D" + HotRestart.HANDOVER_SECONDS + "=" + seconds;
    }

    private static String pauseAt(String step) {
        return "-D" + HotRestart.PAUSE_AT + "=" + step;
    }

    /** A client thread opening a new connection per GET /pid until stopped: who answered, what failed. */
    private static final class Hammer {
        final List<Long> answered = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Hammer(int port) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    try (Socket s = new Socket()) {
                        s.setSoTimeout((int) DEADLINE.toMillis());
                        try {
                            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                        } catch (ConnectException e) {
                            refused.incrementAndGet();
                            continue;
                        }
                        Response r = request(s, false);
                        if (r.status != 200 || !r.body.startsWith("pid ")) failures.add("answer " + r.status + ": " + r.body);
                        else answered.add(Long.parseLong(r.body.substring(4)));
                    } catch (IOException | RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            }, "hammer");
            thread.start();
        }

        long count(long pid) {
            return HotRestartTest.count(answered, pid);
        }

        boolean failed() {
            return !failures.isEmpty() || refused.get() > 0;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(DEADLINE.toMillis());
            assertFalse(thread.isAlive(), "the hammer thread ended");
        }

        void assertAllAnswered() {
            assertEquals(List.of(), failures, "every request answered");
            assertEquals(0, refused.get(), "refused connections");
        }
    }

    private static long count(List<Long> pids, long pid) {
        return pids.stream().filter(p -> p == pid).count();
    }

    private record Response(int status, String connection, String body) { }

    /** A keep-alive GET /pid in two halves. */
    private static final String HALF = "GET /pid HTTP/1.1\r\n";
    private static final String REST = "Host: t\r\n\r\n";

    /** GET /pid on s (keep-alive or Connection: close), and its response, read by Content-Length. */
    private static Response request(Socket s, boolean keepAlive) throws IOException {
        return exchange(s, "GET /pid HTTP/1.1\r\nHost: t\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n");
    }

    /** req (or its rest) sent on s, and the response, read by Content-Length. */
    private static Response exchange(Socket s, String req) throws IOException {
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("end of stream in the headers: '" + head + "'");
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        int length = 0;
        String connection = "keep-alive";
        for (String line : lines) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            if (lower.startsWith("connection:")) connection = line.substring(11).trim();
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8).trim();
        return new Response(status, connection, body);
    }
}
