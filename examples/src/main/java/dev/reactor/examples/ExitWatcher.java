package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

import java.util.ArrayList;
import java.util.List;

/**
 * One loop learning that child processes exited, through pidfds (Linux 5.3+): no thread per
 * child. Starts {@code children} shells (default 3), each waiting for a line on its stdin and
 * then exiting with its own status; once their pidfds are registered, tells them to go, and
 * prints each exit as the loop sees it.
 *
 * <p>The pidfd is opened while the child surely lives: a {@link Process}'s exit is reaped by the
 * JDK at once, and pidfd_open of a pid already reaped is ESRCH (or, later, another process).
 */
public final class ExitWatcher {
    public static void main(String[] args) throws Exception {
        int children = Usage.optional("ExitWatcher", "ExitWatcher [children]  (default 3)", args, 3, v -> Usage.count("children", v));
        List<Process> processes = new ArrayList<>();
        try (Reactor reactor = Reactor.open()) {
            int[] running = {children};
            for (int i = 0; i < children; i++) {
                Process process = new ProcessBuilder("sh", "-c", "read line; exit " + (10 + i)).start();
                processes.add(process);
                // snippet: pidfd
                int pidfd = Fds.pidfd(process.pid());
                reactor.register(Context.of(pidfd, Interest.READ, (r, events) -> {
                    r.close(pidfd);                  // readable once: the process has exited
                    System.out.println("pid " + process.pid() + " exited with " + process.waitFor());
                    if (--running[0] == 0) r.stop();
                }));
                // end snippet
            }
            System.out.println("watching " + children + " children on one loop (" + reactor.backend() + ")");
            for (Process p : processes) {
                p.getOutputStream().write('\n');     // each child reads its line and exits
                p.getOutputStream().close();
            }
            reactor.run();
        } finally {
            for (Process p : processes) p.destroyForcibly();
        }
    }

    private ExitWatcher() { }
}
