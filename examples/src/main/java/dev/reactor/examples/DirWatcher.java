package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Inotify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One loop watching a directory through inotify (Linux), printing each event in the kernel's
 * order: {@code CREATE a.txt}, {@code MODIFY a.txt}, {@code MOVED_FROM a.txt -> MOVED_TO b.txt},
 * {@code DELETE b.txt}, {@code OVERFLOW: events were lost}. It stops when the directory goes
 * (deleted: the kernel ends the watch with IGNORED).
 *
 * <p>The handler given to {@link Inotify#drain} never throws: an event it fails on is reported on
 * stderr and the events after it are delivered all the same. (A handler that throws leaves them
 * buffered, and a level-triggered registration is not woken for them while the kernel has
 * nothing more queued; the reactor's default onError would also end the registration.)
 *
 * <p>A file moved out of the directory ({@code MOVED_FROM a.txt (moved out)}) is printed when the
 * next event comes: until then it may be the first half of a rename whose MOVED_TO the kernel had
 * not queued yet when the loop read, and a rename is printed once, as a pair.
 *
 * <p>{@code DirWatcher DIR} watches DIR until then (Ctrl-C stops it sooner). {@code DirWatcher}
 * alone makes a temporary directory and shows what it sees there: a file written, renamed and
 * deleted; then more writes than the kernel's queue holds (max_queued_events), made while
 * nothing reads, so that the queue overflows; then the directory deleted.
 */
public final class DirWatcher {
    static final int MASK = Inotify.CREATE | Inotify.MODIFY | Inotify.CLOSE_WRITE | Inotify.DELETE | Inotify.MOVE
            | Inotify.DELETE_SELF | Inotify.MOVE_SELF;

    private final Path dir;
    private final Demo demo;
    private int notShown;
    /** The line of a MOVED_FROM with no MOVED_TO after it (yet): printed before the next event, unless that is its MOVED_TO. */
    private String movedOut;

    private DirWatcher(Path dir, Demo demo) {
        this.dir = dir;
        this.demo = demo;
    }

    public static void main(String[] args) throws Exception {
        String usage = "DirWatcher [directory]  (default: a demo in a temporary directory)";
        Path dir = null;
        try {
            if (args.length > 1) throw new Usage.Error("unexpected argument '" + args[1] + "'");
            if (args.length == 1) {
                dir = Path.of(args[0]);
                if (!Files.isDirectory(dir)) throw new Usage.Error("'" + args[0] + "' is not a directory");
            }
        } catch (Usage.Error e) {
            Usage.exit("DirWatcher", usage, e);
            return;
        }
        if (dir != null) {
            new DirWatcher(dir, null).watch();
        } else {
            Path temp = Files.createTempDirectory("dirwatcher-");
            try {
                new DirWatcher(temp, new Demo(temp)).watch();
            } finally {
                Demo.deleteAll(temp);
            }
        }
    }

    private void watch() throws IOException {
        // The Inotify first, so that the reactor (opened second) is closed before it: the fd is
        // never closed while it is registered.
        // snippet: inotify
        try (Inotify inotify = Inotify.open(); Reactor reactor = Reactor.open()) {
            int wd = inotify.add(dir, MASK);
            System.out.println("watching " + dir + " (wd " + wd + ")");
            // Level-triggered READ: drain reads until EAGAIN, so one wakeup takes all that is queued.
            // The handler never throws: a throw would leave the events after it buffered, with
            // nothing to wake the loop for them (and end the registration).
            reactor.register(Context.of(inotify.fd(), Interest.READ, (r, events) -> {
                inotify.drain(e -> {
                    try {
                        print(r, e);
                    } catch (RuntimeException failed) {
                        System.err.println("failed on " + e + ": " + failed);
                    }
                });
                if (demo != null) demo.next(this);
            }));
            // end snippet
            if (demo != null) demo.next(this);
            reactor.run();
        }
    }

    /** One line per event; the two halves of a rename on one line, even when they came in two reads. */
    private void print(Reactor reactor, Inotify.Event e) {
        if (movedOut != null) {
            String held = movedOut;
            movedOut = null;
            if (!(e.is(Inotify.MOVED_TO) && e.movedFrom() != null)) System.out.println(held);
        }
        if (e.isOverflow()) {
            if (notShown > 0) System.out.println("(" + notShown + " events of the flood not shown)");
            notShown = 0;
            System.out.println("OVERFLOW: events were lost");
            if (demo != null) demo.overflowed = true;
            return;
        }
        if (e.is(Inotify.IGNORED)) {
            System.out.println("IGNORED: the watch is gone");
            reactor.stop();
            return;
        }
        if (demo != null && demo.flooding) {
            notShown++;
            return;
        }
        if (e.is(Inotify.MOVED_FROM) && e.hasMovedTo()) return;          // said with its MOVED_TO, next
        if (e.is(Inotify.MOVED_TO) && e.movedFrom() != null) {
            System.out.println("MOVED_FROM " + e.movedFrom() + " -> MOVED_TO " + e.name());
            return;
        }
        String line = Inotify.describe(e.mask()) + (e.name().isEmpty() ? "" : " " + e.name());
        if (e.is(Inotify.MOVED_FROM)) {
            movedOut = line + " (moved out)";                                // or half a rename: see the next event
            return;
        }
        if (e.is(Inotify.MOVED_TO)) line += " (moved in)";
        System.out.println(line);
    }

    /**
     * The demo's steps, each taken on the loop thread once the events of the one before were
     * seen: so the output's order is the kernel's, never a race with the reader.
     */
    private static final class Demo {
        private final Path dir;
        private int step;
        boolean flooding;
        boolean overflowed;

        Demo(Path dir) {
            this.dir = dir;
        }

        void next(DirWatcher watcher) throws IOException {
            switch (step) {
                case 0 -> {                                   // before the loop runs
                    Path a = dir.resolve("a.txt");
                    Files.writeString(a, "hello\n");           // CREATE, MODIFY, CLOSE_WRITE
                    Files.move(a, dir.resolve("b.txt"));      // MOVED_FROM and MOVED_TO, one cookie
                    Files.delete(dir.resolve("b.txt"));       // DELETE
                    step = 1;
                }
                case 1 -> {                                   // that was read: now the flood
                    flood();
                    step = 2;
                }
                case 2 -> {
                    if (!overflowed) return;                  // the flood is still being read
                    flooding = false;
                    deleteAll(dir);                           // DELETE each file, DELETE_SELF, IGNORED
                    step = 3;
                }
                default -> { }
            }
        }

        /** More events than the kernel queues, written while the loop reads nothing. */
        private void flood() throws IOException {
            int max = maxQueuedEvents();
            System.out.println("flooding: " + (max + 1) + " writes, nothing read meanwhile");
            flooding = true;
            // The kernel merges an event identical to the last one queued: two files take turns.
            try (FileChannel x = FileChannel.open(dir.resolve("flood-x"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileChannel y = FileChannel.open(dir.resolve("flood-y"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (int i = 0; i <= max; i++) (i % 2 == 0 ? x : y).write(one.clear(), 0);
            }
        }

        /** /proc/sys/fs/inotify/max_queued_events (read by lines: a /proc/sys file reads as one byte otherwise). */
        static int maxQueuedEvents() throws IOException {
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
        }

        static void deleteAll(Path dir) throws IOException {
            if (!Files.exists(dir)) return;
            try (var files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }
}
