package dev.reactor.examples;

import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inotify example: what it prints, in order, for its own demo and for a directory changed by someone else. */
class DirWatcherTest {

    @Test
    @LinuxOnly("inotify")
    void shouldPrintTheDemosEventsInOrderAndTheOverflow() throws Exception {
        String out = captured(() -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> DirWatcher.main(new String[0])));
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).matches("watching .*dirwatcher-\\d+ \\(wd \\d+\\)"), out);
        Path dir = Path.of(lines.get(0).substring("watching ".length(), lines.get(0).lastIndexOf(" (wd ")));
        int max = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
        assertEquals(List.of(
                "CREATE a.txt",
                "MODIFY a.txt",
                "CLOSE_WRITE a.txt",
                "MOVED_FROM a.txt -> MOVED_TO b.txt",
                "DELETE b.txt",
                "flooding: " + (max + 1) + " writes, nothing read meanwhile",
                "(" + max + " events of the flood not shown)",
                "OVERFLOW: events were lost",
                "DELETE flood-x",
                "DELETE flood-y",
                "DELETE_SELF",
                "IGNORED: the watch is gone"), lines.subList(1, lines.size()), out);
        assertFalse(Files.exists(dir), "the demo removed its directory");
    }

    @Test
    @LinuxOnly("inotify")
    void shouldWatchAGivenDirectoryUntilItIsDeleted() throws Exception {
        Path dir = Files.createTempDirectory("inotify-dirwatcher-");
        StringBuffer out = new StringBuffer();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        PrintStream original = System.out;
        System.setOut(new PrintStream(new java.io.OutputStream() {
            @Override public void write(int b) { out.append((char) b); }
            @Override public void write(byte[] b, int off, int len) { out.append(new String(b, off, len, StandardCharsets.UTF_8)); }
        }, true, StandardCharsets.UTF_8));
        Thread watcher = new Thread(() -> {
            try {
                DirWatcher.main(new String[] {dir.toString()});
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "DirWatcher");
        watcher.setDaemon(true);
        try {
            watcher.start();
            Duration deadline = Duration.ofSeconds(30);
            Loop.await(deadline, () -> out.indexOf("watching " + dir) >= 0 || !watcher.isAlive());
            // Each change once the one before was printed: the watcher reads as it goes.
            Path a = dir.resolve("a.txt");
            Files.writeString(a, "one");
            Loop.await(deadline, () -> out.indexOf("CLOSE_WRITE a.txt\n") >= 0 || !watcher.isAlive());
            Files.createDirectory(dir.resolve("sub"));
            Files.move(a, dir.resolve("sub").resolve("a.txt"));                 // out of the watched directory
            Loop.await(deadline, () -> out.indexOf("MOVED_FROM a.txt (moved out)\n") >= 0 || !watcher.isAlive());
            Files.move(dir.resolve("sub").resolve("a.txt"), dir.resolve("b.txt"));   // and back in
            // No rename within the directory here: its two halves are queued one after the other,
            // and a reader running meanwhile may take the first alone (the demo test pairs them).
            Files.delete(dir.resolve("b.txt"));
            Files.delete(dir.resolve("sub"));
            Files.delete(dir);
            watcher.join(deadline.toMillis());
        } finally {
            System.setOut(original);
            deleteTree(dir);                // after a failure: the directory goes, and with it the watcher
        }
        assertFalse(watcher.isAlive(), "the watcher stopped when its directory went: " + out);
        assertNull(failed.get(), () -> "failed: " + failed.get() + "\n" + out);
        assertEquals(List.of(
                "watching " + dir + " (wd 1)",
                "CREATE a.txt",
                "MODIFY a.txt",
                "CLOSE_WRITE a.txt",
                "CREATE|ISDIR sub",
                "MOVED_FROM a.txt (moved out)",
                "MOVED_TO b.txt (moved in)",
                "DELETE b.txt",
                "DELETE|ISDIR sub",
                "DELETE_SELF",
                "IGNORED: the watch is gone"), out.toString().lines().toList(), out.toString());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String captured(ThrowingRunnable run) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            run.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
