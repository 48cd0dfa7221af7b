package dev.reactor.testing;

import dev.reactor.sys.Platform;

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
 *
 * <p>Without Linux's /proc (macOS, FreeBSD with fdescfs) the fds are listed from /dev/fd, and
 * what each points to is its kind and inode from fstat ("socket:[ino]", "pipe:[ino]",
 * "file:dev:ino"): the same leak checks, less to read in a failure. On Linux
 * {@code -Ddev.reactor.test.fdsFrom=dev} takes that way too, so FdSnapshotTest checks it here.
 */
public final class FdSnapshot {
    private static final String SELF_FD_DIR = "/proc/" + ProcessHandle.current().pid() + "/fd";

    private final Map<Integer, String> fds;
    private final boolean proc;

    private FdSnapshot(Map<Integer, String> fds, boolean proc) {
        this.fds = fds;
        this.proc = proc;
    }

    /** A new snapshot, read the way this one was. */
    @LinuxOnly.ByOs
    private Map<Integer, String> now() {
        KqueueEmulator.collect();
        return (proc ? fromProc() : fromDevFd()).fds;
    }

    private static final boolean PROC = Platform.LINUX && !"dev".equals(System.getProperty("dev.reactor.test.fdsFrom"));

    @LinuxOnly.ByOs
    public static FdSnapshot take() {
        KqueueEmulator.collect();
        return PROC ? fromProc() : fromDevFd();
    }

    /** Linux: /proc/self/fd, each entry's link naming the file. */
    @LinuxOnly("/proc/self/fd")
    static FdSnapshot fromProc() {
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
        return new FdSnapshot(fds, true);
    }

    /**
     * The BSDs' /dev/fd (also on Linux, a link to /proc/self/fd): stat through each entry. The
     * listing's own fd is a directory, and the library opens none, so directories are left out.
     */
    static FdSnapshot fromDevFd() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/dev/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    Map<String, Object> st = Files.readAttributes(p, "unix:mode,dev,ino");
                    int type = (Integer) st.get("mode") & 0170000;
                    if (type == 0040000) continue;                              // S_IFDIR
                    String kind = type == 0140000 ? "socket:[" + st.get("ino") + "]"   // S_IFSOCK
                            : type == 0010000 ? "pipe:[" + st.get("ino") + "]"         // S_IFIFO
                            : "file:" + st.get("dev") + ":" + st.get("ino");
                    fds.put(Integer.parseInt(p.getFileName().toString()), kind);
                } catch (IOException | UnsupportedOperationException gone) {
                    // closed between the listing and the stat (or an fd fstat cannot describe)
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return new FdSnapshot(fds, false);
    }

    /** The fd numbers open at this moment. */
    public java.util.Set<Integer> numbers() {
        return fds.keySet();
    }

    /** How many fds were open. */
    public int size() {
        return fds.size();
    }

    /** The fds open now that were not open, or pointed elsewhere, when this snapshot was taken. */
    public List<String> opened() {
        List<String> opened = new ArrayList<>();
        now().forEach((fd, target) -> {
            if (!target.equals(fds.get(fd))) opened.add(fd + " -> " + target);
        });
        return opened;
    }

    /** The fds of this snapshot that are closed now (or point elsewhere). */
    public List<String> closed() {
        Map<Integer, String> now = now();
        List<String> closed = new ArrayList<>();
        fds.forEach((fd, target) -> {
            if (!target.equals(now.get(fd))) closed.add(fd + " -> " + target);
        });
        return closed;
    }

    /**
     * Only the entries of a kind: "socket:", "pipe:", and on Linux "anon_inode:" (epoll, eventfd,
     * timerfd; elsewhere a kqueue reads as "file:").
     */
    public static List<String> of(String kind, List<String> entries) {
        return entries.stream().filter(e -> e.contains(kind)).toList();
    }

    public void assertNoneOpened(String message) {
        assertEquals(List.of(), opened(), message);
    }
}
