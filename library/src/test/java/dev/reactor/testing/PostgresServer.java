package dev.reactor.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL server for one test class: Debian's {@code initdb} and {@code pg_ctl} (from
 * {@code /usr/lib/postgresql/<version>/bin}, or {@code PG_BINDIR}) make a cluster in a temporary
 * directory and run it on a free loopback port (IPv4 only), trust authentication, user
 * {@code postgres}. PostgreSQL refuses to run as root, so as root every command runs as the
 * {@code postgres} user through {@code runuser}. {@link #kill()} is an immediate shutdown (every
 * backend ends at once, clients see their connection drop); {@link #start()} again brings it back
 * on the same port.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    /** Stops the server and removes its directory if the JVM ends first (a test run cut short). */
    private final Thread cleanup = new Thread(this::close, "postgres-cleanup");
    private boolean closed;

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** The newest installed server's bin directory, or null. */
    public static Path binaries() {
        String env = System.getenv("PG_BINDIR");
        if (env != null) return Files.isExecutable(Path.of(env, "pg_ctl")) ? Path.of(env) : null;
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** A new cluster, started; skips the calling test (an assumption) when PostgreSQL is not installed. */
    public static PostgresServer create() throws IOException {
        Path bin = binaries();
        assumeTrue(bin != null, "PostgreSQL is not installed (apt-get install postgresql)");
        assumeTrue(!root() || Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                "running as root without runuser: PostgreSQL refuses to run as root");
        Path dir = Files.createTempDirectory("reactor-pg-");
        PostgresServer server = new PostgresServer(bin, dir, Net.freePort());
        try {
            if (root()) run(List.of("chown", "postgres:postgres", dir.toString()), dir);
            server.pg("initdb", "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "-N",
                    "-E", "UTF8", "--locale=C");
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Starts the server (again) on its port, and waits until it accepts connections. */
    public void start() throws IOException {
        pg("pg_ctl", "-D", dir.resolve("data").toString(), "-w", "-t", "120", "-l", dir.resolve("log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off -c max_connections=200",
                "start");
    }

    /** Immediate shutdown: every backend quits at once, as in a crash; the clients' connections drop. */
    public void kill() throws IOException {
        pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "-t", "120", "stop");
    }

    public int port() {
        return port;
    }

    /**
     * libpq's connection string for this server, over TCP to 127.0.0.1. Notices below ERROR stay
     * on the server: libpq prints them on stderr (the server's "terminating connection due to
     * immediate shutdown command" warning, after {@link #kill()}), where they would read like a
     * test's problem.
     */
    public String conninfo() {
        return "host=127.0.0.1 port=" + port + " " + QUIET;
    }

    /** dbname, user, and client_min_messages=error: the rest of {@link #conninfo()} after host and port. */
    public static final String QUIET = "dbname=postgres user=postgres options='-c client_min_messages=error'";

    /** The server's log so far (for a failing test's message). */
    public String log() {
        try {
            return Files.readString(dir.resolve("log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void pg(String tool, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (root()) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(Arrays.asList(args));
        run(cmd, dir);
    }

    private static void run(List<String> cmd, Path dir) throws IOException {
        Path out = Files.createTempFile("reactor-pg-cmd-", ".txt");
        try {
            // cwd /: a postgres user cannot enter the test's working directory
            Process p = new ProcessBuilder(cmd).directory(Path.of("/").toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 180 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + Files.readString(out));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Stops the server (fast shutdown, or immediate if that fails) and removes its directory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, and finds it closed
            }
        }
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                try {
                    pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "-t", "60", "stop");
                } catch (IOException e) {
                    kill();
                }
            }
        } catch (IOException e) {
            // the directory goes anyway; a server left behind would say so in its own log
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a temporary directory
            }
        }
    }
}
