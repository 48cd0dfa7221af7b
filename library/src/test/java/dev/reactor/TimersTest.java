package dev.reactor;

import dev.reactor.testing.Heavy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The timer heap on its own, with explicit clock values: order, ids, cancel, size. */
class TimersTest {
    private static final TimeoutHandler NOTHING = (r, id) -> { };

    /** Pops every timer due at nowNanos, returning their ids in the order they came out. */
    private static List<Long> expire(Timers timers, long nowNanos) {
        List<Long> ids = new ArrayList<>();
        int slot;
        while ((slot = timers.pollExpired(nowNanos)) >= 0) {
            ids.add(timers.id(slot));
            timers.release(slot);
        }
        return ids;
    }

    @Test
    void shouldCancelOnlyTheTimersOfOneFdsRegistration() {
        Timers timers = new Timers();
        Random random = new Random(7);
        Map<Long, Integer> byId = new HashMap<>();         // id -> fd (-1: a handler timer)
        for (int i = 0; i < 3_000; i++) {
            int fd = random.nextInt(4) - 1;                // -1, 0, 1, 2
            long id = fd < 0 ? timers.schedule(1_000 + i, NOTHING, -1, 0) : timers.schedule(1_000 + i, null, fd, 5);
            byId.put(id, fd);
            if (random.nextInt(3) == 0) {                  // cancel one at random, some expire early
                Long victim = byId.keySet().iterator().next();
                assertTrue(timers.cancel(victim));
                byId.remove(victim);
            }
        }
        long onOne = byId.values().stream().filter(fd -> fd == 1).count();
        assertEquals(0, timers.cancelFd(1, 4), "another generation: untouched");
        assertEquals(onOne, timers.cancelFd(1, 5));
        assertEquals(0, timers.cancelFd(1, 5), "nothing left on fd 1");
        assertEquals(0, timers.cancelFd(1_000_000, 5), "an fd never seen");
        byId.values().removeIf(fd -> fd == 1);
        assertEquals(byId.size(), timers.size());
        List<Long> left = expire(timers, Long.MAX_VALUE - 1);
        assertEquals(byId.keySet(), new java.util.HashSet<>(left), "every other timer still fires");
        for (long id : left) assertTrue(byId.get(id) != 1);
    }

    @Test
    void shouldExpireInDeadlineOrderWithTiesInSchedulingOrder() {
        Timers timers = new Timers();
        Random random = new Random(1);
        Map<Long, long[]> scheduled = new HashMap<>();   // id -> {deadline, scheduling index}
        for (int i = 0; i < 5_000; i++) {
            long deadline = 1_000 + random.nextInt(200);   // many ties
            scheduled.put(timers.schedule(deadline, NOTHING, -1, 0), new long[] {deadline, i});
        }
        List<Long> order = expire(timers, Long.MAX_VALUE - 1);
        assertEquals(5_000, order.size());
        for (int i = 1; i < order.size(); i++) {
            long[] a = scheduled.get(order.get(i - 1));
            long[] b = scheduled.get(order.get(i));
            assertTrue(a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]),
                    "timer " + i + " came out of order: " + a[0] + "#" + a[1] + " before " + b[0] + "#" + b[1]);
        }
    }

    @Test
    void shouldNeverExpireATimerBeforeItsDeadline() {
        Timers timers = new Timers();
        for (long deadline = 100; deadline <= 1_000; deadline += 100) timers.schedule(deadline, NOTHING, -1, 0);
        assertEquals(List.of(), expire(timers, 99));
        assertEquals(1, expire(timers, 100).size(), "a deadline equal to now is due");
        assertEquals(4, expire(timers, 599).size());
        assertEquals(600, timers.nextDeadline());
        assertEquals(5, expire(timers, 1_000).size());
        assertEquals(Long.MAX_VALUE, timers.nextDeadline(), "empty: no deadline");
    }

    @Test
    void shouldCancelTimersAnywhereInTheHeapAndKeepTheRestInOrder() {
        Timers timers = new Timers();
        Random random = new Random(2);
        Map<Long, Long> deadlines = new HashMap<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            long deadline = random.nextInt(1_000_000);
            long id = timers.schedule(deadline, NOTHING, -1, 0);
            deadlines.put(id, deadline);
            ids.add(id);
        }
        Set<Long> cancelled = new HashSet<>();
        for (long id : ids) {
            if (random.nextBoolean()) {
                assertTrue(timers.cancel(id));
                cancelled.add(id);
            }
        }
        assertEquals(ids.size() - cancelled.size(), timers.size());
        List<Long> order = expire(timers, Long.MAX_VALUE - 1);
        assertEquals(ids.size() - cancelled.size(), order.size());
        long previous = Long.MIN_VALUE;
        for (long id : order) {
            assertFalse(cancelled.contains(id), "cancelled timer " + id + " expired");
            assertTrue(deadlines.get(id) >= previous, "out of deadline order");
            previous = deadlines.get(id);
        }
    }

    @Test
    void shouldRefuseToCancelUnknownFiredOrAlreadyCancelledIds() {
        Timers timers = new Timers();
        long fired = timers.schedule(10, NOTHING, -1, 0);
        long pending = timers.schedule(20, NOTHING, -1, 0);
        assertEquals(List.of(fired), expire(timers, 10));
        assertFalse(timers.cancel(fired), "already fired");
        assertTrue(timers.cancel(pending));
        assertFalse(timers.cancel(pending), "already cancelled");
        for (long bogus : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32 | 12345, 0xFFFF_FFFFL}) {
            assertFalse(timers.cancel(bogus), "bogus id " + bogus);
        }
    }

    @Test
    void shouldNeverReuseTheIdOfALiveTimerAndIgnoreStaleIds() {
        Timers timers = new Timers();
        Random random = new Random(3);
        Set<Long> live = new HashSet<>();
        List<Long> dead = new ArrayList<>();
        for (int round = 0; round < 200_000; round++) {
            if (live.isEmpty() || random.nextInt(3) != 0) {
                long id = timers.schedule(random.nextInt(1000), NOTHING, -1, 0);
                assertTrue(id > 0, "ids are positive");
                assertTrue(live.add(id), "id " + id + " handed out while still live");
            } else {
                long id = live.iterator().next();
                live.remove(id);
                assertTrue(timers.cancel(id));
                dead.add(id);
            }
        }
        assertEquals(live.size(), timers.size());
        // A stale id whose slot now holds another timer must not cancel that timer.
        for (long id : dead) assertFalse(timers.cancel(id), "stale id " + id);
        assertEquals(live.size(), timers.size());
    }

    @Test
    @Heavy
    void shouldHoldAMillionPendingTimers() {
        Timers timers = new Timers();
        Random random = new Random(4);
        int n = 1_000_000;
        long[] deadlineBySlot = new long[n];   // ids are seq << 32 | slot
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            long deadline = random.nextInt(Integer.MAX_VALUE);
            min = Math.min(min, deadline);
            deadlineBySlot[(int) timers.schedule(deadline, NOTHING, -1, 0)] = deadline;
        }
        assertEquals(n, timers.size());
        assertEquals(min, timers.nextDeadline());
        long previous = Long.MIN_VALUE;
        int expired = 0;
        int slot;
        while ((slot = timers.pollExpired(Long.MAX_VALUE - 1)) >= 0) {
            long deadline = deadlineBySlot[(int) timers.id(slot)];
            if (deadline < previous) fail("timer " + expired + " expired out of order: " + deadline + " after " + previous);
            previous = deadline;
            timers.release(slot);
            expired++;
        }
        assertEquals(n, expired);
        assertEquals(0, timers.size());
    }
}
