package dev.reactor.io;

import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets.inherited(): the LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES protocol, parsed (in-process),
 * and with real inherited fds in child JVMs started by bash, which keeps fd 3 open across its
 * exec of java and makes LISTEN_PID the JVM's pid ($$ survives exec).
 */
class InheritedFdsTest {
    @Test
    void shouldReadTheProtocolAndRefuseWhatIsNotForThisProcess() {
        assertEquals(List.of(), Sockets.inherited(null, null, null, 42), "not socket-activated");
        IllegalStateException other = assertThrows(IllegalStateException.class, () -> Sockets.inherited("41", "1", null, 42));
        assertEquals("LISTEN_PID=41 is not this process (42): the 1 fds of LISTEN_FDS were passed to that one"
                + " (this process inherited its environment)", other.getMessage());
        assertEquals("LISTEN_FDS=1 without LISTEN_PID: not a socket activation",
                assertThrows(IllegalStateException.class, () -> Sockets.inherited(null, "1", null, 42)).getMessage());
        assertEquals("LISTEN_PID=x, LISTEN_FDS=1: not numbers",
                assertThrows(IllegalStateException.class, () -> Sockets.inherited("x", "1", null, 42)).getMessage());
        assertEquals("LISTEN_FDNAMES has 1 names for LISTEN_FDS=2",
                assertThrows(IllegalStateException.class, () -> Sockets.inherited("42", "2", "http", 42)).getMessage());
    }

    @Test
    @LinuxOnly("bash's /dev/tcp and exec 3<; the protocol itself is the same on the BSDs")
    void shouldHandRealInheritedFdsToListenAndNameWhatIsWrong() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            String wrongPid = child("export LISTEN_PID=1 LISTEN_FDS=1", "exec 3</dev/null");
            assertTrue(wrongPid.contains("inherited: IllegalStateException: LISTEN_PID=1 is not this process ("), wrongPid);

            String file = child("export LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=web", "exec 3</dev/null");
            assertTrue(file.contains("inherited: [Inherited[fd=3, name=web]]"), file);
            assertTrue(file.contains("listen: ReactorException: listen(fd=3): ENOTSOCK (Socket operation on non-socket):"
                    + " not a socket; listen(int) adopts a listening stream socket"), file);

            String connected = child("export LISTEN_PID=$$ LISTEN_FDS=1", "exec 3<>/dev/tcp/127.0.0.1/" + port);
            assertTrue(connected.contains("inherited: [Inherited[fd=3, name=unknown]]"), connected);
            assertTrue(connected.contains("listen: ReactorException: listen(fd=3): EINVAL (Invalid argument): the socket"
                    + " is not listening"), connected);

            // More fds than were passed: some number after 3 is not open (the JVM's own fds take a few).
            String missing = child("export LISTEN_PID=$$ LISTEN_FDS=1000", "exec 3</dev/null");
            assertTrue(missing.matches("(?s).*inherited: IllegalStateException: LISTEN_FDS=1000, but fd \\d+ is not open.*"), missing);
        }
    }

    /** Runs Child under bash with the given exports and redirection, then exec java; returns its output. */
    private static String child(String exports, String redirect) throws Exception {
        List<String> javaCommand = ChildJvm.command(256, Child.class);
        // ChildJvm's command is bash -c 'ulimit -n N && exec "$@"' bash java ...: put ours in front.
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.set(2, exports + " && " + redirect + " && " + javaCommand.get(2));
        java.io.File log = java.io.File.createTempFile("inherited", ".log");
        log.deleteOnExit();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);       // a hung child fails the test, not hangs it
        if (!ended) p.destroyForcibly();
        String out = java.nio.file.Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertTrue(ended, out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Prints what Sockets.inherited() gives, then what Reactor.listen(fd) says of fd 3. */
    public static final class Child {
        public static void main(String[] args) {
            List<Sockets.Inherited> fds;
            try {
                fds = Sockets.inherited();
                System.out.println("inherited: " + fds);
            } catch (RuntimeException e) {
                System.out.println("inherited: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                return;
            }
            try (dev.reactor.Reactor reactor = dev.reactor.Reactor.open()) {
                reactor.listen(fds.get(0).fd(), (r, fd, peer) -> null);
                System.out.println("listen: adopted");
            } catch (Exception e) {
                System.out.println("listen: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
