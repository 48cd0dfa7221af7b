package dev.reactor.io;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.ChildProcess;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * signalfd in a JVM, as it really behaves: it works for a signal every thread blocks, which only a
 * JVM started with the signal blocked can have (env --block-signal, plus -Xrs for the signals the
 * JVM takes for itself); Fds.signalfd refuses, saying so, where the signal would go elsewhere.
 */
@LinuxOnly("signalfd(2)")
class SignalfdTest {
    @Test
    void shouldRefuseASignalThatSomeThreadDoesNotBlockAndSayHowToBlockIt() {
        // This JVM was started without blocking USR1: every thread would take it (and die of it).
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fds.signalfd("USR1"));
        assertTrue(e.getMessage().startsWith("signalfd(USR1): SIGUSR1 is not blocked in "), e.getMessage());
        assertTrue(e.getMessage().contains("env --block-signal=USR1 java"), e.getMessage());
        IllegalStateException term = assertThrows(IllegalStateException.class, () -> Fds.signalfd("SIGTERM", "usr1"));
        assertTrue(term.getMessage().startsWith("signalfd(SIGTERM, usr1): SIGUSR1, SIGTERM are not blocked in "), term.getMessage());
        assertTrue(term.getMessage().contains("env --block-signal=USR1,TERM java ... -Xrs"), term.getMessage());
    }

    @Test
    void shouldRefuseTheJvmsOwnSignalsAndUnknownNames() {
        assertEquals("signalfd(SEGV): SIGSEGV is the JVM's own (it handles it in the thread it hits)",
                assertThrows(IllegalArgumentException.class, () -> Fds.signalfd("SEGV")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Fds.signalfd("USR2")).getMessage().contains("JVM's own"));
        assertEquals("signalfd(KILL): SIGKILL can be neither blocked nor read",
                assertThrows(IllegalArgumentException.class, () -> Fds.signalfd("KILL")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Fds.signalfd("NOPE")).getMessage()
                .startsWith("signalfd(NOPE): no signal named 'NOPE'"));
        assertThrows(IllegalArgumentException.class, () -> Fds.signalfd());
    }

    @Test
    void shouldNotMistakeAnotherFdForASignalfd() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            assertNull(Fds.signalfdRead(pipe[0]), "nothing to read");
            Fds.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
            dev.reactor.ReactorException e = assertThrows(dev.reactor.ReactorException.class, () -> Fds.signalfdRead(pipe[0]));
            assertTrue(e.getMessage().contains("not a signalfd"), e.getMessage());
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void shouldDeliverProcessDirectedSignalsToTheLoopWhenTheJvmStartsWithThemBlocked() throws Exception {
        try (ChildProcess child = child("USR1,TERM", List.of("-Xrs"))) {
            long pid = child.expect("READY").num("pid");
            for (int i = 0; i < 3; i++) {   // one at a time: a standard signal already pending is merged
                ChildProcess.kill("USR1", pid);
                ChildProcess.Report r = child.expect("SIGNAL");
                assertEquals("USR1", r.get("name"), r.line());
                assertTrue(r.num("from") > 0, "the sender's pid: " + r.line());
            }
            ChildProcess.kill("TERM", pid);
            assertEquals("TERM", child.expect("SIGNAL").get("name"));
            child.expect("STOPPED");
            assertEquals(0, child.exitCode(), "TERM went to the loop, which stopped it: the JVM did not die of it");
        }
    }

    @Test
    void shouldSayThatTheJvmUnblocksTermWithoutXrs() throws Exception {
        try (ChildProcess child = child("TERM", List.of())) {
            String refused = child.expect("REFUSED").line();
            assertTrue(refused.contains("SIGTERM is not blocked in "), refused);
            assertTrue(refused.contains("-Xrs"), refused);
            assertEquals(0, child.exitCode());
        }
    }

    private static ChildProcess child(String signals, List<String> jvmOptions) throws IOException {
        List<String> cmd = new ArrayList<>(ChildJvm.withBlockedSignals(signals, ChildJvm.command(1024, Main.class, jvmOptions)));
        cmd.add(signals);
        return ChildProcess.start("signalfd-child", cmd, Duration.ofMinutes(2));
    }

    /** The child: a loop reading a signalfd for the signals in args[0] until TERM comes. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            String[] signals = args[0].split(",");
            int fd;
            try {
                fd = Fds.signalfd(signals);
            } catch (IllegalStateException e) {
                System.out.println("REFUSED " + e.getMessage());
                return;
            }
            try (Reactor reactor = Reactor.open()) {
                reactor.register(Context.of(fd, Interest.READ, (r, ev) -> {
                    for (Fds.Signal s; (s = Fds.signalfdRead(fd)) != null; ) {
                        System.out.println("SIGNAL name=" + s.name() + " from=" + s.pid());
                        if (s.name().equals("TERM")) r.stop();
                    }
                }));
                System.out.println("READY pid=" + ProcessHandle.current().pid());
                reactor.run();
                System.out.println("STOPPED cleanly");
            } finally {
                Fds.close(fd);
            }
        }
    }
}
