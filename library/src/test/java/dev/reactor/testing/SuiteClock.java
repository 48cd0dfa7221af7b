package dev.reactor.testing;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the suite's wall time where scripts/test-summary reads it: the file {@code wall-time}
 * in the folder named by {@code -Ddev.reactor.test.reports} (each test-plugin execution sets its
 * reports folder), holding "startMillis endMillis" (epoch ms). Surefire forks one JVM per
 * execution, so the start is that process's creation (the no-pwait2 wrapper's exec and the JVM's
 * boot are in it) and the end is the end of the last test plan. Outside it: Maven's own work for
 * the execution (the booter jar, the fork, reading the reports); here one suite's end and the
 * next one's start are ~0.2 s apart.
 *
 * <p>The process's age comes from /proc: its start in clock ticks since boot against
 * /proc/uptime, both 10 ms grained. Not ProcessHandle's startInstant, which adds the boot time,
 * a whole second in /proc/stat, and was seen to put a suite's start before the previous one's end.
 * Registered in META-INF/services; without the property it does nothing.
 */
public final class SuiteClock implements TestExecutionListener {
    static final String PROPERTY = "dev.reactor.test.reports";

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        String dir = System.getProperty(PROPERTY);
        if (dir == null) return;
        long end = System.currentTimeMillis();
        long age = processAgeMillis();
        long start = age >= 0 ? end - age : ManagementFactory.getRuntimeMXBean().getStartTime();
        try {
            Files.createDirectories(Path.of(dir));
            // Overwritten if surefire runs more than one plan in this JVM: the last one ends the suite.
            Files.writeString(Path.of(dir, "wall-time"), start + " " + end + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the suite's wall time to " + dir, e);
        }
    }

    /** Milliseconds since this process was created, or -1 without a Linux /proc. */
    @LinuxOnly.ByOs
    private static long processAgeMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[19]);              // field 22 of proc(5): starttime
            double uptimeSeconds = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return Math.round(uptimeSeconds * 1000) - startTicks * 10;   // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
