package dev.reactor.testing;

import java.nio.file.Path;

/**
 * Where this suite's native test parts are (scripts/native): native/build, or the folder
 * {@code -Ddev.reactor.native.build} names (the aarch64 suite's native/build/aarch64, whose
 * emulator and test libraries are cross-compiled for the JVM under qemu).
 */
public final class NativeBuild {
    private NativeBuild() { }

    /** The folder. */
    public static Path dir() {
        String dir = System.getProperty("dev.reactor.native.build");
        return (dir != null ? Path.of(dir) : Path.of(System.getProperty("dev.reactor.root", ".."), "native", "build"))
                .toAbsolutePath().normalize();
    }

    /** A file in it. */
    public static Path path(String name) {
        return dir().resolve(name);
    }
}
