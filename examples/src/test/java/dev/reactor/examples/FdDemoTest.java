package dev.reactor.examples;
import dev.reactor.testing.LinuxOnly;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `make run`'s demo: one loop, a pipe, an eventfd and a timerfd, each dispatched. */
class FdDemoTest {

    @Test
    @LinuxOnly("eventfd")
    void shouldDispatchToAllThreeFdsAndStopAfterThreeTicks() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> FdDemo.main(new String[] {"3"}));
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).startsWith("reactor " + dev.reactor.testing.PollerKind.name() + "/"), out);
        assertTrue(lines.stream().filter(l -> l.startsWith("timerfd ")).count() >= 3, out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("pipe ") && l.contains("READABLE")), out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("eventfd ") && l.contains("READABLE")), out);
        // The pipe carried every tick's line (two may come in one read after a stall).
        for (int tick = 1; tick <= 3; tick++) assertTrue(out.contains("tick " + tick + "\n"), "tick " + tick + ": " + out);
        assertTrue(lines.get(lines.size() - 1).startsWith("ReactorStats{"), out);
    }
}
