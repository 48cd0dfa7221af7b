package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing accumulates over many cycles: 10,000 Reactor.open()/close() (each with a registration,
 * a timer, a message and an iteration) and 100,000 register/timeout/deregister on one reactor, in
 * a child JVM of its own (so no other test's fds or memory blur the numbers). Measured after a
 * warm-up and again at the end: open fds (must be equal), direct-buffer memory after a GC (must be
 * equal: every reactor's event array and scratch buffers are released), and RSS (a bound, since
 * the JIT may still grow a little: less than 32 MB over the run). The heap is fixed at 96 MB and
 * touched whole at start (AlwaysPreTouch), so RSS shows native memory, not the heap growing into
 * the machine's memory (a default heap here grew by 800 MB during the cycles when each reactor
 * left ~2 MB of mailbox garbage), nor heap pages touched for the first time (45 MB of them once
 * a reactor's garbage shrank to 22 KB, which fills the fixed heap more slowly).
 */
@Heavy
class LeakCyclesTest {
    private static final long RSS_SLACK_BYTES = 32L << 20;

    @Test
    @LinuxOnly("/proc/self/status")
    void shouldKeepFdsAndNativeMemoryFlatOverOpenCloseAndRegisterCycles() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(4096, Child.class, List.of("-Xmx96m", "-Xms96m", "-XX:+AlwaysPreTouch"))).redirectErrorStream(true).start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(120, TimeUnit.SECONDS));
            System.out.print(out);
            assertEquals(0, child.exitValue(), out);
            Map<String, long[]> m = new HashMap<>();
            out.lines().filter(l -> l.startsWith("LEAK ")).forEach(l -> {
                String[] f = l.split(" ");
                m.put(f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            });
            for (String phase : new String[] {"open-close", "register"}) {
                assertEquals(m.get(phase + ".fds")[0], m.get(phase + ".fds")[1], phase + ": open fds");
                assertEquals(m.get(phase + ".direct")[0], m.get(phase + ".direct")[1], phase + ": direct memory after GC");
                long rssGrowth = m.get(phase + ".rss")[1] - m.get(phase + ".rss")[0];
                assertTrue(rssGrowth < RSS_SLACK_BYTES, phase + ": RSS grew by " + (rssGrowth >> 20) + " MB");
            }
        } finally {
            child.destroyForcibly();
        }
    }

    /** Runs the cycles and prints "LEAK name before after" lines. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;   // more: by hand
            int[] pipe = Fds.pipe();
            openCloseCycles(pipe, 1_000);                 // warm-up: classes, JIT, thread-locals
            Snapshot before = Snapshot.take();
            long t0 = System.nanoTime();
            openCloseCycles(pipe, cycles);
            Snapshot after = Snapshot.take();
            before.print("open-close", after, cycles, System.nanoTime() - t0);

            try (Reactor reactor = Reactor.open()) {
                registerCycles(reactor, pipe[0], 10_000);
                before = Snapshot.take();
                t0 = System.nanoTime();
                registerCycles(reactor, pipe[0], 100_000);
                after = Snapshot.take();
                before.print("register", after, 100_000, System.nanoTime() - t0);
            }
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }

        static void openCloseCycles(int[] pipe, int n) throws Exception {
            for (int i = 0; i < n; i++) {
                try (Reactor reactor = Reactor.open()) {
                    reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> { }));
                    reactor.timeout(Duration.ofHours(1), pipe[0]);
                    reactor.send(pipe[0], "x");
                    reactor.runOnce(Duration.ZERO);
                }
            }
        }

        static void registerCycles(Reactor reactor, int fd, int n) throws Exception {
            Context ctx = Context.of(fd, Interest.READ, (r, ev) -> { });
            for (int i = 0; i < n; i++) {
                reactor.register(ctx);
                reactor.timeout(Duration.ofHours(1), fd);
                reactor.deregister(fd);
                if (i % 1_000 == 0) reactor.runOnce(Duration.ZERO);
            }
            reactor.runOnce(Duration.ZERO);
        }
    }

    /** Open fds, direct-buffer memory once a GC has run the cleaners, and RSS. */
    record Snapshot(long fds, long direct, long rss) {
        @LinuxOnly("/proc/self/status")
        static Snapshot take() throws Exception {
            long direct = directAfterGc();
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/dev/fd"))) {
                fds = s.count();
            }
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
            return new Snapshot(fds, direct, rss);
        }

        /** Direct memory still in use once GCs stop freeing any (cleaners run after a GC, on their own thread). */
        static long directAfterGc() throws InterruptedException {
            BufferPoolMXBean pool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            long last = -1;
            for (int i = 0; i < 50; i++) {
                System.gc();
                Thread.sleep(20);                 // the cleaner thread frees what the GC found
                long used = pool.getMemoryUsed();
                if (used == last) return used;
                last = used;
            }
            return last;
        }

        void print(String phase, Snapshot after, int cycles, long nanos) {
            System.out.println("LEAK " + phase + ".fds " + fds + " " + after.fds);
            System.out.println("LEAK " + phase + ".direct " + direct + " " + after.direct);
            System.out.println("LEAK " + phase + ".rss " + rss + " " + after.rss);
            System.out.printf("%s: %,d cycles in %d ms; fds %d -> %d, direct %,d -> %,d B, RSS %,d -> %,d KB%n",
                    phase, cycles, nanos / 1_000_000, fds, after.fds, direct, after.direct, rss >> 10, after.rss >> 10);
        }
    }
}
