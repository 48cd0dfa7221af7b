package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop's out-of-fds path needs no new fd, logging included. In a fresh JVM whose very first
 * log record is the Acceptor's EMFILE warning, java.util.logging formats a timestamp, and the
 * first timestamp loads the time-zone rules from a file: at EMFILE that used to surface as an
 * Error out of runOnce. The child JVM runs at ulimit -n 64 and logs nothing before it runs out.
 */
class EmfileLoggingTest {
    @Test
    @LinuxOnly("eventfd")
    void shouldSurviveAFirstLogRecordMadeWithNoFdLeft() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(64, Child.class)).redirectErrorStream(true).start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            System.out.print(out.lines().map(l -> "child: " + l + "\n").reduce("", String::concat));
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.contains("ACCEPTED 1"), out);
            assertTrue(out.contains("EMFILE"), "the warning was logged all the same: " + out);
        } finally {
            child.destroyForcibly();
        }
    }

    /** Listens, connects to itself, runs out of fds, and loops: the accept fails, pauses and logs. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (Reactor reactor = Reactor.open()) {
                int[] accepted = {0};
                int listener = reactor.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        (r, fd, peer) -> {
                            accepted[0]++;
                            return Context.of(fd, Interest.READ, (loop, ev) -> loop.close(fd));
                        });
                Socket client = new Socket();   // connected before the fds run out: it waits in the backlog
                client.connect(Sockets.localAddress(listener));

                List<Integer> hog = new ArrayList<>();
                try {
                    while (true) hog.add(Fds.eventfd());
                } catch (ReactorException e) {
                    if (e.errno() != Errno.EMFILE) throw e;
                }
                // The accept fails with EMFILE, the listener pauses and logs: the first record of this JVM.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (reactor.stats().timersFired() == 0 && System.nanoTime() < deadline) {
                    reactor.runOnce(Duration.ofMillis(50));
                }
                if (reactor.stats().timersFired() == 0) throw new AssertionError("the accept never paused and resumed");
                for (int fd : hog) Fds.close(fd);
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (accepted[0] == 0 && System.nanoTime() < deadline) reactor.runOnce(Duration.ofMillis(50));
                System.out.println("ACCEPTED " + accepted[0]);
                client.close();
            } catch (IOException | RuntimeException | Error e) {
                e.printStackTrace(System.out);
                System.exit(3);
            }
        }
    }
}
