package dev.reactor.examples;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import dev.reactor.testing.LinuxOnlyGuard;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples' tests mark what needs Linux, as the library's do (its LinuxOnlyGuardTest): read
 * from these tests, the examples they run and the library's test helpers.
 */
class LinuxOnlyGuardTest {
    @Test
    void shouldMarkEveryTestThatReachesLinuxOnlyCode() throws Exception {
        Path tests = location(LinuxOnlyGuardTest.class);
        JavaClasses classes = new ClassFileImporter().importLocations(Set.of(
                at(tests), at(location(FdDemo.class)), at(location(LinuxOnlyGuard.class))));
        for (Class<?> c : List.of(LinuxOnlyGuardTest.class, FdDemo.class, LinuxOnlyGuard.class)) {
            assertTrue(classes.contain(c), c + " was imported");
        }
        List<String> unmarked = LinuxOnlyGuard.unmarked(classes);
        assertEquals("", String.join("\n", unmarked), unmarked.size() + " tests need Linux but are not marked @LinuxOnly");
    }

    @Test
    void shouldMarkEverySourceThatNamesAProcPath() throws Exception {
        Path sources = location(LinuxOnlyGuardTest.class).resolve("../../src/test/java").normalize();
        assertEquals(List.of(), LinuxOnlyGuard.unmarkedProcPaths(sources), "sources that read /proc without @LinuxOnly");
    }

    /** A folder of classes, or a jar (the suites run the examples' and the library's test jar). */
    private static Location at(Path p) {
        return p.toString().endsWith(".jar") ? Location.of(URI.create("jar:" + p.toUri() + "!/")) : Location.of(p);
    }

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
