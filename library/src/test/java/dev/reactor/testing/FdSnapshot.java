package dev.reactor.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The process's open fds at one moment (number and what /proc/self/fd says it points to), for
 * leak checks that a concurrent close cannot fool: an fd closed meanwhile — say, by the GC's
 * cleaner closing a JDK socket an earlier test dropped — is not a leak; an fd open now that
 * was not open before (or now points elsewhere) is.
 */
public final class FdSnapshot {
    private static final String SELF_FD_DIR = "/proc/" + ProcessHandle.current().pid() + "/fd";

    private final Map<Integer, String> fds;

    private FdSnapshot(Map<Integer, String> fds) {
        this.fds = fds;
    }

    public static FdSnapshot take() {
        KqueueEmulator.collect();
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    // The listing's own fds (the JDK opens two per directory stream here). They
                    // take the lowest free numbers, which an fd another thread opens or closes
                    // meanwhile shifts; they then read as "opened" (seen on JDK 17 in the jnr-jdk17
                    // suite: "fds leaked ==> [38 -> /proc/<pid>/fd]").
                    if (target.equals(SELF_FD_DIR)) continue;
                    // The JVM's own short reads of its container limits and of /proc (GC and
                    // OperatingSystemMXBean metrics: seen as "/sys/fs/cgroup/memory/.../memory.stat"
                    // open for a moment during a SignalStormTest case). The library opens neither.
                    if (target.startsWith("/sys/fs/cgroup/") || target.startsWith("/proc/")) continue;
                    fds.put(Integer.parseInt(p.getFileName().toString()), target);
                } catch (IOException gone) {
                    // closed between the listing and the readlink
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return new FdSnapshot(fds);
    }

    /** How many fds were open. */
    public int size() {
        return fds.size();
    }

    /** The fds open now that were not open, or pointed elsewhere, when this snapshot was taken. */
    public List<String> opened() {
        List<String> opened = new ArrayList<>();
        take().fds.forEach((fd, target) -> {
            if (!target.equals(fds.get(fd))) opened.add(fd + " -> " + target);
        });
        return opened;
    }

    /** The fds of this snapshot that are closed now (or point elsewhere). */
    public List<String> closed() {
        Map<Integer, String> now = take().fds;
        List<String> closed = new ArrayList<>();
        fds.forEach((fd, target) -> {
            if (!target.equals(now.get(fd))) closed.add(fd + " -> " + target);
        });
        return closed;
    }

    /** Only the entries of a kind: "anon_inode:" (epoll, eventfd, timerfd), "socket:", "pipe:". */
    public static List<String> of(String kind, List<String> entries) {
        return entries.stream().filter(e -> e.contains(kind)).toList();
    }

    public void assertNoneOpened(String message) {
        assertEquals(List.of(), opened(), message);
    }
}
