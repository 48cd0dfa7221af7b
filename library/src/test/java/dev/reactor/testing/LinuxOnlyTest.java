package dev.reactor.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a macOS run does with a test marked {@link LinuxOnly}: skips it, saying what it needs. */
class LinuxOnlyTest {
    @LinuxOnly("eventfd")
    private static void needsEventfd() { }

    @Test
    void shouldSkipAMarkedTestOffLinuxWithItsReason() throws Exception {
        LinuxOnly mark = LinuxOnlyTest.class.getDeclaredMethod("needsEventfd").getAnnotation(LinuxOnly.class);
        ConditionEvaluationResult mac = LinuxOnly.Condition.evaluate(Optional.of(mark), false, "Mac OS X");
        assertTrue(mac.isDisabled());
        assertEquals(Optional.of("Linux only: eventfd (this is Mac OS X)"), mac.getReason());
        assertFalse(LinuxOnly.Condition.evaluate(Optional.of(mark), true, "Linux").isDisabled());
        assertFalse(LinuxOnly.Condition.evaluate(Optional.empty(), false, "Mac OS X").isDisabled(), "unmarked tests run everywhere");
    }
}
