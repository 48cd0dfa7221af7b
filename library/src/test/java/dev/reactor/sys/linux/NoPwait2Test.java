package dev.reactor.sys.linux;

import dev.reactor.sys.Os;
import dev.reactor.Reactor;
import dev.reactor.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The no-pwait2 suite (pom.xml, execution test-no-pwait2) runs every test in a JVM started by
 * native/no-pwait2, whose seccomp filter makes the kernel answer ENOSYS to epoll_pwait2, as a
 * kernel before 5.11 or a container's seccomp profile does. These tests prove that refusal is in
 * force there, so that suite cannot quietly run the epoll_pwait2 path; elsewhere they are skipped.
 */
class NoPwait2Test {
    /** Set only by the test-no-pwait2 execution (pom.xml), whose JVM runs under native/no-pwait2. */
    private static final String SUITE = "dev.reactor.test.noPwait2";

    @Test
    @EnabledIfSystemProperty(named = SUITE, matches = ".*", disabledReason = "the no-pwait2 suite only")
    void shouldGetEnosysFromEpollPwait2InTheNoPwait2Suite() {
        // fd -1: a kernel that has the call and lets us make it says EBADF (or EFAULT for the NULL array).
        assertEquals(-Errno.ENOSYS, Os.libc().epoll_pwait2(-1, 0, 1, 0));
    }

    @Test
    @EnabledIfSystemProperty(named = SUITE, matches = ".*", disabledReason = "the no-pwait2 suite only")
    void shouldRunEveryReactorOnTheTimerfdFallbackInTheNoPwait2Suite() throws Exception {
        try (Reactor reactor = Reactor.open()) {
            assertEquals("timerfd", reactor.timerSource(), "this suite must not run the epoll_pwait2 path");
        }
    }
}
