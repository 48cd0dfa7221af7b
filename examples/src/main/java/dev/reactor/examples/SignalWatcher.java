package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

/**
 * Signals as reads on one loop, through a signalfd (Linux): HUP "reloads" (counts), TERM stops
 * the loop, which then closes what it holds and exits 0, instead of a handler on a thread of its
 * own. A JVM can do this only for signals every thread blocks, so start it with them blocked:
 * <pre>env --block-signal=HUP,TERM java -Xrs -cp ... dev.reactor.examples.SignalWatcher</pre>
 * ({@code -Xrs}: without it the JVM unblocks HUP, INT, TERM and QUIT for its own handlers.)
 * Started otherwise, it says so and exits 2.
 */
public final class SignalWatcher {
    public static void main(String[] args) throws Exception {
        int fd;
        try {
            fd = Fds.signalfd("HUP", "TERM");
        } catch (IllegalStateException e) {
            System.err.println("SignalWatcher: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (Reactor reactor = Reactor.open()) {
            long pid = ProcessHandle.current().pid();
            int[] reloads = {0};
            // snippet: signalfd
            reactor.register(Context.of(fd, Interest.READ, (r, events) -> {
                for (Fds.Signal s; (s = Fds.signalfdRead(fd)) != null; ) {
                    if (s.name().equals("HUP")) System.out.println("reload " + ++reloads[0] + " (HUP from pid " + s.pid() + ")");
                    else r.stop();                   // TERM: leave the loop, close, exit 0
                }
            }));
            // end snippet
            System.out.println("pid " + pid + ": kill -HUP " + pid + " reloads, kill -TERM " + pid + " stops");
            reactor.run();
            System.out.println("stopped by TERM after " + reloads[0] + " reload(s)");
        } finally {
            Fds.close(fd);
        }
    }

    private SignalWatcher() { }
}
