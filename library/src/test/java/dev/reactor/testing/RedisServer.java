package dev.reactor.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real redis-server on a free loopback port, for one test: started, waited for, stopped. */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The redis-server binary on PATH, or null. */
    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Skips the calling test (an assumption) only when redis-server is not installed. */
    public static RedisServer start() throws IOException {
        return start(Net.freePort());
    }

    public static RedisServer start(int port) throws IOException {
        Path bin = binary();
        assumeTrue(bin != null, "redis-server is not installed (apt-get install redis-server)");
        Process p = new ProcessBuilder(bin.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        RedisServer server = new RedisServer(p, port);
        try {
            Loop.await(Duration.ofSeconds(10), () -> !p.isAlive() || server.accepts());
        } catch (AssertionError e) {
            server.close();
            throw e;
        }
        if (!p.isAlive()) throw new IOException("redis-server exited with " + p.exitValue() + " on port " + port);
        return server;
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(address(), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
