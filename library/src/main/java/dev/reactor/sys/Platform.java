package dev.reactor.sys;

import java.util.Locale;

/** Which OS and CPU this JVM runs on: the facts that change constants and layouts. */
public final class Platform {
    private Platform() { }

    private static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    private static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);

    public static final boolean LINUX = OS.startsWith("linux");
    public static final boolean MACOS = OS.startsWith("mac") || OS.startsWith("darwin");
    public static final boolean FREEBSD = OS.startsWith("freebsd");
    public static final boolean BSD = MACOS || FREEBSD || OS.contains("bsd");
    public static final boolean X86_64 = ARCH.equals("amd64") || ARCH.equals("x86_64");
    public static final boolean AARCH64 = ARCH.equals("aarch64") || ARCH.equals("arm64");
}
