package dev.reactor.sys.linux;

import dev.reactor.sys.Os;
import dev.reactor.ffi.LibC;
import dev.reactor.sys.Poller;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The poller's deadline, on both kernel paths: epoll_pwait2's timespec and the timerfd fallback
 * ({@link EpollPoller#disablePwait2()}). "Never before the deadline" is asserted on every wait;
 * "not rounded to milliseconds" only on the shortest of many waits, since the machine is shared.
 */
@LinuxOnly("epoll")
class EpollPollerTimeoutTest {
    private static final String PWAIT2 = "epoll_pwait2";
    private static final String TIMERFD = "timerfd";

    /** Loads the FFI backend and the classes used here, so fd counts see only the poller's fds. */
    @BeforeAll
    static void warmUp() throws Exception {
        for (String path : new String[] {PWAIT2, TIMERFD}) {
            try (EpollPoller poller = new EpollPoller(Os.libc(), 64)) {
                if (path.equals(TIMERFD)) poller.disablePwait2();
                poller.poll(System.nanoTime() + 1_000);
            }
        }
        FdSnapshot.take();
    }

    private static EpollPoller open(LibC libc, String path) throws Exception {
        EpollPoller poller = new EpollPoller(libc, 64);
        if (path.equals(TIMERFD)) {
            poller.disablePwait2();
        } else if (!poller.timerSource().equals(PWAIT2)) {
            poller.close();
            assumeTrue(false, "epoll_pwait2 is refused here (ENOSYS: Linux before 5.11, a seccomp filter, or a qemu-user without it such as 7.2)");
        }
        assertEquals(path, poller.timerSource());
        return poller;
    }

    private static EpollPoller open(String path) throws Exception {
        return open(Os.libc(), path);
    }

    /** poll(deadline) and check that only the poller's own fds (upper token half 0) reported. */
    private static int pollOwn(EpollPoller poller, long deadline) throws Exception {
        int n = poller.poll(deadline);
        for (int i = 0; i < n; i++) assertEquals(0, poller.token(i) >>> 32, "an event from a fd nobody registered");
        return n;
    }

    private static long min(long[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {PWAIT2, TIMERFD})
    void shouldNeverReturnBeforeTheDeadline(String path) throws Exception {
        FdSnapshot before = FdSnapshot.take();
        try (EpollPoller poller = open(path)) {
            long[] waited = new long[30];
            for (int i = 0; i < waited.length; i++) {
                long start = System.nanoTime();
                long deadline = start + 300_000;
                pollOwn(poller, deadline);
                long end = System.nanoTime();
                assertTrue(end - deadline >= 0, "wait " + i + " returned " + (deadline - end) + " ns before its deadline");
                waited[i] = end - start;
            }
            // Waits rounded up to milliseconds would all take 1 ms or more: one shorter wait shows
            // they are not (a shared machine may stretch any single wait, hardly all of them).
            assertTrue(min(waited) < 1_000_000, "shortest of 30 waits for 300 µs: " + min(waited) + " ns");
        }
        before.assertNoneOpened("the poller's fds were not all closed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {PWAIT2, TIMERFD})
    void shouldNotRoundShortWaitsUpToMilliseconds(String path) throws Exception {
        try (EpollPoller poller = open(path)) {
            long[] waited = new long[50];
            for (int i = 0; i < waited.length; i++) {
                long start = System.nanoTime();
                pollOwn(poller, start + 200_000);
                waited[i] = System.nanoTime() - start;
            }
            assertTrue(min(waited) < 900_000, "shortest of 50 waits of 200 µs: " + min(waited) + " ns");
        }
    }

    @Test
    void shouldRearmTheTimerFdOnlyWhenTheDeadlineChanges() throws Exception {
        try (EpollPoller poller = open(TIMERFD)) {
            long far = System.nanoTime() + 10_000_000_000L;
            for (int i = 0; i < 5; i++) {
                poller.wakeup();                            // return at once, deadline still pending
                assertEquals(1, pollOwn(poller, far));
            }
            assertEquals(1, poller.timerFdSettimeCalls, "same deadline five times: armed once");

            poller.wakeup();
            pollOwn(poller, far + 1);
            assertEquals(2, poller.timerFdSettimeCalls, "a new deadline re-arms");

            pollOwn(poller, Poller.NOW);
            assertEquals(2, poller.timerFdSettimeCalls, "a non-blocking poll leaves the timer alone");

            poller.wakeup();
            pollOwn(poller, Poller.FOREVER);
            assertEquals(3, poller.timerFdSettimeCalls, "waiting forever disarms a pending deadline");
            poller.wakeup();
            pollOwn(poller, Poller.FOREVER);
            assertEquals(3, poller.timerFdSettimeCalls, "already disarmed");

            long soon = System.nanoTime() + 1_000_000;
            assertEquals(1, pollOwn(poller, soon), "the timerfd itself reports at the deadline");
            assertTrue(System.nanoTime() - soon >= 0);
            assertEquals(4, poller.timerFdSettimeCalls);
            pollOwn(poller, soon);
            poller.wakeup();
            pollOwn(poller, Poller.FOREVER);
            assertEquals(4, poller.timerFdSettimeCalls, "an expired deadline needs neither re-arming nor disarming");
        }
    }

    @Test
    void shouldNeedNoTimerFdWhenEpollPwait2Works() throws Exception {
        FdSnapshot before = FdSnapshot.take();
        try (EpollPoller poller = open(PWAIT2)) {
            FdSnapshot open = FdSnapshot.take();
            for (int i = 1; i <= 5; i++) pollOwn(poller, System.nanoTime() + i * 100_000L);
            assertEquals(0, poller.timerFdSettimeCalls);
            assertEquals(List.of(), FdSnapshot.of("anon_inode:", open.opened()), "a timed wait opened an fd");
        }
        before.assertNoneOpened("the poller's fds were not all closed");
    }

    @Test
    void shouldHoldTheTimerFdBeforeTheFirstTimedWaitOnTheFallback() throws Exception {
        try (EpollPoller poller = open(TIMERFD)) {
            FdSnapshot open = FdSnapshot.take();
            for (int i = 1; i <= 5; i++) pollOwn(poller, System.nanoTime() + i * 100_000L);
            // A timerfd made here could fail with EMFILE: the wait that needs it may come when no fd is left.
            assertEquals(List.of(), FdSnapshot.of("anon_inode:", open.opened()), "a timed wait opened an fd");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {PWAIT2, TIMERFD})
    void shouldWaitOnlyForTheTimeLeftAfterEintr(String path) throws Exception {
        InterruptingLibC libc = new InterruptingLibC(Os.libc());
        try (EpollPoller poller = open(libc.libc, path)) {
            libc.waits.clear();
            libc.interruptNextWaits = 1;
            libc.interruptAfterMillis = 30;
            long deadline = System.nanoTime() + 200_000_000;
            pollOwn(poller, deadline);
            assertTrue(System.nanoTime() - deadline >= 0, "returned before the deadline");
            List<InterruptingLibC.Wait> waits = libc.waits;
            assertEquals(2, waits.size(), "one interrupted wait, one resumed: " + waits);
            assertEquals(1, poller.interruptedWaits(), "EINTRs counted");
            if (path.equals(PWAIT2)) {
                InterruptingLibC.Wait first = waits.get(0), second = waits.get(1);
                assertEquals("epoll_pwait2", first.call());
                assertTrue(first.timeout() <= 200_000_000 && first.timeout() > 0, "first timespec " + first);
                if (second.call().equals("epoll_wait")) {
                    // A loaded machine may spend the rest of the time before the retry: then only a look.
                    assertEquals(0, second.timeout());
                    assertTrue(second.atNanos() - deadline >= 0, "gave up waiting before the deadline");
                } else {
                    assertTrue(second.timeout() <= first.timeout() - 30_000_000 && second.timeout() > 0,
                            "after 30 ms and EINTR the wait resumed for " + second.timeout() + " ns of the first " + first.timeout());
                }
            } else {
                // The timerfd keeps counting through EINTR: the same deadline, not armed again.
                assertEquals("epoll_wait(-1)", waits.get(0).toString());
                if (!waits.get(1).toString().equals("epoll_wait(0)")) {
                    assertEquals("epoll_wait(-1)", waits.get(1).toString());
                } else {
                    assertTrue(waits.get(1).atNanos() - deadline >= 0, "gave up waiting before the deadline");
                }
                assertEquals(1, poller.timerFdSettimeCalls);
            }
        } finally {
            libc.closePipe();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {PWAIT2, TIMERFD})
    void shouldNotWaitAgainWhenEintrArrivesAfterTheDeadline(String path) throws Exception {
        InterruptingLibC libc = new InterruptingLibC(Os.libc());
        try (EpollPoller poller = open(libc.libc, path)) {
            libc.waits.clear();
            libc.interruptNextWaits = 1;
            libc.interruptAfterMillis = 40;
            long deadline = System.nanoTime() + 20_000_000;
            pollOwn(poller, deadline);
            assertTrue(System.nanoTime() - deadline >= 0);
            assertEquals(2, libc.waits.size(), libc.waits.toString());
            assertEquals("epoll_wait(0)", libc.waits.get(1).toString(), "the deadline had passed: only a non-blocking look");
        } finally {
            libc.closePipe();
        }
    }
}
