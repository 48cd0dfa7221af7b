package dev.reactor.examples;

import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.ChildProcess;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signalfd example, started as its javadoc says, and started without blocking the signals. */
@LinuxOnly("signalfd(2)")
class SignalWatcherTest {
    @Test
    void shouldReloadOnHupAndStopCleanlyOnTermWhenStartedWithThemBlocked() throws Exception {
        List<String> cmd = ChildJvm.withBlockedSignals("HUP,TERM", ChildJvm.command(1024, SignalWatcher.class, List.of("-Xrs")));
        try (ChildProcess child = ChildProcess.start("SignalWatcher", cmd, Duration.ofMinutes(2))) {
            String banner = child.expect("pid").line();
            long pid = Long.parseLong(banner.split("[ :]")[1]);
            for (int i = 1; i <= 2; i++) {
                ChildProcess.kill("HUP", pid);
                assertTrue(child.expect("reload").line().startsWith("reload " + i + " (HUP from pid "), "reload " + i);
            }
            ChildProcess.kill("TERM", pid);
            assertEquals("stopped by TERM after 2 reload(s)", child.expect("stopped").line());
            assertEquals(0, child.exitCode());
        }
    }

    @Test
    void shouldSayHowToStartItWhenTheSignalsAreNotBlocked() throws Exception {
        Process p = new ProcessBuilder(ChildJvm.command(1024, SignalWatcher.class)).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(2, TimeUnit.MINUTES));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.startsWith("SignalWatcher: signalfd(HUP, TERM): SIGHUP, SIGTERM are not blocked in "), out);
            assertTrue(out.contains("env --block-signal=HUP,TERM java ... -Xrs"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
