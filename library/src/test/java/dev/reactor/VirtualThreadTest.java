package dev.reactor;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The loop refuses to wait on a virtual thread: the kernel wait is a foreign call, which pins the
 * carrier, so a blocked loop would hold a carrier thread. A zero-timeout runOnce never blocks and
 * is allowed there.
 */
class VirtualThreadTest {
    @Test
    void shouldRefuseToWaitOnAVirtualThreadButLetItPoll() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        List<String> seen = new ArrayList<>();
        Runnable body = () -> {
            try (Reactor reactor = Reactor.open()) {
                for (String call : new String[] {"run", "runOnce(1ms)", "runOnce(0)"}) {
                    try {
                        if (call.equals("run")) reactor.run();
                        else reactor.runOnce(call.equals("runOnce(0)") ? Duration.ZERO : Duration.ofMillis(1));
                        seen.add(call + " ran");
                    } catch (IllegalStateException e) {
                        seen.add(call + ": " + e.getMessage());
                    }
                }
            } catch (Exception e) {
                seen.add("failed: " + e);
            }
        };
        Thread virtual = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, body);
        virtual.join();
        assertEquals(3, seen.size(), "" + seen);
        assertTrue(seen.get(0).startsWith("run: run() on a virtual thread ("), seen.get(0));
        assertTrue(seen.get(0).endsWith("): the kernel wait is a foreign call, which pins the carrier thread, so the loop would"
                + " hold a carrier while it waits; run the loop on a platform thread (new Thread(reactor::run), or"
                + " Thread.ofPlatform())"), seen.get(0));
        assertTrue(seen.get(1).startsWith("runOnce(1ms): runOnce(PT0.001S) on a virtual thread ("), seen.get(1));
        assertEquals("runOnce(0) ran", seen.get(2));
    }
}
