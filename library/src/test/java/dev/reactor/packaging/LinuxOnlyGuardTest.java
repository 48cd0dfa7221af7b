package dev.reactor.packaging;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.reactor.testing.LinuxOnlyGuard;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every test that needs Linux says so with {@code @LinuxOnly}, so that a macOS or FreeBSD run
 * skips it with a reason instead of failing: checked on the bytecode of this module's tests, and
 * for /proc paths (which bytecode calls do not show) on their sources.
 */
class LinuxOnlyGuardTest {
    @Test
    void shouldMarkEveryTestThatReachesLinuxOnlyCode() throws Exception {
        List<String> unmarked = LinuxOnlyGuard.unmarked(new ClassFileImporter().importPath(testClasses()));
        assertEquals("", String.join("\n", unmarked), unmarked.size() + " tests need Linux but are not marked @LinuxOnly");
    }

    @Test
    void shouldMarkEverySourceThatNamesAProcPath() throws Exception {
        List<String> unmarked = LinuxOnlyGuard.unmarkedProcPaths(testClasses().resolve("../../src/test/java").normalize());
        assertEquals(List.of(), unmarked, "sources that read /proc without @LinuxOnly");
    }

    private static Path testClasses() throws Exception {
        return Path.of(LinuxOnlyGuardTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
