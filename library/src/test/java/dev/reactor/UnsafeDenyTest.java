package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The library uses no sun.misc.Unsafe: in a child JVM that denies it (JEP 471's
 * --sun-misc-unsafe-memory-access=deny; a later JDK denies it by default), the Panama backend
 * opens a reactor, takes a send and an execute from another thread, dispatches an eventfd and a
 * java.nio pipe found with Fds.of, with no jffi setting. The jnr backend's jffi uses Unsafe: it
 * runs under deny with -Djffi.unsafe.disabled=true, fails with a message naming that property
 * without it, and under JDK 24+'s default (warn) it is the one warning left. Heavy: child JVMs,
 * each choosing its backend, so one run says it all.
 */
@Heavy
@LinuxOnly("eventfd")
class UnsafeDenyTest {
    private static final String DENY = "--sun-misc-unsafe-memory-access=deny";
    private static final String WARN = "--sun-misc-unsafe-memory-access=warn";
    private static final String JFFI_NO_UNSAFE = "-Djffi.unsafe.disabled=true";
    private static final String UNSAFE_WARNING = "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called";

    @Test
    void shouldRunOnPanamaWithUnsafeDenied() throws Exception {
        String out = run("panama", DENY);
        assertTrue(out.contains("OK epoll/panama messages=2 tasks=2 events=2"), out);
        assertFalse(out.contains("sun.misc.Unsafe"), out);
    }

    @Test
    void shouldPrintNoUnsafeWarningOnPanama() throws Exception {
        String out = run("panama", WARN);
        assertTrue(out.contains("OK epoll/panama"), out);
        assertFalse(out.contains("sun.misc.Unsafe"), out);
    }

    @Test
    void shouldRunOnJnrWithUnsafeDeniedWhenJffiIsToldNotToUseIt() throws Exception {
        String out = run("jnr", DENY, JFFI_NO_UNSAFE);
        assertTrue(out.contains("OK epoll/jnr messages=2 tasks=2 events=2"), out);
        assertFalse(out.contains("sun.misc.Unsafe"), out);
    }

    @Test
    void shouldNameJffisPropertyWhenUnsafeIsDeniedOnJnr() throws Exception {
        String out = run("jnr", DENY);
        assertTrue(out.contains("FAILED java.lang.UnsupportedOperationException: the jnr backend: jffi"), out);
        assertTrue(out.contains("run java with " + JFFI_NO_UNSAFE), out);
    }

    @Test
    void shouldWarnOnlyForJffiOnJnr() throws Exception {
        String out = run("jnr", WARN);
        assertTrue(out.contains("OK epoll/jnr"), out);
        // The JDK warns once per JVM, naming the first caller; that nothing else calls Unsafe is
        // what the deny tests show.
        assertTrue(out.contains(UNSAFE_WARNING), out);
        assertTrue(out.contains("has been called by com.kenai.jffi.UnsafeMemoryIO"), out);
    }

    /** The child's stdout and stderr, merged; it always exits 0 (a failure is reported, not thrown). */
    private static String run(String backend, String... options) throws Exception {
        assumeTrue(Runtime.version().feature() >= 23, "--sun-misc-unsafe-memory-access exists from JDK 23");
        List<String> jvmOptions = new ArrayList<>(List.of(options));
        jvmOptions.add("-Ddev.reactor.ffi=" + backend);
        jvmOptions.add("--add-opens=java.base/java.io=ALL-UNNAMED");
        jvmOptions.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        Process child = new ProcessBuilder(ChildJvm.bare(256, Child.class, jvmOptions)).redirectErrorStream(true).start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            System.out.print(out.lines().map(l -> "child " + backend + " " + String.join(" ", options) + ": " + l + "\n")
                    .reduce("", String::concat));
            assertEquals(0, child.exitValue(), out);
            return out;
        } finally {
            child.destroyForcibly();
        }
    }

    /** Everything the claim covers: open, send and execute from another thread, a dispatch, Fds.of. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try {
                if (Fds.of(FileDescriptor.out) != 1) throw new AssertionError("Fds.of(FileDescriptor.out)");
                int efd = Fds.eventfd();
                Pipe pipe = Pipe.open();
                pipe.source().configureBlocking(false);
                int[] messages = {0};
                int[] tasks = {0};
                int[] events = {0};
                try (Reactor reactor = Reactor.open()) {
                    reactor.register(new Context() {
                        @Override public int fd() { return efd; }
                        @Override public int interest() { return Interest.READ; }
                        @Override public void onEvent(Reactor r, int ev) throws Exception {
                            Fds.eventfdRead(efd);
                            events[0]++;
                        }
                        @Override public void onNotify(Reactor r, Object message) { messages[0]++; }
                    });
                    int source = Fds.of(pipe.source());
                    reactor.register(Context.of(source, Interest.READ, (r, ev) -> {
                        pipe.source().read(java.nio.ByteBuffer.allocate(8));
                        events[0]++;
                    }));
                    Thread other = new Thread(() -> {
                        for (int i = 0; i < 2; i++) {
                            if (!reactor.send(efd, "m") || !reactor.execute(() -> tasks[0]++)) throw new AssertionError("full");
                        }
                    });
                    other.start();
                    other.join();
                    Fds.eventfdWrite(efd, 1);
                    pipe.sink().write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while ((messages[0] < 2 || tasks[0] < 2 || events[0] < 2) && System.nanoTime() < deadline) {
                        reactor.runOnce(Duration.ofMillis(50));
                    }
                    System.out.println("OK " + reactor.backend() + " messages=" + messages[0] + " tasks=" + tasks[0]
                            + " events=" + events[0]);
                } finally {
                    Fds.close(efd);
                    pipe.source().close();
                    pipe.sink().close();
                }
            } catch (Throwable t) {
                Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
                System.out.println("FAILED " + cause);
            }
        }
    }
}
