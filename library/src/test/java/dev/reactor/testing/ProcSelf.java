package dev.reactor.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What /proc says about this process: its fd limit, open fds and resident memory. */
public final class ProcSelf {
    private ProcSelf() { }

    /** The soft RLIMIT_NOFILE ("Max open files" in /proc/self/limits). */
    @LinuxOnly("/proc/self/limits")
    public static int openFileLimit() {
        String field = "Max open files";
        for (String line : lines("/proc/self/limits")) {
            if (line.startsWith(field)) return Integer.parseInt(line.substring(field.length()).trim().split("\\s+")[0]);
        }
        throw new AssertionError("no Max open files in /proc/self/limits");
    }

    /** Open fds, not counting those of the listing itself. */
    public static int openFds() {
        return FdSnapshot.take().size();
    }

    /** VmRSS: resident memory now, in bytes. */
    @LinuxOnly("/proc/self/status")
    public static long rssBytes() {
        return statusKiloBytes("VmRSS:") << 10;
    }

    /** VmHWM: the most resident memory so far, in bytes. */
    @LinuxOnly("/proc/self/status")
    public static long peakRssBytes() {
        return statusKiloBytes("VmHWM:") << 10;
    }

    private static long statusKiloBytes(String field) {
        for (String line : lines("/proc/self/status")) {
            if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no " + field + " in /proc/self/status");
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
