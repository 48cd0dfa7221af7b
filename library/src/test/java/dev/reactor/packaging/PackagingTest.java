package dev.reactor.packaging;

import dev.reactor.Reactor;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The suites run against the packaged jar, and the jar is a proper multi-release jar: release-17
 * class files at its root (a JDK 17 tool scanning it meets nothing newer), the Panama backend
 * under META-INF/versions/22 only, and on JDK 22+ that is where the backend is loaded from.
 */
class PackagingTest {
    private static final int JAVA_17 = 61;

    private static Path jar() throws Exception {
        Path location = Path.of(Reactor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(location.toString().endsWith(".jar"), "the library is loaded from " + location + ", not its jar");
        return location;
    }

    private static int classFileVersion(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        assertEquals(0xCAFEBABE, data.readInt());
        data.readUnsignedShort();                     // minor
        return data.readUnsignedShort();
    }

    @Test
    void shouldBeAMultiReleaseJarWithOnlyRelease17ClassesAtItsRoot() throws Exception {
        try (JarFile jar = new JarFile(jar().toFile())) {
            assertEquals("true", jar.getManifest().getMainAttributes().getValue("Multi-Release"));
            List<String> tooNew = new ArrayList<>();
            List<String> versioned = new ArrayList<>();
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (!entry.getName().endsWith(".class")) continue;
                if (entry.getName().startsWith("META-INF/versions/")) {
                    versioned.add(entry.getName());
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    int version = classFileVersion(in);
                    if (version > JAVA_17) tooNew.add(entry.getName() + " (" + version + ")");
                }
            }
            assertEquals(List.of(), tooNew, "class files newer than Java 17 at the jar's root");
            if ("panama jnr".equals(jar.getManifest().getMainAttributes().getValue("Reactor-Backends"))) {
                assertTrue(versioned.contains("META-INF/versions/22/dev/reactor/ffi/ffm/FfmLibC.class"), "" + versioned);
                assertTrue(versioned.stream().allMatch(n -> n.startsWith("META-INF/versions/22/dev/reactor/ffi/ffm/")), "" + versioned);
            }
        }
    }

    @Test
    void shouldLoadThePanamaBackendFromVersion22OnJdk22AndLater() throws Exception {
        jar();
        URL ffm = Reactor.class.getClassLoader().getResource("dev/reactor/ffi/ffm/FfmLibC.class");
        if (Runtime.version().feature() < 22) {
            assertEquals(null, ffm, "JDK " + Runtime.version().feature() + " must not see the Panama classes");
            return;
        }
        assertNotNull(ffm, "no Panama backend in the jar");
        assertTrue(ffm.toString().contains(".jar!/META-INF/versions/22/"), "loaded from " + ffm);
    }
}
