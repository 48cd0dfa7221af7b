package dev.reactor.examples;

import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pidfd example: one loop sees every child's exit, with its status. */
class ExitWatcherTest {
    @Test
    @LinuxOnly("pidfd_open(2)")
    void shouldSeeEachChildExitOnOneLoop() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> ExitWatcher.main(new String[] {"4"}));
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).startsWith("watching 4 children on one loop ("), out);
        Set<String> statuses = lines.stream().skip(1)
                .map(l -> l.replaceAll("^pid \\d+ exited with ", "")).collect(Collectors.toSet());
        assertEquals(Set.of("10", "11", "12", "13"), statuses, out);   // any order: they exit as they please
        assertEquals(5, lines.size(), out);
    }
}
