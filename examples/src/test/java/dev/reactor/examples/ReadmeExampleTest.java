package dev.reactor.examples;

import dev.reactor.Reactor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's example is real code: the first java block compiles, runs and prints what it says. */
class ReadmeExampleTest {
    /** The checkout's README (the tests run in examples/). */
    private static final Path README = Path.of(System.getProperty("dev.reactor.root", "..")).resolve("README.md");
    private static final String MAIN = "dev.reactor.examples.ReadmeExample";

    /** The first ```java block of README.md (the tests run in examples/). */
    static String readmeExample() throws Exception {
        List<String> lines = Files.readAllLines(README);
        int start = lines.indexOf("```java");
        assertNotEquals(-1, start, "README.md has no ```java block");
        int end = lines.subList(start + 1, lines.size()).indexOf("```");
        assertNotEquals(-1, end, "the ```java block is not closed");
        return String.join("\n", lines.subList(start + 1, start + 1 + end)) + "\n";
    }

    @Test
    void shouldMatchReadmeExampleJavaExactly() throws Exception {
        String file = Files.readString(Path.of("src/main/java/dev/reactor/examples/ReadmeExample.java"));
        assertEquals(file, readmeExample(), "README.md and ReadmeExample.java have drifted apart");
    }

    @Test
    void shouldCompileAndRunTheReadmeBlock(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("src/ReadmeExample.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, readmeExample());
        Path classes = Files.createDirectories(dir.resolve("classes"));
        compile(source, classes);

        String expectedBackend;
        try (Reactor probe = Reactor.open()) {
            expectedBackend = probe.backend();
        }
        List<String> printed = runMain(classes);
        assertEquals(List.of("timerfd fired after 1 expiration", "pipe: READABLE, 5 bytes", "ran on " + expectedBackend),
                printed);
    }

    private static void compile(Path source, Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                    "-proc:none", "-Xlint:all", "-Werror");
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(source.toFile())).call();
            assertTrue(ok, "the README example does not compile: " + diagnostics.getDiagnostics());
        }
        assertTrue(Files.exists(classes.resolve("dev/reactor/examples/ReadmeExample.class")));
    }

    /**
     * Runs the freshly compiled main with System.out captured. Only the example's own classes come
     * from the new directory: the library is shared with this JVM, so its native bindings load once.
     */
    private static List<String> runMain(Path classes) throws Exception {
        ClassLoader parent = ReadmeExampleTest.class.getClassLoader();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, parent) {
            @Override protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.equals(MAIN) && !name.startsWith(MAIN + "$")) return super.loadClass(name, resolve);
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : findClass(name);   // child first: not the copy in the examples' classes
                }
            }
        }) {
            Class<?> main = loader.loadClass(MAIN);
            assertEquals(loader, main.getClassLoader(), "ran the copy from the examples' classes, not the README's");
            Method m = main.getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            m.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
