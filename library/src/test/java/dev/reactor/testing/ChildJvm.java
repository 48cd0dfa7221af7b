package dev.reactor.testing;

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
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + maxFds + " && exec \"$@\"", "bash", java));
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.add("-Ddev.reactor.ffi=" + Loop.backend());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return cmd;
    }
}
