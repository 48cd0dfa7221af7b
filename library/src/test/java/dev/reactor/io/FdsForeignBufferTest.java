package dev.reactor.io;

import dev.reactor.testing.Arenas;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fds.read/write of direct buffers that view an Arena's memory (JDK 22+,
 * {@code MemorySegment.asByteBuffer()}): refused as the JDK's channels refuse them when the
 * memory is freed or belongs to another thread, with the fd untouched; served right otherwise.
 */
class FdsForeignBufferTest {

    @BeforeEach
    void needsArenas() {
        assumeTrue(Arenas.AVAILABLE, "java.lang.foreign needs JDK 22+");
    }

    private interface IoAction {
        void run() throws Exception;
    }

    /** What action threw on a new thread of that name (null: nothing); returns once the thread has ended. */
    private static Throwable failureOnThread(String name, IoAction action) throws InterruptedException {
        Throwable[] failure = {null};
        Thread t = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name);
        t.start();
        t.join();
        return failure[0];
    }

    /** A WrongThreadException (JDK 19+: named, the tests compile with release 17) with that message. */
    private static void assertWrongThread(String message, Throwable thrown) {
        assertNotNull(thrown, "nothing thrown");
        assertEquals("java.lang.WrongThreadException", thrown.getClass().getName(), String.valueOf(thrown));
        assertEquals(message, thrown.getMessage());
    }

    // ---- refused, the fd untouched -------------------------------------------------------------

    @Test
    void shouldRefuseToReadIntoABufferOfAClosedArenaLeavingTheBytesInThePipe() throws Exception {
        // Before: read(2) wrote into freed memory (SIGSEGV, or glibc "malloc(): corrupted top size" later).
        int[] pipe = Fds.pipe();
        try {
            Io.write(pipe[1], "keep");
            AutoCloseable arena = Arenas.ofConfined();
            ByteBuffer buf = Arenas.buffer(arena, 64);
            arena.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fds.read(pipe[0], buf));
            assertEquals("read(fd=" + pipe[0] + "): the buffer's memory is already freed (its Arena was closed)", e.getMessage());
            assertEquals("keep", Io.readAvailable(pipe[0]), "the bytes are still in the pipe");
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldRefuseToWriteFromABufferOfAClosedArenaWritingNothing() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            AutoCloseable arena = Arenas.ofShared();
            ByteBuffer buf = Arenas.buffer(arena, 64);
            arena.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fds.write(pipe[1], buf));
            assertEquals("write(fd=" + pipe[1] + "): the buffer's memory is already freed (its Arena was closed)", e.getMessage());
            assertEquals(0, buf.position());
            assertEquals("", Io.readAvailable(pipe[0]), "nothing was written");
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldRefuseABufferOfAConfinedArenaOnAnotherThread() throws Exception {
        int[] pipe = Fds.pipe();
        try (AutoCloseable arena = Arenas.ofConfined()) {
            Io.write(pipe[1], "keep");
            ByteBuffer buf = Arenas.buffer(arena, 64);
            String owner = Thread.currentThread().getName();

            assertWrongThread("read(fd=" + pipe[0] + "): the buffer belongs to a confined Arena of thread \"" + owner
                    + "\", not \"reader\"", failureOnThread("reader", () -> Fds.read(pipe[0], buf)));
            assertWrongThread("write(fd=" + pipe[1] + "): the buffer belongs to a confined Arena of thread \"" + owner
                    + "\", not \"writer\"", failureOnThread("writer", () -> Fds.write(pipe[1], buf.limit(8))));

            assertEquals(0, buf.position());
            assertEquals("keep", Io.readAvailable(pipe[0]), "only the 4 bytes written here are in the pipe");
        } finally {
            Io.closeAll(pipe);
        }
    }

    // ---- served --------------------------------------------------------------------------------

    @Test
    void shouldLetTheOwnerThreadUseABufferOfAConfinedArena() throws Exception {
        int[] pipe = Fds.pipe();
        try (AutoCloseable arena = Arenas.ofConfined()) {
            ByteBuffer out = Arenas.buffer(arena, 16).put("owner".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer in = Arenas.buffer(arena, 16);
            assertEquals(5, Fds.write(pipe[1], out));
            assertEquals(5, Fds.read(pipe[0], in));
            assertEquals("owner", StandardCharsets.US_ASCII.decode(in.flip()).toString());
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldUseBuffersOfSharedAndAutoArenasFromAnyThread() throws Exception {
        int[] pipe = Fds.pipe();
        try (AutoCloseable shared = Arenas.ofShared()) {
            ByteBuffer out = Arenas.buffer(shared, 16).put("any".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer in = Arenas.buffer(Arenas.ofAuto(), 16);
            assertNull(failureOnThread("writer", () -> assertEquals(3, Fds.write(pipe[1], out))));
            assertNull(failureOnThread("reader", () -> assertEquals(3, Fds.read(pipe[0], in))));
            assertEquals("any", StandardCharsets.US_ASCII.decode(in.flip()).toString());
            // And back the other way, from the auto Arena's buffer into the shared one's.
            assertNull(failureOnThread("writer", () -> assertEquals(3, Fds.write(pipe[1], in.rewind()))));
            assertNull(failureOnThread("reader", () -> assertEquals(3, Fds.read(pipe[0], out.clear()))));
            assertEquals("any", StandardCharsets.US_ASCII.decode(out.flip()).toString());
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldReadAndWriteArenaBuffersFromTheirPosition() throws Exception {
        try (AutoCloseable confined = Arenas.ofConfined(); AutoCloseable shared = Arenas.ofShared()) {
            FdsTest.moveBytesFromThePosition(Arenas.buffer(confined, 16), Arenas.buffer(shared, 16));
        }
    }

    @Test
    void shouldReadAndWriteSlicesOfArenaBuffers() throws Exception {
        // Byte 0 of each buffer lies inside its segment: one slices the segment, one the buffer.
        try (AutoCloseable arena = Arenas.ofShared()) {
            FdsTest.moveBytesFromThePosition(Arenas.sliceBuffer(arena, 64, 9, 16),
                    Arenas.buffer(arena, 40).position(7).slice().limit(16));
            FdsTest.moveBytesFromThePosition(Arenas.buffer(arena, 40).position(11).slice().limit(16),
                    Arenas.sliceBuffer(arena, 64, 13, 16));
        }
    }

    @Test
    void shouldWriteFromAReadOnlyViewOfAnArenaBuffer() throws Exception {
        int[] pipe = Fds.pipe();
        try (AutoCloseable arena = Arenas.ofConfined()) {
            ByteBuffer ro = Arenas.buffer(arena, 16).put("view".getBytes(StandardCharsets.US_ASCII)).flip().asReadOnlyBuffer();
            assertEquals(4, Fds.write(pipe[1], ro));
            assertEquals("view", Io.readAvailable(pipe[0]));
        } finally {
            Io.closeAll(pipe);
        }
    }

    // ---- held for the call (Panama) ------------------------------------------------------------

    @Test
    @LinuxOnly("/proc")
    void shouldKeepASharedArenaOpenWhileAPanamaReadWaitsInTheKernel() throws Exception {
        assumeTrue("panama".equals(Fds.libc().name()),
                "only Panama passes the segment; on jnr a close during the call is the documented race");
        int readNr = readSyscallNumber();
        assumeTrue(readNr >= 0, "read(2)'s number on " + System.getProperty("os.arch"));
        int[] pipe = new int[2];
        assertEquals(0, POSIXFactory.getNativePOSIX().pipe(pipe));   // blocking: the read waits in the kernel
        AutoCloseable arena = Arenas.ofShared();
        ByteBuffer buf = Arenas.buffer(arena, 16);
        int[] got = {-2};
        Throwable[] failure = {null};
        Thread reader = new Thread(() -> {
            try {
                got[0] = Fds.read(pipe[0], buf);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "reader");
        reader.setDaemon(true);
        reader.start();
        try {
            Loop.await(Loop.DEFAULT_DEADLINE, () -> someThreadIsIn(readNr, pipe[0]));
            assertThrows(IllegalStateException.class, arena::close, "the read holds the Arena open");
            Io.write(pipe[1], "x");
            reader.join();
            assertNull(failure[0]);
            assertEquals(1, got[0]);
            assertEquals('x', buf.get(0));
            arena.close();   // the call is over: now it closes
        } finally {
            Io.closeAll(pipe[1]);   // end of stream ends a read still waiting
            reader.join();
            Io.closeAll(pipe[0]);
        }
    }

    private static int readSyscallNumber() {
        switch (System.getProperty("os.arch")) {
            case "amd64": case "x86_64": return 0;
            case "aarch64": return 63;
            default: return -1;
        }
    }

    /** True when a thread of this process waits in syscall nr with fd as its first argument (/proc/self/task/N/syscall). */
    @LinuxOnly("/proc/self/task/N/syscall")
    private static boolean someThreadIsIn(int nr, int fd) {
        String expected = nr + " 0x" + Integer.toHexString(fd) + " ";
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.anyMatch(task -> {
                try {
                    return Files.readString(task.resolve("syscall")).startsWith(expected);
                } catch (NoSuchFileException gone) {
                    return false;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
