package dev.reactor.ffi.jnr;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;
import dev.reactor.testing.ChildProcess;
import dev.reactor.testing.Heavy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jnr backend binds the C library the process runs on, not the first libc.so.6 on a search
 * path: on a multiarch host (arm64 packages installed on x86_64) jnr-ffi's own lookup found
 * /lib/aarch64-linux-gnu/libc.so.6 first and the backend failed to start.
 */
class JnrLibcTest {

    @Test
    void shouldFindTheMappedCLibraryOfEachKind() {
        assertEquals("/usr/lib/x86_64-linux-gnu/libc.so.6", JnrLibC.libc(List.of(
                "7f69-7f6a r--p 00000000 fe:00 1  /usr/lib/x86_64-linux-gnu/libc.so.6.conf-not-it",
                "55d0-55d1 r--p 00000000 fe:00 2  /usr/lib/jvm/bin/java",
                "7f69-7f6a r-xp 00026000 fe:00 3  /usr/lib/x86_64-linux-gnu/libc.so.6")));
        assertEquals("/lib64/libc-2.17.so", JnrLibC.libc(List.of("7f-80 r-xp 0 fd:01 9 /lib64/libc-2.17.so")));
        assertEquals("/lib/ld-musl-aarch64.so.1", JnrLibC.libc(List.of("7f-80 r-xp 0 fd:01 9 /lib/ld-musl-aarch64.so.1")));
        assertNull(JnrLibC.libc(List.of("7f-80 rw-p 0 00:00 0 [heap]", "7f-80 r-xp 0 fd:01 9 /usr/lib/libcrypt.so.1")));
        assertTrue(JnrLibC.libc().startsWith("/"), "this JVM's libc is mapped: " + JnrLibC.libc());
    }

    /**
     * A libc.so.6 that is no library at all, first on java.library.path and jnr.ffi.library.path,
     * stands in for another architecture's (what jnr-ffi's own lookup picks): the jnr backend
     * still opens, dispatches and closes.
     */
    @Test
    @Heavy
    void shouldIgnoreAForeignLibcOnTheSearchPaths(@TempDir Path dir) throws Exception {
        Path decoy = Files.writeString(dir.resolve("libc.so.6"), "not an ELF file of this machine");
        List<String> options = List.of("-Djava.library.path=" + dir, "-Djnr.ffi.library.path=" + dir, "-Ddev.reactor.ffi=jnr");
        try (ChildProcess child = ChildProcess.start("jnr-libc", 4096, Child.class, options, List.of(), Duration.ofSeconds(60))) {
            assertEquals("epoll/jnr", child.expect("DISPATCHED").get("backend"));
            assertEquals(0, child.exitCode());
        }
        assertTrue(Files.exists(decoy));
    }

    /** Opens a jnr reactor, dispatches one pipe event, prints the backend. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            int[] pipe = Fds.pipe();
            try (Reactor reactor = Reactor.open()) {
                boolean[] seen = new boolean[1];
                reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> seen[0] = true));
                Fds.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
                reactor.runOnce(Duration.ofSeconds(10));
                if (!seen[0]) throw new AssertionError("no event");
                System.out.println("DISPATCHED backend=" + reactor.backend());
            } finally {
                Fds.close(pipe[0]);
                Fds.close(pipe[1]);
            }
        }
    }
}
