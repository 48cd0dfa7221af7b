package dev.reactor.testing;

/**
 * What the suite's JVM runs on when it is not the machine's own CPU: the jnr-aarch64 suite sets
 * {@code -Ddev.reactor.test.emulator=qemu-user}. A test that meets a limit of the emulator's
 * (not of this code, not of the kernel) asks here and says which.
 */
public final class Emulator {
    private Emulator() { }

    /** True under qemu-user (the aarch64 suite). */
    public static boolean qemuUser() {
        return "qemu-user".equals(System.getProperty("dev.reactor.test.emulator"));
    }
}
