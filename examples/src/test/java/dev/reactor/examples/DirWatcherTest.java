package dev.reactor.examples;

import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inotify example: what it prints, in order, for its own demo and for a directory changed by
 * someone else. DirWatcher runs on a daemon thread; a failed run leaves no directory behind
 * (deleted in finally, which also ends the watch and so the watcher).
 */
class DirWatcherTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** DirWatcher.main(args) on a daemon thread, with System.out captured (thread-safely) into out until {@link #close}. */
    private static final class Running implements AutoCloseable {
        final StringBuffer out = new StringBuffer();
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        final Thread thread;
        private final PrintStream original = System.out;

        Running(String... args) {
            System.setOut(new PrintStream(new OutputStream() {
                @Override public void write(int b) { out.append((char) b); }
                @Override public void write(byte[] b, int off, int len) { out.append(new String(b, off, len, StandardCharsets.UTF_8)); }
            }, true, StandardCharsets.UTF_8));
            thread = new Thread(() -> {
                try {
                    DirWatcher.main(args);
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "DirWatcher");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until out has text, or the watcher ended. */
        void awaitPrinted(String text) {
            Loop.await(DEADLINE, () -> out.indexOf(text) >= 0 || !thread.isAlive());
        }

        @Override
        public void close() {
            System.setOut(original);
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldPrintTheDemosEventsInOrderAndTheOverflow() throws Exception {
        Path dir = null;
        Running watcher = new Running();
        try {
            watcher.awaitPrinted(" (wd ");
            String first = watcher.out.toString().lines().findFirst().orElse("");
            assertTrue(first.matches("watching .*dirwatcher-\\d+ \\(wd \\d+\\)"), watcher.out.toString());
            dir = Path.of(first.substring("watching ".length(), first.lastIndexOf(" (wd ")));
            watcher.thread.join(DEADLINE.toMillis());
        } finally {
            watcher.close();
            if (dir != null) deleteTree(dir);       // after a failure: the directory goes, and with it the watcher
        }
        String out = watcher.out.toString();
        assertFalse(watcher.thread.isAlive(), "the demo ended: " + out);
        assertNull(watcher.failed.get(), () -> "failed: " + watcher.failed.get() + "\n" + out);
        List<String> lines = out.lines().toList();
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
        Running watcher = new Running(dir.toString());
        try {
            watcher.awaitPrinted("watching " + dir);
            // Each change once the one before was printed: the watcher reads as it goes.
            Path a = dir.resolve("a.txt");
            Files.writeString(a, "one");
            watcher.awaitPrinted("CLOSE_WRITE a.txt\n");
            Files.createDirectory(dir.resolve("sub"));
            Files.move(a, dir.resolve("sub").resolve("a.txt"));                 // out of the watched directory
            Files.move(dir.resolve("sub").resolve("a.txt"), dir.resolve("b.txt"));   // and back in
            // The moved-out line waits for the next event (it might have been half a rename).
            watcher.awaitPrinted("MOVED_TO b.txt (moved in)\n");
            // A rename within the directory: one line, even if the loop read its MOVED_FROM alone.
            Files.move(dir.resolve("b.txt"), dir.resolve("c.txt"));
            watcher.awaitPrinted("MOVED_FROM b.txt -> MOVED_TO c.txt\n");
            Files.delete(dir.resolve("c.txt"));
            Files.delete(dir.resolve("sub"));
            Files.delete(dir);
            watcher.thread.join(DEADLINE.toMillis());
        } finally {
            watcher.close();
            deleteTree(dir);                // after a failure: the directory goes, and with it the watcher
        }
        String out = watcher.out.toString();
        assertFalse(watcher.thread.isAlive(), "the watcher stopped when its directory went: " + out);
        assertNull(watcher.failed.get(), () -> "failed: " + watcher.failed.get() + "\n" + out);
        assertEquals(List.of(
                "watching " + dir + " (wd 1)",
                "CREATE a.txt",
                "MODIFY a.txt",
                "CLOSE_WRITE a.txt",
                "CREATE|ISDIR sub",
                "MOVED_FROM a.txt (moved out)",
                "MOVED_TO b.txt (moved in)",
                "MOVED_FROM b.txt -> MOVED_TO c.txt",
                "DELETE c.txt",
                "DELETE|ISDIR sub",
                "DELETE_SELF",
                "IGNORED: the watch is gone"), out.lines().toList(), out);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
