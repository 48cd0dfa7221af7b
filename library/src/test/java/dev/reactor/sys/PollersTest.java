package dev.reactor.sys;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PollersTest {
    @Test
    void shouldOpenEpollOnLinuxOnTheTwoKnownArchitectures() {
        assertNull(Pollers.unsupported(true, true, "Linux", "amd64"));
    }

    /** ppc64le's read(2) is syscall 3, not aarch64's 63: refused, never guessed. */
    @Test
    void shouldRefuseLinuxOnAnUnknownArchitectureNamingIt() {
        assertEquals("no poller for Linux on ppc64le: epoll's event layout and the syscall numbers"
                + " are known for x86_64 (amd64) and aarch64 only",
                Pollers.unsupported(true, false, "Linux", "ppc64le"));
    }

    @Test
    void shouldRefuseAnotherOsNamingIt() {
        assertEquals("no poller for Mac OS X yet: epoll (Linux) is implemented, kqueue (macOS/BSD) is not",
                Pollers.unsupported(false, true, "Mac OS X", "aarch64"));
    }
}
