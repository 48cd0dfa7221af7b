package dev.reactor.testing;

import dev.reactor.io.Fds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both ways of listing fds see the same thing: /proc/self/fd (Linux) and /dev/fd with fstat (the
 * way a macOS or FreeBSD run lists them, taken here through Linux's /dev/fd).
 */
class FdSnapshotTest {
    @Test
    @LinuxOnly("compares with /proc/self/fd")
    void shouldSeeTheSameNewFdsThroughDevFdAsThroughProc() throws Exception {
        FdSnapshot proc = FdSnapshot.fromProc();
        FdSnapshot dev = FdSnapshot.fromDevFd();
        int[] pipe = Fds.pipe();
        int[] pair = Fds.socketpair();
        try {
            Set<Integer> made = new TreeSet<>(List.of(pipe[0], pipe[1], pair[0], pair[1]));
            List<String> byDev = dev.opened();
            assertEquals(made, numbers(byDev), "opened, by /dev/fd: " + byDev);
            assertEquals(made, numbers(proc.opened()), "opened, by /proc: " + proc.opened());
            assertEquals(2, FdSnapshot.of("pipe:", byDev).size(), "" + byDev);
            assertEquals(2, FdSnapshot.of("socket:", byDev).size(), "" + byDev);
            assertTrue(FdSnapshot.fromDevFd().numbers().containsAll(made));
        } finally {
            for (int fd : new int[] {pipe[0], pipe[1], pair[0], pair[1]}) Fds.close(fd);
        }
        assertEquals(List.of(), dev.opened(), "after the close, by /dev/fd");
        assertEquals(List.of(), proc.opened(), "after the close, by /proc");
    }

    private static Set<Integer> numbers(List<String> entries) {
        Set<Integer> n = new TreeSet<>();
        for (String e : entries) n.add(Integer.parseInt(e.substring(0, e.indexOf(' '))));
        return n;
    }
}
