package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.Echo;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accepting while the process is out of fds must not spin. A child JVM with RLIMIT_NOFILE at 128
 * listens, exhausts its fds, and measures its loop thread's CPU time while this test keeps
 * connecting; then it frees the fds and must accept every connection that waited. CPU time comes
 * from /proc/thread-self/stat of the loop thread, opened before the fds run out and re-read in place.
 */
@Heavy
@LinuxOnly("/proc/thread-self/stat")
class AcceptUnderEmfileTest {
    private static final Duration WINDOW = Duration.ofSeconds(2);

    @Test
    void shouldStayIdleWhileOutOfFdsAndResumeAcceptingOnceFdsFree() throws Exception {
        Process child = startChild();
        List<Socket> established = new CopyOnWriteArrayList<>();
        AtomicBoolean connecting = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        Thread connector = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             Writer in = child.outputWriter(StandardCharsets.UTF_8)) {
            String[] ready = expect(out, "EXHAUSTED");
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(ready[1]));

            // Clients keep connecting for the whole window: the accept queue fills, then SYNs are dropped.
            connector = new Thread(() -> {
                while (connecting.get()) {
                    Socket s = new Socket();
                    attempts.incrementAndGet();
                    try {
                        s.connect(server, 100);
                        established.add(s);
                    } catch (SocketTimeoutException e) {
                        close(s);   // queue full: the kernel dropped our SYN
                    } catch (IOException e) {
                        close(s);
                    }
                }
            }, "emfile-clients");
            connector.setDaemon(true);
            connector.start();
            Loop.await(Duration.ofSeconds(10), () -> established.size() >= 3);

            send(in, "measure");
            String[] cpu = expect(out, "CPU");
            long cpuNanos = Long.parseLong(cpu[1]);
            long wallNanos = Long.parseLong(cpu[2]);
            long iterations = Long.parseLong(cpu[3]);
            int acceptedWhileStarved = Integer.parseInt(cpu[4]);
            connecting.set(false);
            connector.join(5_000);

            double busy = (double) cpuNanos / wallNanos;
            System.out.printf("emfile: loop thread busy %.1f%% (%d ms CPU in %d ms), %d iterations, %d connect attempts%n",
                    busy * 100, cpuNanos / 1_000_000, wallNanos / 1_000_000, iterations, attempts.get());
            assertEquals(0, acceptedWhileStarved, "nothing can be accepted without a free fd");
            assertTrue(busy < 0.10, "the loop spun: " + Math.round(busy * 100) + "% of a core");
            // A paused accept retries every 100 ms: ~20 polls in 2 s, not millions.
            assertTrue(iterations < 1_000, "iterations in the window: " + iterations);

            send(in, "free " + established.size());
            String[] resumed = expect(out, "RESUMED");
            assertEquals(established.size(), Integer.parseInt(resumed[1]), "every waiting connection was accepted");
            for (Socket s : established) {                // and served
                s.setSoTimeout(5_000);
                s.getOutputStream().write(42);
                assertEquals(42, s.getInputStream().read());
            }
            send(in, "exit");
            assertTrue(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        } finally {
            connecting.set(false);
            if (connector != null) connector.join(5_000);
            for (Socket s : established) close(s);
            child.destroyForcibly();
        }
    }

    private static Process startChild() throws IOException {
        return new ProcessBuilder(ChildJvm.command(128, Child.class)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Reads lines until one starts with word (other lines are echoed); fails at end of stream. */
    private static String[] expect(BufferedReader out, String word) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(word + " ")) return line.split(" ");
            System.out.println("child: " + line);
        }
        throw new AssertionError("child exited before printing " + word);
    }

    private static void send(Writer in, String command) throws IOException {
        in.write(command + "\n");
        in.flush();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a client of the test: nothing to do
        }
    }

    /** The child JVM: a reactor serving echo on a loop thread; commands on stdin, results on stdout. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            PrintStream out = System.out;
            FileChannel[] loopStat = new FileChannel[1];
            AtomicInteger accepted = new AtomicInteger();
            int[] port = {0};
            Reactor[] holder = new Reactor[1];
            Thread loop = new Thread(() -> {
                try (Reactor reactor = Reactor.open()) {
                    loopStat[0] = FileChannel.open(Path.of("/proc/thread-self/stat"));
                    int listener = reactor.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                            ListenOptions.builder().backlog(8).build(), (r, fd, peer) -> {
                                accepted.incrementAndGet();
                                return new Echo(fd);
                            });
                    port[0] = dev.reactor.io.Sockets.localPort(listener);
                    synchronized (holder) {
                        holder[0] = reactor;
                        holder.notifyAll();
                    }
                    reactor.run();
                } catch (IOException e) {
                    e.printStackTrace();
                    System.exit(2);
                }
            }, "loop");
            loop.setDaemon(true);
            loop.start();
            Reactor reactor;
            synchronized (holder) {
                while (holder[0] == null) holder.wait();
                reactor = holder[0];
            }
            // Touch what the measurement and the logger need before no fd is left to load them.
            cpuNanos(loopStat[0]);
            System.getLogger("dev.reactor").log(System.Logger.Level.INFO, "emfile child: listening on " + port[0]);

            List<Integer> hog = new ArrayList<>();
            try {
                while (true) hog.add(Fds.eventfd());
            } catch (ReactorException e) {
                if (e.errno() != Errno.EMFILE) throw e;
            }
            out.println("EXHAUSTED " + port[0] + " " + hog.size());

            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] cmd = line.split(" ");
                if (cmd[0].equals("measure")) {
                    long cpu0 = cpuNanos(loopStat[0]);
                    long it0 = reactor.stats().iterations();
                    long t0 = System.nanoTime();
                    Thread.sleep(WINDOW.toMillis());   // the measurement window itself
                    long wall = System.nanoTime() - t0;
                    long cpu = cpuNanos(loopStat[0]) - cpu0;
                    long iterations = reactor.stats().iterations() - it0;
                    out.println("CPU " + cpu + " " + wall + " " + iterations + " " + accepted.get());
                } else if (cmd[0].equals("free")) {
                    for (int fd : hog) Fds.close(fd);
                    hog.clear();
                    int expected = Integer.parseInt(cmd[1]);
                    Loop.await(Duration.ofSeconds(10), () -> accepted.get() >= expected);
                    out.println("RESUMED " + accepted.get());
                } else if (cmd[0].equals("exit")) {
                    reactor.close();
                    System.exit(0);
                }
            }
        }

        /** utime + stime of a /proc/.../stat file, in ns; the kernel regenerates it on each read at offset 0. */
        static long cpuNanos(FileChannel stat) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(1024);
            stat.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15 of proc(5)
            return ticks * 10_000_000L;   // USER_HZ is 100 on Linux
        }
    }
}
