package dev.reactor.testing;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** The command that starts a child JVM like this one (same JDK, backend and classpath), at a given fd limit. */
public final class ChildJvm {
    private ChildJvm() { }

    /** java ... mainClass, under {@code ulimit -n maxFds}. */
    public static List<String> command(int maxFds, Class<?> mainClass) {
        return command(maxFds, mainClass, List.of());
    }

    /** The same, with more JVM options (a heap limit, say). */
    public static List<String> command(int maxFds, Class<?> mainClass, List<String> jvmOptions) {
        List<String> options = new ArrayList<>(inheritedOptions());
        options.addAll(jvmOptions);
        return bare(maxFds, mainClass, options);
    }

    /**
     * java ... mainClass with native access, this JVM's backend and jvmOptions only: none of the
     * options {@link #inheritedOptions()} passes on (how to treat Unsafe, --add-opens, jffi's).
     */
    public static List<String> bare(int maxFds, Class<?> mainClass, List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + maxFds + " && exec \"$@\"", "bash", java()));
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Ddev.reactor.ffi=" + Loop.backend());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return cmd;
    }

    /**
     * A {@link #command} with the signals (e.g. "USR1,TERM") blocked in the JVM from its start:
     * {@code env --block-signal=SIGNALS java ...} (coreutils 8.31+), so every thread inherits the
     * mask, as a signalfd in a JVM needs.
     */
    public static List<String> withBlockedSignals(String signals, List<String> command) {
        org.junit.jupiter.api.Assumptions.assumeTrue(envBlocksSignals(),
                "env --block-signal is not here (coreutils before 8.31): nothing to start a JVM with signals blocked");
        List<String> cmd = new ArrayList<>(command);
        int java = cmd.indexOf(java());
        if (java < 0) throw new IllegalArgumentException("no " + java() + " in " + command);
        cmd.addAll(java, List.of("env", "--block-signal=" + signals));
        return cmd;
    }

    private static Boolean envBlocksSignals;

    /** Whether {@code env --block-signal} works here (coreutils 8.31+). */
    public static synchronized boolean envBlocksSignals() {
        if (envBlocksSignals == null) {
            try {
                Process p = new ProcessBuilder("env", "--block-signal=USR1", "true").redirectErrorStream(true).start();
                envBlocksSignals = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (java.io.IOException e) {
                envBlocksSignals = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                envBlocksSignals = false;
            }
        }
        return envBlocksSignals;
    }

    /** This JVM's java executable. */
    public static String java() {
        return System.getProperty("java.home") + "/bin/java";
    }

    /**
     * The options of this JVM that a child needs to behave like it: how it treats sun.misc.Unsafe
     * (the Panama suites deny it), the --add-opens that Fds.of needs, and jffi's settings. A JVM
     * started without an Unsafe mode gives its child {@code allow} on JDK 24+, where the default
     * warns: a child's stderr is often checked for silence.
     */
    public static List<String> inheritedOptions() {
        List<String> options = new ArrayList<>();
        boolean unsafeMode = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--sun-misc-unsafe-memory-access=")) unsafeMode = true;
            if (a.startsWith("--sun-misc-unsafe-memory-access=") || a.startsWith("--add-opens=") || a.startsWith("-Djffi.")) {
                options.add(a);
            }
        }
        if (!unsafeMode && Runtime.version().feature() >= 24) options.add("--sun-misc-unsafe-memory-access=allow");
        return options;
    }
}
