package dev.reactor.io;

import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.Heavy;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fds.of reads private JDK fields, which needs --add-opens (FdsTest runs with them: the surefire
 * argLine). Here a child JVM on the class path is given none, or one of the two: each call that
 * lacks one fails with an UnsupportedOperationException naming exactly the flags it lacks, and
 * the JVM goes on. Heavy: child JVMs, and the answer does not depend on the backend.
 */
@Heavy
class FdsOfOpensTest {
    private static final String IO = "--add-opens java.base/java.io=ALL-UNNAMED";
    private static final String NIO = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    @Test
    void shouldNameBothFlagsWhenNoPackageIsOpened() throws Exception {
        List<String> out = run();
        assertEquals("fd refused: Fds.of(FileDescriptor): the JDK has no supported way to read an fd, and java.base"
                + " does not open java.io to ALL-UNNAMED for reflection; run java with " + IO, out.get(0));
        assertEquals("channel refused: Fds.of(SelectableChannel): the JDK has no supported way to read an fd, and"
                + " java.base does not open sun.nio.ch, java.io to ALL-UNNAMED for reflection; run java with "
                + NIO + " " + IO, out.get(1));
    }

    @Test
    void shouldReadAFileDescriptorWithJavaIoOpenedAndNameOnlySunNioChForAChannel() throws Exception {
        List<String> out = run("--add-opens=java.base/java.io=ALL-UNNAMED");
        assertEquals("fd ok: 1", out.get(0));
        assertTrue(out.get(1).startsWith("channel refused: Fds.of(SelectableChannel):"), out.get(1));
        assertTrue(out.get(1).endsWith("run java with " + NIO), out.get(1));
    }

    @Test
    void shouldNameOnlyJavaIoForAChannelWhenSunNioChIsOpened() throws Exception {
        List<String> out = run("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        assertTrue(out.get(0).endsWith("run java with " + IO), out.get(0));
        assertTrue(out.get(1).endsWith("run java with " + IO), out.get(1));
        assertFalse(out.get(1).contains("sun.nio.ch"), out.get(1));
    }

    /** The child's two report lines; it must exit 0 (a refusal is an exception, not a crash). */
    private static List<String> run(String... options) throws Exception {
        List<String> jvmOptions = new ArrayList<>(List.of(options));
        if (Runtime.version().feature() >= 24) jvmOptions.add("--sun-misc-unsafe-memory-access=allow");  // jffi on jnr
        Process child = new ProcessBuilder(ChildJvm.bare(256, Child.class, jvmOptions))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), out);
            List<String> lines = out.lines().toList();
            assertEquals(2, lines.size(), out);
            return lines;
        } finally {
            child.destroyForcibly();
        }
    }

    public static final class Child {
        public static void main(String[] args) throws Exception {
            report("fd", () -> Fds.of(FileDescriptor.out));
            try (SocketChannel socket = SocketChannel.open()) {
                report("channel", () -> Fds.of(socket));
            }
        }

        private static void report(String call, IntSupplier of) {
            try {
                System.out.println(call + " ok: " + of.getAsInt());
            } catch (UnsupportedOperationException e) {
                System.out.println(call + " refused: " + e.getMessage());
            }
        }
    }
}
