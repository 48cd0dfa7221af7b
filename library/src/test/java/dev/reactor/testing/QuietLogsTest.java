package dev.reactor.testing;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * QuietLogs, run on a small class of its own through the JUnit launcher: a failed test's records
 * are printed with their stack traces, a warning nobody expected is printed, a warning a
 * LogCapture asserted on and an INFO record are not.
 */
class QuietLogsTest {
    @Test
    void shouldPrintOnlyWhatAFailureOrAnUnexpectedWarningLogged() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            LauncherDiscoveryRequest r = request().selectors(selectClass(Demo.class))
                    .filters(EngineFilter.includeEngines("junit-jupiter"))
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true").build();
            Launcher launcher = LauncherFactory.create();
            launcher.execute(r, summary);
        } finally {
            System.setErr(saved);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, summary.getSummary().getTestsStartedCount(), out);
        assertEquals(1, summary.getSummary().getTestsFailedCount(), out);
        assertTrue(out.contains("-- logged by the failed test fails()"), out);
        assertTrue(out.contains("demo: before the failure") && out.contains("java.lang.IllegalStateException: demo cause"), out);
        assertTrue(out.contains("-- logged unexpectedly by warnsUnexpectedly()") && out.contains("demo: nobody expects this"), out);
        assertFalse(out.contains("demo: asserted on"), out);
        assertFalse(out.contains("demo: info"), out);
    }

    /** Not run by the suites (a nested class); QuietLogsTest runs it. */
    static class Demo {
        private static final System.Logger LOG = System.getLogger("dev.reactor");

        @Test
        void fails() {
            LOG.log(System.Logger.Level.WARNING, "demo: before the failure", new IllegalStateException("demo cause"));
            throw new AssertionError("on purpose");
        }

        @Test
        void warnsUnexpectedly() {
            LOG.log(System.Logger.Level.WARNING, "demo: nobody expects this");
            LOG.log(System.Logger.Level.INFO, "demo: info");
        }

        @Test
        void warnsAsExpected() {
            try (LogCapture log = LogCapture.start()) {
                LOG.log(System.Logger.Level.WARNING, "demo: asserted on");
                assertTrue(log.contains("demo: asserted on"));
            }
        }
    }
}
