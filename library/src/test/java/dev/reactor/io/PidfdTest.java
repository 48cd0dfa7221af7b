package dev.reactor.io;

import dev.reactor.Context;
import dev.reactor.Errno;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorException;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fds.pidfd: a loop learns that a real child process (ProcessBuilder) exited, without a thread
 * per child: the pidfd stays quiet while the child runs and turns readable when it ends.
 */
@LinuxOnly("pidfd_open(2)")
class PidfdTest {
    @Test
    void shouldTellTheLoopWhenAChildExits() throws Exception {
        Process child = new ProcessBuilder("cat").start();        // runs until its stdin closes
        int pidfd = Fds.pidfd(child.pid());
        AtomicInteger seen = new AtomicInteger();
        try (Reactor reactor = Reactor.open()) {
            reactor.register(Context.of(pidfd, Interest.READ, (r, events) -> {
                seen.set(events);
                r.deregister(pidfd);
            }));
            assertEquals(0, reactor.runOnce(Duration.ZERO), "the child still runs: nothing to report");
            assertTrue(child.isAlive());
            child.getOutputStream().close();                        // cat sees end of input and exits
            Loop.until(reactor, () -> seen.get() != 0);
            assertTrue(Events.isReadable(seen.get()), Events.toString(seen.get()));
            assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            Fds.close(pidfd);
            child.destroyForcibly();
        }
    }

    @Test
    void shouldNameAProcessThatDoesNotExist() throws Exception {
        // pid_max itself is never a pid (they run below it): certainly no such process. (Read
        // by lines: Files.readString and readAllBytes return one byte of a /proc/sys file, "3" of "32768".)
        long pid = Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
        ReactorException e = assertThrows(ReactorException.class, () -> Fds.pidfd(pid));
        assertEquals(Errno.ESRCH, e.errno(), e.getMessage());
        assertEquals("pidfd_open(pid=" + pid + "): ESRCH (No such process)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fds.pidfd(0));
    }
}
