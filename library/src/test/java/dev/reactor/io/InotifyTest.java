package dev.reactor.io;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorException;
import dev.reactor.sys.Errno;
import dev.reactor.sys.bsd.BsdOs;
import dev.reactor.sys.linux.Linux;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inotify on a real temporary directory with real file operations: what a directory watcher sees
 * (in order, with names, renames paired by cookie), the kernel's queue overflowing for real, watches
 * ending, and the errors, each naming the call, fd, path and errno. Nothing waits on time: each
 * test makes its changes first (the kernel queues them in order), then reads.
 */
class InotifyTest {
    private static final int WATCHED = Inotify.CREATE | Inotify.MODIFY | Inotify.CLOSE_WRITE | Inotify.DELETE
            | Inotify.MOVE | Inotify.DELETE_SELF;

    private FdSnapshot fdsBefore;
    private Path dir;

    /** One event as a test keeps it: the Event itself is reused. */
    record Seen(int wd, int mask, int cookie, String name, boolean hasMovedTo, String movedFrom, int movedFromWd) {
        static Seen of(Inotify.Event e) {
            return new Seen(e.wd(), e.mask(), e.cookie(), e.name(), e.hasMovedTo(), e.movedFrom(), e.movedFromWd());
        }

        @Override public String toString() {
            return Inotify.describe(mask) + (name.isEmpty() ? "" : " " + name);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        fdsBefore = FdSnapshot.take();
        dir = Files.createTempDirectory("inotify-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        fdsBefore.assertNoneOpened("fds leaked");
    }

    private static List<String> lines(List<Seen> seen) {
        return seen.stream().map(Seen::toString).toList();
    }

    @Test
    @LinuxOnly("inotify")
    void shouldSeeCreateModifyRenameAndDeleteInOrderThroughAReactor() throws Exception {
        List<Seen> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open(); Reactor reactor = Reactor.open()) {
            int wd = inotify.add(dir, WATCHED);
            reactor.register(Context.of(inotify.fd(), Interest.READ, (r, ev) -> inotify.drain(e -> seen.add(Seen.of(e)))));
            assertEquals(0, reactor.runOnce(java.time.Duration.ZERO), "nothing happened yet");

            Path a = dir.resolve("a.txt");
            Files.writeString(a, "hello");                           // CREATE, MODIFY, CLOSE_WRITE
            Files.move(a, dir.resolve("b.txt"));                     // MOVED_FROM a.txt, MOVED_TO b.txt
            Files.delete(dir.resolve("b.txt"));                      // DELETE b.txt
            Loop.until(reactor, () -> seen.size() >= 6);
            reactor.deregister(inotify.fd());

            assertEquals(List.of("CREATE a.txt", "MODIFY a.txt", "CLOSE_WRITE a.txt", "MOVED_FROM a.txt", "MOVED_TO b.txt",
                    "DELETE b.txt"), lines(seen));
            for (Seen s : seen) assertEquals(wd, s.wd(), s.toString());
            Seen from = seen.get(3);
            Seen to = seen.get(4);
            assertNotEquals(0, from.cookie(), "a rename has a cookie");
            assertEquals(from.cookie(), to.cookie(), "MOVED_FROM and MOVED_TO share it");
            assertTrue(from.hasMovedTo(), "the MOVED_FROM knows its MOVED_TO comes next");
            assertEquals("a.txt", to.movedFrom(), "the MOVED_TO knows the old name");
            assertEquals(wd, to.movedFromWd());
            assertFalse(seen.get(0).hasMovedTo());
            assertNull(seen.get(0).movedFrom());
            assertEquals(0, seen.get(0).cookie());
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldReportAQueueOverflowAfterTheEventsItHeld() throws Exception {
        // Read by lines: Files.readString and readAllBytes return one byte of a /proc/sys file.
        int max = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
        org.junit.jupiter.api.Assumptions.assumeTrue(max <= 1 << 22, "max_queued_events is " + max + ": too many to fill here");
        List<Seen> overflows = new ArrayList<>();
        int[] before = {0};
        int[] after = {0};
        try (Inotify inotify = Inotify.open(); Reactor reactor = Reactor.open()) {
            int wd = inotify.add(dir, Inotify.MODIFY);
            // The kernel merges an event identical to the last one queued, so two files take turns:
            // each write is a new MODIFY. One write more than the queue holds, nothing read meanwhile.
            try (FileChannel x = FileChannel.open(dir.resolve("x"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileChannel y = FileChannel.open(dir.resolve("y"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (int i = 0; i <= max; i++) (i % 2 == 0 ? x : y).write(one.clear(), 0);
            }
            reactor.register(Context.of(inotify.fd(), Interest.READ, (r, ev) -> inotify.drain(e -> {
                if (e.isOverflow()) overflows.add(Seen.of(e));
                else if (overflows.isEmpty()) before[0]++;
                else after[0]++;
            })));
            Loop.until(reactor, () -> !overflows.isEmpty());
            reactor.deregister(inotify.fd());

            assertEquals(1, overflows.size(), "one overflow event");
            Seen overflow = overflows.get(0);
            assertEquals(-1, overflow.wd(), "an overflow belongs to no watch");
            assertEquals("Q_OVERFLOW", Inotify.describe(overflow.mask()));
            assertEquals("", overflow.name());
            assertEquals(max, before[0], "the queue held max_queued_events events, then the overflow");
            assertEquals(0, after[0], "nothing after it: the rest was lost");
            assertEquals(0, inotify.read(e -> { throw new AssertionError("nothing more: " + e); }));
            assertTrue(wd > 0);
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldPairARenameSplitAcrossTwoReads() throws Exception {
        // 8-byte names: every record is 16 + 16 bytes, so the 64 KiB buffer holds exactly 2048 of them.
        // 2047 writes, then a rename: its MOVED_FROM ends the first read, its MOVED_TO is still queued.
        int perRead = Inotify.CAPACITY / 32;
        assumeQueueHolds(perRead + 1);
        Path a = dir.resolve("aaaaaaaa");
        Path b = dir.resolve("bbbbbbbb");
        List<Seen> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open()) {
            try (FileChannel x = FileChannel.open(a, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileChannel y = FileChannel.open(b, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                inotify.add(dir, Inotify.MODIFY | Inotify.MOVE);
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (int i = 0; i < perRead - 1; i++) (i % 2 == 0 ? x : y).write(one.clear(), 0);
            }
            Files.move(a, dir.resolve("cccccccc"));
            assertEquals(perRead + 1, inotify.drain(e -> seen.add(Seen.of(e))));
        }
        Seen from = seen.get(perRead - 1);
        Seen to = seen.get(perRead);
        assertEquals("MOVED_FROM aaaaaaaa", from.toString());
        assertEquals("MOVED_TO cccccccc", to.toString());
        assertTrue(from.hasMovedTo(), "looked for the MOVED_TO in one more read");
        assertEquals("aaaaaaaa", to.movedFrom());
        assertEquals(List.of("MODIFY aaaaaaaa", "MODIFY bbbbbbbb"), lines(seen.subList(0, 2)));
    }

    @Test
    @LinuxOnly("inotify")
    void shouldNotPairAFileMovedOutOrIn() throws Exception {
        Path outside = Files.createTempDirectory("inotify-outside-");
        List<Seen> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open()) {
            inotify.add(dir, Inotify.MOVE);
            Files.writeString(dir.resolve("leaves"), "");
            Files.writeString(outside.resolve("arrives"), "");
            Files.move(dir.resolve("leaves"), outside.resolve("leaves"));
            Files.move(outside.resolve("arrives"), dir.resolve("arrives"));
            inotify.drain(e -> seen.add(Seen.of(e)));
        } finally {
            Files.deleteIfExists(outside.resolve("leaves"));
            Files.delete(outside);
        }
        assertEquals(List.of("MOVED_FROM leaves", "MOVED_TO arrives"), lines(seen));
        assertFalse(seen.get(0).hasMovedTo(), "the file left the watched directory");
        assertNull(seen.get(1).movedFrom(), "the file came from elsewhere");
        assertEquals(-1, seen.get(1).movedFromWd());
        assertNotEquals(seen.get(0).cookie(), seen.get(1).cookie());
    }

    @Test
    @LinuxOnly("inotify")
    void shouldDeliverWhatIsLeftAfterAHandlerThrows() throws Exception {
        List<String> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open()) {
            inotify.add(dir, Inotify.CREATE);
            for (String name : List.of("one", "two", "three")) Files.writeString(dir.resolve(name), "");
            IOException thrown = assertThrows(IOException.class, () -> inotify.read(e -> {
                seen.add(e.name());
                if (e.name().equals("two")) throw new IOException("stop at two");
            }));
            assertEquals("stop at two", thrown.getMessage());
            assertTrue(inotify.hasBuffered(), "three is left");
            assertEquals(1, inotify.read(e -> seen.add(e.name())), "three was kept, not read again");
            assertFalse(inotify.hasBuffered());
            assertEquals(0, inotify.read(e -> seen.add(e.name())));
        }
        assertEquals(List.of("one", "two", "three"), seen);
    }

    /** Skips (does not fail) where the kernel queues fewer events than a test makes before reading. */
    private static void assumeQueueHolds(int events) throws IOException {
        // Read by lines: Files.readString and readAllBytes return one byte of a /proc/sys file.
        int max = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
        Assumptions.assumeTrue(max >= events, "max_queued_events is " + max + ": this test queues " + events
                + " events before it reads");
    }

    @Test
    @LinuxOnly("inotify")
    void shouldLookAheadForAMovedToAtMostOncePerRead() throws Exception {
        // 32-byte records (8-byte names). The first read ends on the first rename's MOVED_FROM; the
        // lookahead (the rest of the buffer: 2047 records) ends on the second rename's MOVED_FROM,
        // whose MOVED_TO is left queued: no second lookahead in the same call.
        int perRead = Inotify.CAPACITY / 32;
        assumeQueueHolds(2 * perRead + 1);
        Path a = dir.resolve("aaaaaaaa");
        Path b = dir.resolve("bbbbbbbb");
        List<Seen> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open()) {
            try (FileChannel x = FileChannel.open(a, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileChannel y = FileChannel.open(b, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                inotify.add(dir, Inotify.MODIFY | Inotify.MOVE);
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (int i = 0; i < perRead - 1; i++) (i % 2 == 0 ? x : y).write(one.clear(), 0);
                Files.move(a, dir.resolve("cccccccc"));              // x writes to cccccccc from here on
                for (int i = 0; i < perRead - 3; i++) (i % 2 == 0 ? x : y).write(one.clear(), 0);
                Files.move(b, dir.resolve("dddddddd"));
            }
            assertEquals(2 * perRead - 1, inotify.read(e -> seen.add(Seen.of(e))), "two reads' records, no third");
            assertEquals(1, inotify.read(e -> seen.add(Seen.of(e))), "the second MOVED_TO, left queued");
            assertEquals(0, inotify.read(e -> seen.add(Seen.of(e))));
        }
        assertEquals(2 * perRead, seen.size());
        Seen firstFrom = seen.get(perRead - 1);
        Seen secondFrom = seen.get(2 * perRead - 2);
        Seen secondTo = seen.get(2 * perRead - 1);
        assertEquals("MOVED_FROM aaaaaaaa", firstFrom.toString());
        assertTrue(firstFrom.hasMovedTo(), "the one lookahead found it");
        assertEquals("aaaaaaaa", seen.get(perRead).movedFrom());
        assertEquals("MOVED_FROM bbbbbbbb", secondFrom.toString());
        assertFalse(secondFrom.hasMovedTo(), "not looked for: one lookahead per read");
        assertEquals("MOVED_TO dddddddd", secondTo.toString());
        assertEquals("bbbbbbbb", secondTo.movedFrom(), "paired on the MOVED_TO all the same");
    }

    @Test
    @LinuxOnly("inotify")
    void shouldDeliverWhatAThrowingHandlerLeftWhenTheKernelHasNothingMoreQueued() throws Exception {
        // The pattern of Inotify's javadoc: onError keeps the registration and, while records are
        // buffered, sets a zero timer whose onTimeout drains again. Without it the fd never becomes
        // readable again (everything was read in one read(2)), and "three" would wait forever.
        List<String> seen = new ArrayList<>();
        List<Exception> errors = new ArrayList<>();
        boolean[] bufferedAtError = new boolean[1];
        try (LogCapture log = LogCapture.start(); Inotify inotify = Inotify.open(); Reactor reactor = Reactor.open()) {
            inotify.add(dir, Inotify.CREATE);
            Inotify.Handler handler = e -> {
                seen.add(e.name());
                if (e.name().equals("two")) throw new IOException("failed on two");
            };
            reactor.register(new Context() {
                @Override public int fd() { return inotify.fd(); }
                @Override public int interest() { return Interest.READ; }
                @Override public void onEvent(Reactor r, int events) throws IOException { inotify.drain(handler); }
                @Override public void onTimeout(Reactor r, long id) throws IOException { inotify.drain(handler); }
                @Override public void onError(Reactor r, Exception error) {
                    errors.add(error);
                    bufferedAtError[0] = inotify.hasBuffered();
                    if (inotify.hasBuffered()) {
                        try {
                            r.timeout(java.time.Duration.ZERO, inotify.fd());
                        } catch (ReactorException notRegistered) {
                            throw new AssertionError(notRegistered);
                        }
                    }
                }
            });
            for (String name : List.of("one", "two", "three")) Files.writeString(dir.resolve(name), "");
            Loop.until(reactor, () -> seen.size() >= 3);
            assertEquals(List.of("one", "two", "three"), seen);
            assertEquals(1, errors.size(), errors.toString());
            assertEquals("failed on two", errors.get(0).getMessage());
            assertTrue(bufferedAtError[0], "three was buffered when two failed");
            assertFalse(inotify.hasBuffered());
            assertTrue(reactor.context(inotify.fd()) != null, "still registered");
            reactor.deregister(inotify.fd());
            assertTrue(log.records.isEmpty(), "nothing logged: onError handled it: " + log.records);
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldStopDrainingWithoutAnErrorWhenAHandlerCloses() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        List<String> seen = new ArrayList<>();
        try (LogCapture log = LogCapture.start(); Reactor reactor = Reactor.open()) {
            Inotify inotify = Inotify.open();
            try {
                inotify.add(sub, Inotify.DELETE_SELF);
                reactor.register(Context.of(inotify.fd(), Interest.READ, (r, ev) -> inotify.drain(e -> {
                    seen.add(Inotify.describe(e.mask()));
                    if (e.is(Inotify.IGNORED)) {            // the last watch is gone: done
                        r.deregister(inotify.fd());
                        inotify.close();
                    }
                })));
                Files.delete(sub);                           // DELETE_SELF, IGNORED
                Loop.until(reactor, () -> inotify.fd() < 0);
                reactor.runOnce(java.time.Duration.ZERO);
            } finally {
                inotify.close();
            }
            assertEquals(List.of("DELETE_SELF", "IGNORED"), seen);
            assertTrue(log.records.isEmpty(), "no EBADF from a read after the close: " + log.records);
            assertFalse(inotify.hasBuffered());
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldRefuseAReadFromInsideItsOwnHandler() throws Exception {
        List<String> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open()) {
            inotify.add(dir, Inotify.CREATE);
            for (String name : List.of("one", "two")) Files.writeString(dir.resolve(name), "");
            IllegalStateException nested = assertThrows(IllegalStateException.class, () -> inotify.drain(e -> {
                seen.add(e.name());
                inotify.read(inner -> seen.add("inner " + inner.name()));
            }));
            assertEquals("Inotify.read(fd=" + inotify.fd() + ") called from inside its own handler", nested.getMessage());
            assertTrue(inotify.hasBuffered());
            assertEquals(1, inotify.drain(e -> seen.add(e.name())), "the guard was released: two is delivered");
        }
        assertEquals(List.of("one", "two"), seen);
    }

    // ---- a foreign fd: bytes that are not inotify records -------------------------------------

    /** One struct inotify_event as the kernel lays it out, with a len of our choosing. */
    private static ByteBuffer record(ByteBuffer out, int wd, int mask, int cookie, int len, String name) {
        out.putInt(wd).putInt(mask).putInt(cookie).putInt(len);
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < Math.max(0, len); i++) out.put(i < bytes.length ? bytes[i] : 0);
        return out;
    }

    private static ByteBuffer records() {
        return ByteBuffer.allocateDirect(4096).order(java.nio.ByteOrder.nativeOrder());
    }

    /** Writes the records to a pipe and reads them through Inotify.of(its read end): the error, and what was delivered before it. */
    private static ReactorException readMalformed(ByteBuffer written, List<Seen> seen, boolean drain) throws Exception {
        int[] pipe = Fds.pipe();
        try (Inotify inotify = Inotify.of(pipe[0])) {
            written.flip();
            int length = written.remaining();
            assertEquals(length, Fds.write(pipe[1], written));
            ReactorException e = assertThrows(ReactorException.class,
                    () -> { if (drain) inotify.drain(ev -> seen.add(Seen.of(ev))); else inotify.read(ev -> seen.add(Seen.of(ev))); });
            assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
            assertEquals("read(fd=" + pipe[0] + ")", e.call());
            assertTrue(e.getMessage().contains("not an inotify fd, or a malformed inotify_event"), e.getMessage());
            assertTrue(e.getMessage().endsWith("the " + length + " bytes were dropped"), e.getMessage());
            assertFalse(inotify.hasBuffered(), "the bad buffer was dropped");
            assertEquals(0, inotify.read(ev -> { throw new AssertionError("nothing more: " + ev); }), "the pipe is empty");
            return e;
        } finally {
            Fds.close(pipe[1]);
        }
    }

    @Test
    @LinuxOnly("pipes and inotify's layout")
    void shouldRefuseARecordWhoseNameRunsPastTheBytesRead() throws Exception {
        List<Seen> seen = new ArrayList<>();
        ByteBuffer out = records();
        out.putInt(1).putInt(Inotify.CREATE).putInt(0).putInt(100);          // a header promising 100 bytes of name: none follow
        ReactorException e = readMalformed(out, seen, true);
        assertTrue(e.getMessage().contains("the record at byte 0 of 16 read: its name length 100 runs past the 0 bytes"),
                e.getMessage());
        assertEquals(List.of(), seen);
    }

    @Test
    @LinuxOnly("pipes and inotify's layout")
    void shouldRefuseANegativeNameLengthAfterDeliveringTheRecordsBeforeIt() throws Exception {
        List<Seen> seen = new ArrayList<>();
        ByteBuffer out = records();
        record(out, 1, Inotify.CREATE, 0, 16, "good");
        record(out, 1, Inotify.CREATE, 0, -32, "");                           // would send the decoder backwards
        ReactorException e = readMalformed(out, seen, false);
        assertTrue(e.getMessage().contains("the record at byte 32 of 48 read: its name length " + Integer.toUnsignedString(-32)),
                e.getMessage());
        assertEquals(List.of("CREATE good"), lines(seen), "the good record before it was delivered");
    }

    @Test
    @LinuxOnly("pipes and inotify's layout")
    void shouldRefuseAPartialHeader() throws Exception {
        List<Seen> seen = new ArrayList<>();
        ByteBuffer out = records();
        record(out, 1, Inotify.MOVED_FROM, 7, 16, "from");                     // ends on a MOVED_FROM: the lookahead
        out.putInt(1).putInt(Inotify.MOVED_TO);                                 // half a header
        ReactorException e = readMalformed(out, seen, true);
        assertTrue(e.getMessage().contains("the record at byte 32 of 40 read: only 8 bytes left for a 16-byte header"),
                e.getMessage());
        assertEquals(List.of("MOVED_FROM from"), lines(seen));
        assertFalse(seen.get(0).hasMovedTo(), "half a header is no MOVED_TO");
    }

    @Test
    @LinuxOnly("pipes, dup3(2)")
    void shouldDeliverAMovedFromWhoseLookaheadFailsThenThrow() throws Exception {
        // The CREATE's handler puts the pipe's write end under the read end's number (dup3, atomic:
        // the number is never free), so the lookahead for the MOVED_FROM's MOVED_TO fails with EBADF.
        int dup3 = "aarch64".equals(System.getProperty("os.arch")) ? 24 : 292;
        int[] pipe = Fds.pipe();
        List<Seen> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.of(pipe[0])) {
            ByteBuffer out = records();
            record(out, 1, Inotify.CREATE, 0, 16, "first");
            record(out, 1, Inotify.MOVED_FROM, 9, 16, "from");
            out.flip();
            Fds.write(pipe[1], out);
            ReactorException e = assertThrows(ReactorException.class, () -> inotify.read(ev -> {
                seen.add(Seen.of(ev));
                if (ev.is(Inotify.CREATE)) {
                    assertEquals(pipe[0], Fds.libc().syscall(dup3, pipe[1], pipe[0], Linux.O_CLOEXEC, 0, 0));
                }
            }));
            assertEquals(Errno.EBADF, e.errno(), e.getMessage());
            assertEquals("read(fd=" + pipe[0] + ")", e.call());
            assertEquals(List.of("CREATE first", "MOVED_FROM from"), lines(seen), "the MOVED_FROM was delivered before the error");
            assertFalse(seen.get(1).hasMovedTo());
            assertFalse(inotify.hasBuffered());
        } finally {
            Fds.close(pipe[1]);                       // pipe[0] (now a copy of it) is closed by the Inotify
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldReportIgnoredWhenAWatchIsRemovedOrItsDirectoryDeleted() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        List<Seen> seen = new ArrayList<>();
        try (Inotify inotify = Inotify.open()) {
            int top = inotify.add(dir, WATCHED);
            int inner = inotify.add(sub, WATCHED);
            assertNotEquals(top, inner);
            assertEquals(inner, inotify.add(sub, WATCHED), "the same path, the same watch");
            inotify.remove(top);
            ReactorException again = assertThrows(ReactorException.class, () -> inotify.remove(top));
            assertEquals(Errno.EINVAL, again.errno(), again.getMessage());
            assertEquals("inotify_rm_watch(fd=" + inotify.fd() + ", wd=" + top + ")", again.call());
            Files.delete(sub);
            inotify.drain(e -> seen.add(Seen.of(e)));

            assertEquals(List.of("IGNORED", "DELETE_SELF", "IGNORED"), lines(seen));
            assertEquals(List.of(top, inner, inner), seen.stream().map(Seen::wd).toList());
        }
    }

    @Test
    @LinuxOnly("inotify")
    void shouldNameTheCallTheFdThePathAndErrno() throws Exception {
        Path missing = dir.resolve("nope");
        Inotify inotify = Inotify.open();
        int fd = inotify.fd();
        try {
            ReactorException e = assertThrows(ReactorException.class, () -> inotify.add(missing, Inotify.CREATE));
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals("inotify_add_watch(fd=" + fd + ", " + missing + "): ENOENT (No such file or directory)", e.getMessage());

            Files.writeString(dir.resolve("file"), "");
            ReactorException notDir = assertThrows(ReactorException.class,
                    () -> inotify.add(dir.resolve("file"), Inotify.CREATE | Inotify.ONLYDIR));
            assertEquals(Errno.ENOTDIR, notDir.errno(), notDir.getMessage());
            assertTrue(notDir.getMessage().endsWith(": ENOTDIR (Not a directory)"), notDir.getMessage());
            ReactorException noBits = assertThrows(ReactorException.class, () -> inotify.add(dir, 0));
            assertEquals(Errno.EINVAL, noBits.errno(), noBits.getMessage());
        } finally {
            inotify.close();
        }
        assertEquals(-1, inotify.fd());
        ReactorException closed = assertThrows(ReactorException.class, () -> inotify.add(dir, Inotify.CREATE));
        assertEquals(Errno.EBADF, closed.errno());
        assertEquals("inotify_add_watch(fd=-1, " + dir + "): EBADF (Bad file descriptor)", closed.getMessage());
        ReactorException read = assertThrows(ReactorException.class, () -> inotify.read(e -> { }));
        assertEquals("read(fd=-1): EBADF (Bad file descriptor)", read.getMessage());
        inotify.close();                                                // once is enough; again does nothing

        int[] pipe = Fds.pipe();
        try {
            ReactorException notInotify = assertThrows(ReactorException.class, () -> Inotify.of(pipe[0]).add(dir, Inotify.CREATE));
            assertEquals(Errno.EINVAL, notInotify.errno(), notInotify.getMessage());
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
        assertThrows(IllegalArgumentException.class, () -> Inotify.of(-1));
    }

    @Test
    @LinuxOnly("/proc/self/fd")
    void shouldMakeANonBlockingCloseOnExecInotifyFd() throws Exception {
        int fd = Fds.inotify();
        try {
            assertTrue(Fds.isNonBlocking(fd));
            assertTrue((Fds.libc().fcntl(fd, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC) != 0, "close-on-exec");
            assertEquals("anon_inode:inotify", Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
            try (Inotify wrapped = Inotify.of(fd)) {
                assertEquals(fd, wrapped.fd());
                assertEquals(0, wrapped.read(e -> { throw new AssertionError(e); }), "nothing queued: would block");
            }
            assertFalse(Fds.isOpen(fd), "close() closed the fd it wraps");
        } finally {
            if (Fds.isOpen(fd)) Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("Linux's inotify table")
    void shouldUseLinuxsBitsAndLayout() {
        int[][] pairs = {
            {Inotify.ACCESS, Linux.IN_ACCESS}, {Inotify.MODIFY, Linux.IN_MODIFY}, {Inotify.ATTRIB, Linux.IN_ATTRIB},
            {Inotify.CLOSE_WRITE, Linux.IN_CLOSE_WRITE}, {Inotify.CLOSE_NOWRITE, Linux.IN_CLOSE_NOWRITE},
            {Inotify.OPEN, Linux.IN_OPEN}, {Inotify.MOVED_FROM, Linux.IN_MOVED_FROM}, {Inotify.MOVED_TO, Linux.IN_MOVED_TO},
            {Inotify.CREATE, Linux.IN_CREATE}, {Inotify.DELETE, Linux.IN_DELETE}, {Inotify.DELETE_SELF, Linux.IN_DELETE_SELF},
            {Inotify.MOVE_SELF, Linux.IN_MOVE_SELF}, {Inotify.ALL_EVENTS, Linux.IN_ALL_EVENTS},
            {Inotify.UNMOUNT, Linux.IN_UNMOUNT}, {Inotify.Q_OVERFLOW, Linux.IN_Q_OVERFLOW}, {Inotify.IGNORED, Linux.IN_IGNORED},
            {Inotify.ONLYDIR, Linux.IN_ONLYDIR}, {Inotify.DONT_FOLLOW, Linux.IN_DONT_FOLLOW},
            {Inotify.EXCL_UNLINK, Linux.IN_EXCL_UNLINK}, {Inotify.MASK_CREATE, Linux.IN_MASK_CREATE},
            {Inotify.MASK_ADD, Linux.IN_MASK_ADD}, {Inotify.ISDIR, Linux.IN_ISDIR}, {Inotify.ONESHOT, Linux.IN_ONESHOT},
            {Inotify.CLOSE, Linux.IN_CLOSE_WRITE | Linux.IN_CLOSE_NOWRITE}, {Inotify.MOVE, Linux.IN_MOVED_FROM | Linux.IN_MOVED_TO},
            {Inotify.WD, Linux.OFFSETOF_INOTIFY_EVENT_WD}, {Inotify.MASK, Linux.OFFSETOF_INOTIFY_EVENT_MASK},
            {Inotify.COOKIE, Linux.OFFSETOF_INOTIFY_EVENT_COOKIE}, {Inotify.LEN, Linux.OFFSETOF_INOTIFY_EVENT_LEN},
            {Inotify.HEADER, Linux.OFFSETOF_INOTIFY_EVENT_NAME}, {Inotify.HEADER, Linux.SIZEOF_INOTIFY_EVENT},
        };
        for (int[] p : pairs) assertEquals(p[1], p[0], Inotify.describe(p[1]));
    }

    @Test
    void shouldDescribeMasksReadably() {
        assertEquals("CREATE|ISDIR", Inotify.describe(Inotify.CREATE | Inotify.ISDIR));
        assertEquals("MOVED_FROM|MOVED_TO", Inotify.describe(Inotify.MOVE));
        assertEquals("Q_OVERFLOW", Inotify.describe(Inotify.Q_OVERFLOW));
        assertEquals("IGNORED|ONESHOT", Inotify.describe(Inotify.IGNORED | Inotify.ONESHOT));
        assertEquals("0", Inotify.describe(0));
        assertEquals("MODIFY|0x1000", Inotify.describe(Inotify.MODIFY | 0x1000));
        assertEquals(12, Inotify.describe(Inotify.ALL_EVENTS).split("\\|").length);
    }

    /** macOS and FreeBSD are told what to use instead (checked here on their OS layer's code). */
    @Test
    void shouldRefuseOffLinuxNamingKqueuesVnodeFilter() {
        for (boolean macos : new boolean[] {true, false}) {
            BsdOs bsd = new BsdOs(macos);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> bsd.inotify(null));
            assertEquals("inotify_init1(): inotify is Linux's; " + bsd.name() + " watches files and directories with"
                    + " kqueue's EVFILT_VNODE, which this library does not offer yet", e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> bsd.inotifyAddWatch(null, 3, 0L, "/tmp", Inotify.CREATE));
            assertThrows(UnsupportedOperationException.class, () -> bsd.inotifyRemoveWatch(null, 3, 1));
        }
    }
}
