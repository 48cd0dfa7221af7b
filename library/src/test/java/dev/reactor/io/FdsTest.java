package dev.reactor.io;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorException;
import dev.reactor.sys.Errno;
import dev.reactor.sys.linux.Linux;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fd utilities: making fds, moving bytes through direct and heap buffers, flags, and fds from the JDK. */
class FdsTest {

    private static boolean closeOnExec(int fd) {
        return (Fds.libc().fcntl(fd, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC) != 0;
    }

    @LinuxOnly("/proc/self/fd")
    private static String target(int fd) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    private static void assertFlags(int fd) throws Exception {
        assertTrue(Fds.isNonBlocking(fd), "fd " + fd + " non-blocking");
        assertTrue(closeOnExec(fd), "fd " + fd + " close-on-exec");
    }

    // ---- making fds ----------------------------------------------------------------------------

    @Test
    @LinuxOnly("/proc")
    void shouldMakeANonBlockingCloseOnExecPipe() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            assertFlags(pipe[0]);
            assertFlags(pipe[1]);
            assertTrue(target(pipe[0]).startsWith("pipe:"));
            Io.write(pipe[1], "abc");
            assertEquals("abc", Io.readAvailable(pipe[0]));
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    @LinuxOnly("/proc")
    void shouldMakeAConnectedNonBlockingSocketpair() throws Exception {
        int[] pair = Fds.socketpair();
        try {
            assertFlags(pair[0]);
            assertFlags(pair[1]);
            assertTrue(target(pair[0]).startsWith("socket:"));
            Io.write(pair[0], "there");
            Io.write(pair[1], "back");
            assertEquals("there", Io.readAvailable(pair[1]));
            assertEquals("back", Io.readAvailable(pair[0]));
        } finally {
            Io.closeAll(pair);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldCountWithAnEventfd() throws Exception {
        int fd = Fds.eventfd();
        try {
            assertFlags(fd);
            assertEquals(0, Fds.eventfdRead(fd), "0 when the counter is 0");
            Fds.eventfdWrite(fd, 3);
            Fds.eventfdWrite(fd, 4);
            assertEquals(7, Fds.eventfdRead(fd), "a read takes the whole counter");
            assertEquals(0, Fds.eventfdRead(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldStartAnEventfdAtItsInitialValue() throws Exception {
        int fd = Fds.eventfd(5, false);
        try {
            assertEquals(5, Fds.eventfdRead(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldTakeOneAtATimeFromASemaphoreEventfd() throws Exception {
        int fd = Fds.eventfd(0, true);
        try {
            Fds.eventfdWrite(fd, 3);
            assertEquals(1, Fds.eventfdRead(fd));
            assertEquals(1, Fds.eventfdRead(fd));
            assertEquals(1, Fds.eventfdRead(fd));
            assertEquals(0, Fds.eventfdRead(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("timerfd")
    void shouldMakeADisarmedTimerfd() throws Exception {
        int fd = Fds.timerfd();
        try {
            assertFlags(fd);
            assertEquals(0, Fds.timerfdRead(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("timerfd")
    void shouldFireAnArmedOneShotTimerfdOnce() throws Exception {
        int fd = Fds.timerfd(Duration.ofMillis(2), Duration.ZERO);
        try (Reactor reactor = Reactor.open()) {
            long[] expirations = {0};
            reactor.register(Context.of(fd, Interest.READ, (r, ev) -> expirations[0] += Fds.timerfdRead(fd)));
            Loop.until(reactor, () -> expirations[0] > 0);
            assertEquals(1, expirations[0]);
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("timerfd")
    void shouldFireAPeriodicTimerfdRepeatedly() throws Exception {
        int fd = Fds.timerfd();
        try (Reactor reactor = Reactor.open()) {
            Fds.timerfdSet(fd, 1_000_000, 1_000_000);
            long[] expirations = {0};
            reactor.register(Context.of(fd, Interest.READ, (r, ev) -> expirations[0] += Fds.timerfdRead(fd)));
            Loop.until(reactor, () -> expirations[0] >= 5);
            Fds.timerfdSet(fd, 0, 0);   // disarm: nothing more to read
            Fds.timerfdRead(fd);
            assertEquals(0, Fds.timerfdRead(fd));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    @LinuxOnly("timerfd")
    void shouldRejectANegativeTimerfdTime() throws Exception {
        int fd = Fds.timerfd();
        try {
            assertThrows(IllegalArgumentException.class, () -> Fds.timerfdSet(fd, -1, 0));
            assertThrows(IllegalArgumentException.class, () -> Fds.timerfd(Duration.ofMillis(-1), Duration.ZERO));
        } finally {
            Fds.close(fd);
        }
    }

    // ---- moving bytes --------------------------------------------------------------------------

    @Test
    void shouldReadAndWriteDirectBuffersFromTheirPosition() throws Exception {
        moveBytesFromThePosition(ByteBuffer.allocateDirect(16), ByteBuffer.allocateDirect(16));
    }

    @Test
    void shouldReadAndWriteHeapBuffersFromTheirPosition() throws Exception {
        moveBytesFromThePosition(ByteBuffer.allocate(16), ByteBuffer.allocate(16));
    }

    @Test
    void shouldReadAndWriteSlicesOfHeapAndDirectBuffers() throws Exception {
        // A slice starts at an offset in its backing memory (arrayOffset, or an address past the base).
        moveBytesFromThePosition(ByteBuffer.allocate(40).position(7).slice().limit(16),
                ByteBuffer.allocateDirect(40).position(9).slice().limit(16));
        moveBytesFromThePosition(ByteBuffer.allocateDirect(40).position(9).slice().limit(16),
                ByteBuffer.allocate(40).position(7).slice().limit(16));
    }

    /** Writes bytes [2, 6) of out, reads them into in at [5, 9): positions move, nothing else is touched. Also FdsForeignBufferTest's. */
    static void moveBytesFromThePosition(ByteBuffer out, ByteBuffer in) throws Exception {
        int[] pipe = Fds.pipe();
        try {
            for (int i = 0; i < 16; i++) out.put(i, (byte) (10 + i));
            for (int i = 0; i < 16; i++) in.put(i, (byte) -1);
            out.position(2).limit(6);
            assertEquals(4, Fds.write(pipe[1], out));
            assertEquals(6, out.position());
            assertEquals(6, out.limit());

            in.position(5).limit(9);
            assertEquals(4, Fds.read(pipe[0], in));
            assertEquals(9, in.position());
            in.clear();
            for (int i = 0; i < 16; i++) {
                byte expected = i >= 5 && i < 9 ? (byte) (10 + i - 3) : (byte) -1;
                assertEquals(expected, in.get(i), "byte " + i);
            }
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldFillOnlyTheRemainingPartOfABuffer() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            Io.write(pipe[1], "0123456789");
            ByteBuffer small = ByteBuffer.allocate(4);
            assertEquals(4, Fds.read(pipe[0], small));
            assertEquals("0123", new String(small.array()));
            assertEquals(0, Fds.read(pipe[0], small), "no room left: 0, and nothing consumed");
            assertEquals("456789", Io.readAvailable(pipe[0]));
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldMoveHeapBuffersLargerThan64KiB() throws Exception {
        byte[] data = new byte[200 * 1024 + 123];
        new Random(42).nextBytes(data);
        int[] pair = Fds.socketpair();
        try {
            ByteBuffer out = ByteBuffer.wrap(data);
            ByteBuffer in = ByteBuffer.allocate(data.length);
            // Alternate: each write moves what fits, each read what arrived; positions track it all.
            for (int round = 0; in.hasRemaining(); round++) {
                if (round > 100_000) throw new AssertionError("stuck at " + in.position() + " of " + data.length);
                int before = out.position();
                int w = Fds.write(pair[0], out);
                assertEquals(before + w, out.position());
                int inBefore = in.position();
                int r = Fds.read(pair[1], in);
                assertTrue(r >= 0);
                assertEquals(inBefore + r, in.position());
            }
            assertFalse(out.hasRemaining());
            assertArrayEquals(data, in.array());
        } finally {
            Io.closeAll(pair);
        }
    }

    @Test
    void shouldMoveDirectBuffersLargerThan64KiB() throws Exception {
        byte[] data = new byte[300 * 1024];
        new Random(7).nextBytes(data);
        int[] pair = Fds.socketpair();
        try {
            ByteBuffer out = ByteBuffer.allocateDirect(data.length).put(data).flip();
            ByteBuffer in = ByteBuffer.allocateDirect(data.length);
            for (int round = 0; in.hasRemaining(); round++) {
                if (round > 100_000) throw new AssertionError("stuck at " + in.position() + " of " + data.length);
                Fds.write(pair[0], out);
                Fds.read(pair[1], in);
            }
            byte[] got = new byte[data.length];
            in.flip().get(got);
            assertArrayEquals(data, got);
        } finally {
            Io.closeAll(pair);
        }
    }

    @Test
    void shouldReturnZeroWhenAReadWouldBlock() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            assertEquals(0, Fds.read(pipe[0], ByteBuffer.allocate(8)));
            assertEquals(0, Fds.read(pipe[0], ByteBuffer.allocateDirect(8)));
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldReturnZeroWhenAWriteWouldBlock() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long total = 0;
            int n;
            while ((n = Fds.write(pipe[1], chunk.clear())) > 0) total += n;
            assertTrue(total >= 4096, "the pipe took " + total + " bytes before it was full");
            ByteBuffer heap = ByteBuffer.allocate(10);
            assertEquals(0, Fds.write(pipe[1], heap));
            assertEquals(0, heap.position(), "nothing written, position unchanged");
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldReturnMinusOneAtEndOfStream() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            Io.write(pipe[1], "last");
            Fds.close(pipe[1]);
            ByteBuffer b = ByteBuffer.allocate(16);
            assertEquals(4, Fds.read(pipe[0], b));
            assertEquals(-1, Fds.read(pipe[0], b));
            assertEquals(-1, Fds.read(pipe[0], ByteBuffer.allocateDirect(16)));
            assertEquals(4, b.position());
        } finally {
            Io.closeAll(pipe[0]);
        }
    }

    @Test
    void shouldRefuseToReadIntoAReadOnlyBufferBeforeConsumingAnything() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            Io.write(pipe[1], "keep");
            assertThrows(ReadOnlyBufferException.class, () -> Fds.read(pipe[0], ByteBuffer.allocate(8).asReadOnlyBuffer()));
            assertThrows(ReadOnlyBufferException.class, () -> Fds.read(pipe[0], ByteBuffer.allocateDirect(8).asReadOnlyBuffer()));
            assertEquals("keep", Io.readAvailable(pipe[0]), "the bytes are still in the pipe");
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldWriteFromAReadOnlyBuffer() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            ByteBuffer ro = ByteBuffer.wrap("heap".getBytes()).asReadOnlyBuffer();
            assertEquals(4, Fds.write(pipe[1], ro));
            ByteBuffer direct = ByteBuffer.allocateDirect(6).put("direct".getBytes()).flip().asReadOnlyBuffer();
            assertEquals(6, Fds.write(pipe[1], direct));
            assertEquals("heapdirect", Io.readAvailable(pipe[0]));
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldNameTheCallFdAndErrnoWhenReadingOrWritingAClosedFd() throws Exception {
        int fd = Fds.eventfd();
        Fds.close(fd);
        ReactorException read = assertThrows(ReactorException.class, () -> Fds.read(fd, ByteBuffer.allocate(8)));
        assertEquals("read(fd=" + fd + "): EBADF (Bad file descriptor)", read.getMessage());
        ReactorException write = assertThrows(ReactorException.class, () -> Fds.write(fd, ByteBuffer.allocateDirect(8)));
        assertEquals("write(fd=" + fd + "): EBADF (Bad file descriptor)", write.getMessage());
        assertEquals(Errno.EBADF, assertThrows(ReactorException.class, () -> Fds.eventfdWrite(fd, 1)).errno());
    }

    // ---- flags and lifetime --------------------------------------------------------------------

    @Test
    @LinuxOnly("eventfd")
    void shouldThrowEbadfOnADoubleClose() throws Exception {
        int fd = Fds.eventfd();
        Fds.close(fd);
        assertFalse(Fds.isOpen(fd));
        ReactorException e = assertThrows(ReactorException.class, () -> Fds.close(fd));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close(fd=" + fd + "): EBADF (Bad file descriptor)", e.getMessage());
        Fds.closeQuietly(fd);   // the cleanup form says nothing
    }

    @Test
    void shouldSetNonBlockingOnABlockingFd() throws Exception {
        int[] pipe = new int[2];
        assertEquals(0, POSIXFactory.getNativePOSIX().pipe(pipe));   // jnr-posix: blocking fds
        try {
            assertFalse(Fds.isNonBlocking(pipe[0]));
            Fds.setNonBlocking(pipe[0]);
            assertTrue(Fds.isNonBlocking(pipe[0]));
            Fds.setNonBlocking(pipe[0]);   // idempotent
            assertTrue(Fds.isNonBlocking(pipe[0]));
            assertFalse(Fds.isNonBlocking(pipe[1]), "only that fd changed");
            assertEquals(0, Fds.read(pipe[0], ByteBuffer.allocate(4)), "would block: 0, not a hang");
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldNameFcntlWhenFlagsOfAClosedFdAreAsked() throws Exception {
        // Not an fd we just closed: another thread (the GC's cleaner, a JDK socket) may reuse that
        // number at once. Above the process's fd limit (20,000 here) no fd can be open.
        int fd = 1 << 30;
        assertEquals("fcntl(F_GETFL, fd=" + fd + "): EBADF (Bad file descriptor)",
                assertThrows(ReactorException.class, () -> Fds.isNonBlocking(fd)).getMessage());
        assertEquals(Errno.EBADF, assertThrows(ReactorException.class, () -> Fds.setNonBlocking(fd)).errno());
    }

    // ---- fds held by the JDK -------------------------------------------------------------------

    @Test
    @LinuxOnly("/proc")
    void shouldFindTheFdOfAFileDescriptor() throws Exception {
        try (FileInputStream in = new FileInputStream("/dev/null")) {
            int fd = Fds.of(in.getFD());
            assertEquals("/dev/null", target(fd));
        }
        assertEquals(0, Fds.of(FileDescriptor.in));
        assertEquals(1, Fds.of(FileDescriptor.out));
        assertEquals(-1, Fds.of(new FileDescriptor()), "not valid: -1");
    }

    @Test
    @LinuxOnly("/proc")
    void shouldFindTheFdOfSelectableChannels() throws Exception {
        try (SocketChannel socket = SocketChannel.open()) {
            assertTrue(target(Fds.of(socket)).startsWith("socket:"));
        }
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            int in = Fds.of(source);
            int out = Fds.of(sink);
            assertTrue(target(in).startsWith("pipe:"));
            assertEquals(target(in), target(out), "both ends of one pipe");
            sink.write(ByteBuffer.wrap("nio".getBytes()));
            assertEquals("nio", Io.readAvailableOnce(in));
        }
    }

    @Test
    void shouldRejectAClosedChannel() throws Exception {
        SocketChannel socket = SocketChannel.open();
        socket.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fds.of(socket));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
