package dev.reactor.examples;

import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Socket activation for real: Debian's systemd-socket-activate binds 127.0.0.1:PORT, waits for a
 * connection, then execs the HTTP example with LISTEN_FDS=1 and LISTEN_PID set; the example adopts
 * fd 3 with Reactor.listen(int, ...) instead of binding, and curl talks to it.
 */
@Heavy
@LinuxOnly("systemd-socket-activate")
class SocketActivationTest {
    @Test
    void shouldServeCurlOnTheSocketASupervisorMade() throws Exception {
        Path activate = RealClientsTest.tool("systemd-socket-activate");
        Path curl = RealClientsTest.tool("curl");
        assumeTrue(activate != null, "systemd-socket-activate is not installed (apt-get install systemd)");
        assumeTrue(curl != null, "curl is not installed (apt-get install curl)");
        File log = File.createTempFile("socket-activation", ".log");
        log.deleteOnExit();
        List<String> java = ChildJvm.command(1024, HttpServer.class);
        Process server = null;
        int port = -1;
        // systemd-socket-activate takes no port 0: a free one is picked here, and if another process
        // takes it before the supervisor binds it, the supervisor exits and the next one is tried.
        for (int attempt = 0; attempt < 5 && server == null; attempt++) {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of(activate.toString(), "-l", "127.0.0.1:" + port));
            cmd.addAll(java.subList(4, java.size()));   // the java command, without ChildJvm's bash wrapper
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
            String listening = "Listening on 127.0.0.1:" + port;
            Loop.await(Loop.DEFAULT_DEADLINE, () -> !p.isAlive() || read(log).contains(listening));
            if (p.isAlive()) server = p;
        }
        assertTrue(server != null, "systemd-socket-activate could not bind a port: " + read(log));
        try {
            String url = "http://127.0.0.1:" + port + "/hello";
            // The first connection makes systemd-socket-activate exec the JVM; curl waits in the
            // listener's queue meanwhile (it is bound and listening before any JVM starts).
            String first = run(curl.toString(), "-s", "--max-time", "60", "--retry", "5", "--retry-connrefused", url);
            assertTrue(first.startsWith("hello from "), "curl: '" + first + "'");
            String second = run(curl.toString(), "-s", "--max-time", "60", url);
            assertEquals(first, second, "the adopted listener goes on accepting");
            assertTrue(server.isAlive(), "the example still runs");
            String said = read(log);
            assertTrue(said.contains("HTTP server on http://127.0.0.1:" + port + "/hello (")
                    && said.contains("socket-activated: fd 3 'unknown'"), "it adopted fd 3, not a socket of its own: " + said);
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        Process ended = server;
        Loop.await(Loop.DEFAULT_DEADLINE, () -> !ended.isAlive());
    }

    private static String read(File f) {
        try {
            return Files.readString(f.toPath());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
