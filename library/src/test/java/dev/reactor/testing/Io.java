package dev.reactor.testing;

import dev.reactor.io.Fds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Moving short strings through raw fds in tests. */
public final class Io {
    private Io() { }

    /** Writes all of s (the fd's buffer must have room: these are short test messages). */
    public static void write(int fd, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            if (Fds.write(fd, b) == 0) throw new AssertionError("fd " + fd + " would block on a short write");
        }
    }

    /** Everything readable now ("" when nothing is, or at end of stream). */
    public static String readAvailable(int fd) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        int n;
        while ((n = Fds.read(fd, b.clear())) > 0) {
            sb.append(new String(b.array(), 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** One read(2) of what is there, for blocking fds (call only when the fd is readable). */
    public static String readAvailableOnce(int fd) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        int n = Fds.read(fd, b);
        return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8);
    }

    public static void closeAll(int... fds) {
        for (int fd : fds) Fds.closeQuietly(fd);
    }
}
