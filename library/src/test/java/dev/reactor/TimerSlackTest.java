package dev.reactor;

import dev.reactor.sys.Os;
import dev.reactor.sys.linux.Linux;
import dev.reactor.sys.Platform;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** run() gives its thread a tight timer slack while it runs, and gives the old one back. */
class TimerSlackTest {

    private static long slack() {
        return Os.libc().prctl(Linux.PR_GET_TIMERSLACK, 0);
    }

    @BeforeEach
    void linuxOnly() {
        assumeTrue(Platform.LINUX, "Linux only");
        assumeTrue(slack() > 1, "this thread already runs with a 1 ns slack");
    }

    private static long slackSeenInsideRun(ReactorConfig config) throws Exception {
        long[] seen = {-1};
        try (Reactor reactor = Reactor.open(config)) {
            reactor.execute(() -> {
                seen[0] = slack();
                reactor.stop();
            });
            reactor.run();
        }
        return seen[0];
    }

    @Test
    void shouldRunTheLoopWithATightSlackAndRestoreItAfter() throws Exception {
        long before = slack();
        assertEquals(1, slackSeenInsideRun(ReactorConfig.defaults()));
        assertEquals(before, slack(), "the thread gets its own slack back when run() returns");
    }

    @Test
    void shouldUseTheConfiguredSlack() throws Exception {
        long before = slack();
        assertEquals(5_000, slackSeenInsideRun(ReactorConfig.builder().timerSlackNanos(5_000).build()));
        assertEquals(before, slack());
    }

    @Test
    void shouldLeaveTheSlackAloneWhenToldTo() throws Exception {
        long before = slack();
        assertEquals(before, slackSeenInsideRun(ReactorConfig.builder().timerSlackNanos(-1).build()));
    }

    @Test
    void shouldLeaveTheSlackAloneInRunOnce() throws Exception {
        long before = slack();
        long[] seen = {-1};
        try (Reactor reactor = Reactor.open()) {
            reactor.execute(() -> seen[0] = slack());
            assertEquals(1, reactor.runOnce(Duration.ZERO));
        }
        assertEquals(before, seen[0]);
    }

    @Test
    void shouldRejectASlackOfZeroWhichWouldMeanTheDefault() {
        assertThrows(IllegalArgumentException.class, () -> ReactorConfig.builder().timerSlackNanos(0));
        assertThrows(IllegalArgumentException.class, () -> ReactorConfig.builder().timerSlackNanos(-2));
    }
}
