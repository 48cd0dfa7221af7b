package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A -Ddev.reactor.ffi that cannot be loaded is a clear exception naming the property, from
 * Reactor.open() and from every Fds and Sockets call alike, not an ExceptionInInitializerError
 * followed by NoClassDefFoundErrors. Child JVMs (the property is read once per JVM), in the
 * core tier, so that the JDK 17 suite runs the Panama case.
 */
class BackendChoiceTest {
    @Test
    void shouldNameThePropertyForAnUnknownBackendOnEveryCall() throws Exception {
        String out = child("bogus");
        String why = "unknown FFI backend 'bogus' (-Ddev.reactor.ffi or ReactorConfig.backend: auto, panama or jnr)";
        assertEquals(List.of(
                "Fds.pipe: IllegalArgumentException: " + why,
                "Fds.pipe again: IllegalArgumentException: " + why,
                "Sockets.open: IllegalArgumentException: " + why,
                "Reactor.open: IllegalArgumentException: " + why), out.lines().filter(l -> l.contains(": ")).toList(), out);
    }

    @Test
    void shouldSayPanamaNeedsJdk22OnAnOlderJdk() throws Exception {
        assumeTrue(Runtime.version().feature() < 22, "the JDK 17 suite only: here Panama loads");
        String out = child("panama");
        List<String> lines = out.lines().filter(l -> l.contains(": ")).toList();
        assertEquals(4, lines.size(), out);
        for (String line : lines) {
            assertTrue(line.contains("UnsupportedOperationException: the Panama FFI backend needs JDK 22 or newer; this is "
                    + Runtime.version() + " (use -Ddev.reactor.ffi=jnr)"), line);
        }
    }

    /** One JVM, one backend: a reactor may not run on another than Fds and Sockets do. */
    @Test
    void shouldRefuseAReactorOnAnotherBackendThanFds() throws Exception {
        assumeTrue(dev.reactor.ffi.Native.panamaAvailable(), "only jnr here (JDK 17, or a jnr-only jar): no other backend to ask for");
        String jvm;
        try (Reactor reactor = Reactor.open()) {
            jvm = reactor.backend().substring(reactor.backend().indexOf('/') + 1);
        }
        String other = jvm.equals("panama") ? "jnr" : "panama";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reactor.open(ReactorConfig.builder().backend(other).build()));
        assertEquals("ReactorConfig.backend(\"" + other + "\"): this JVM's FFI backend is " + jvm + " (-Ddev.reactor.ffi="
                + System.getProperty("dev.reactor.ffi", "auto") + "), which Fds and Sockets use; one JVM runs one"
                + " backend: set -Ddev.reactor.ffi=" + other + " instead", e.getMessage());
        for (String fine : new String[] {jvm, "auto", jvm.toUpperCase(java.util.Locale.ROOT)}) {
            try (Reactor same = Reactor.open(ReactorConfig.builder().backend(fine).build())) {
                assertTrue(same.backend().endsWith("/" + jvm), fine + " names the JVM's own backend: " + same.backend());
            }
        }
    }

    private static String child(String backend) throws Exception {
        List<String> cmd = new ArrayList<>(ChildJvm.command(256, Child.class));
        cmd.replaceAll(a -> a.startsWith("-Ddev.reactor.ffi=") ? "-Ddev.reactor.ffi=" + backend : a);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Prints "call: ExceptionClass: message" for each call that fails, as a user would see it. */
    public static final class Child {
        public static void main(String[] args) {
            attempt("Fds.pipe", Fds::pipe);
            attempt("Fds.pipe again", Fds::pipe);
            attempt("Sockets.open", () -> dev.reactor.io.Sockets.open(new java.net.InetSocketAddress("127.0.0.1", 0)));
            attempt("Reactor.open", Reactor::open);
        }

        interface Call {
            Object run() throws Exception;
        }

        private static void attempt(String name, Call call) {
            try {
                call.run();
                System.out.println(name + " worked");
            } catch (Throwable e) {
                System.out.println(name + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
