package dev.reactor.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM ({@link ChildJvm}) that reports on stdout in lines {@code WORD key=value ...} and
 * takes commands on stdin; its stderr goes to ours. Every wait has a deadline (a hang guard), and
 * close() kills it.
 */
public final class ChildProcess implements AutoCloseable {
    private static final String EOF = "\0eof";

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final Duration deadline;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildProcess(String name, Process process, Duration deadline) {
        this.name = name;
        this.process = process;
        this.deadline = deadline;
        this.stdin = process.outputWriter(StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("(reading its output failed: " + e + ")");
            } finally {
                lines.add(EOF);
            }
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** java ... main args, under {@code ulimit -n maxFds}; each wait on it lasts at most deadline. */
    public static ChildProcess start(String name, int maxFds, Class<?> main, List<String> jvmOptions, List<String> args,
                                     Duration deadline) throws IOException {
        List<String> cmd = new ArrayList<>(ChildJvm.command(maxFds, main, jvmOptions));
        cmd.addAll(args);
        return new ChildProcess(name, new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start(), deadline);
    }

    /** Any command (a child JVM wrapped in another program, say); each wait on it lasts at most deadline. */
    public static ChildProcess start(String name, List<String> command, Duration deadline) throws IOException {
        return new ChildProcess(name, new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start(), deadline);
    }

    /** Sends a signal ("HUP", "USR1", "TERM") to a process with kill(1), and checks that kill succeeded. */
    public static void kill(String signal, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kill -" + signal + " " + pid + " did not return");
        assertTrue(p.exitValue() == 0, "kill -" + signal + " " + pid + " exited with " + p.exitValue());
    }

    /** This process's pid. */
    public long pid() {
        return process.pid();
    }

    /** One report line's {@code key=value} fields. */
    public record Report(String line, Map<String, String> fields) {
        public String get(String key) {
            String v = fields.get(key);
            if (v == null) throw new AssertionError("no " + key + " in " + line);
            return v;
        }

        public long num(String key) {
            return Long.parseLong(get(key));
        }
    }

    /** Waits for the line that starts with word (other lines are echoed); fails if the child exits first. */
    public Report expect(String word) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new AssertionError(name + ": no " + word + " within " + deadline);
            if (line.equals(EOF)) {
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(name + " exited (" + (process.isAlive() ? "?" : process.exitValue())
                        + ") before printing " + word);
            }
            if (line.startsWith(word + " ")) {
                Map<String, String> fields = new HashMap<>();
                for (String f : line.substring(word.length() + 1).split(" ")) {
                    int eq = f.indexOf('=');
                    if (eq > 0) fields.put(f.substring(0, eq), f.substring(eq + 1));
                }
                return new Report(line, fields);
            }
            System.out.println(name + ": " + line);
        }
    }

    public void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** Waits for it to exit; its exit code. */
    public int exitCode() throws InterruptedException {
        assertTrue(process.waitFor(deadline.toSeconds(), TimeUnit.SECONDS), name + " did not exit within " + deadline);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
