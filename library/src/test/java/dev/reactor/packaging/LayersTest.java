package dev.reactor.packaging;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import dev.reactor.Reactor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers (DESIGN.md, "one door to the OS"), checked on the bytecode of the jar the suites run:
 * each layer uses only the ones below it, and only the OS layer knows which OS this is.
 * dev.reactor → io → sys → sys.linux / sys.bsd → ffi. The one exception, kept on purpose:
 * {@code dev.reactor.ReactorException}, the public error type (API.md puts it in dev.reactor),
 * which the OS layer throws.
 */
class LayersTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importJar() throws Exception {
        Path jar = Path.of(Reactor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(jar.toString().endsWith(".jar"), "the library is loaded from " + jar + ", not its jar");
        // The release-22 classes (the Panama backend) are under META-INF/versions/22, which a
        // plain import of the jar skips: that folder is imported as a location of its own.
        Location root = Location.of(URI.create("jar:" + jar.toUri() + "!/"));
        Location versioned = Location.of(URI.create("jar:" + jar.toUri() + "!/META-INF/versions/22/"));
        classes = new ClassFileImporter().importLocations(Set.of(root, versioned));
        assertTrue(classes.contain(Reactor.class), "the release-17 classes were imported");
        assertTrue(classes.contain("dev.reactor.ffi.ffm.FfmLibC"), "the Panama classes (META-INF/versions/22) were imported");
    }

    @Test
    void shouldKeepFfiFreeOfTheRestOfTheProject() {
        rule(noClasses().that().resideInAPackage("dev.reactor.ffi..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.reactor", "dev.reactor.io..", "dev.reactor.sys.."));
    }

    @Test
    void shouldLetTheOsLayerUseOnlyFfiAndThePublicErrorType() {
        rule(noClasses().that().resideInAPackage("dev.reactor.sys..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "in dev.reactor or dev.reactor.io, other than ReactorException",
                        (JavaClass c) -> (c.getPackageName().equals("dev.reactor") || c.getPackageName().startsWith("dev.reactor.io"))
                                && !c.getName().equals("dev.reactor.ReactorException"))));
    }

    @Test
    void shouldKeepTheLoopAndTheUtilitiesBlindToTheOs() {
        rule(noClasses().that().resideInAnyPackage("dev.reactor", "dev.reactor.io..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.reactor.sys.linux..", "dev.reactor.sys.bsd..",
                        "dev.reactor.ffi.jnr..", "dev.reactor.ffi.ffm..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.reactor.sys.Platform"));
    }

    @Test
    void shouldNotLetTheUtilitiesReachIntoTheLoop() {
        rule(noClasses().that().resideInAPackage("dev.reactor.io..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "in dev.reactor, other than ReactorException",
                        (JavaClass c) -> c.getPackageName().equals("dev.reactor")
                                && !c.getName().equals("dev.reactor.ReactorException"))));
    }

    /** The OS and the poller are chosen in one place each: a new OS or poller is one line there. */
    @Test
    void shouldChooseTheOsAndThePollerInOnePlace() {
        Set<String> choosers = new TreeSet<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().equals("dev.reactor.sys")) continue;
            boolean reachesDown = c.getDirectDependenciesFromSelf().stream().anyMatch(d ->
                    d.getTargetClass().getPackageName().startsWith("dev.reactor.sys."));
            if (reachesDown) choosers.add(c.getSimpleName());
        }
        assertEquals(Set.of("Os", "Pollers"), choosers, "classes of dev.reactor.sys that name an OS's package");
    }

    private static void rule(ArchRule rule) {
        rule.check(classes);
    }
}
