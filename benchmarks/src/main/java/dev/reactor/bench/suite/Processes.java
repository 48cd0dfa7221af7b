package dev.reactor.bench.suite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one benchmark program in its own process and returns the JSON line it printed. */
final class Processes {
    private final Path logDir;
    private final String java;
    private final List<String> jvmFlags;
    private final String jar;
    private int runs;

    Processes(Path logDir, String java, List<String> jvmFlags, String jar) {
        this.logDir = logDir;
        this.java = java;
        this.jvmFlags = jvmFlags;
        this.jar = jar;
    }

    /** The java launcher every JVM of the run uses (JMH's forks too). */
    String java() {
        return java;
    }

    List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(jar);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Runs cmd (at most timeoutSeconds); returns its last JSON line, parsed. Output goes to a log file. */
    Map<String, Object> run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = logDir.resolve(String.format("%03d.log", ++runs));
        Files.writeString(log, String.join(" ", cmd) + "\n");
        Path out = logDir.resolve(String.format("%03d.out", runs));
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException("timed out after " + timeoutSeconds + " s (" + log + ")");
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        Files.writeString(log, String.join("\n", lines) + "\n", StandardOpenOption.APPEND);
        Files.delete(out);
        if (p.exitValue() != 0) throw new IOException("exit status " + p.exitValue() + " (" + log + ")");
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{")) return Json.parseFlat(lines.get(i));
        }
        throw new IOException("no JSON result (" + log + ")");
    }
}
