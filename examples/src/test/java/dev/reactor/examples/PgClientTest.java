package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;
import dev.reactor.testing.ChildJvm;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Heavy;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import dev.reactor.testing.PostgresServer;
import dev.reactor.testing.RunningLoop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libpq's own socket driven by a reactor, against a real PostgreSQL server (one per class): the
 * socket is made, replaced and closed by the C library; the loop only watches it.
 */
class PgClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws IOException {
        assumeLibpq();
        server = PostgresServer.create();
    }

    /** Skips the calling test (an assumption) when libpq cannot be loaded here, saying why. */
    static void assumeLibpq() {
        String why = null;
        try {
            Libpq.load(Loop.backend()).describe();
        } catch (UnsupportedOperationException e) {
            why = e.getMessage();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, why);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    /**
     * The reactor's libpq, watched: each socket PQsocket names (its family), and at each PQfinish
     * whether the reactor still had libpq's socket registered (it must not).
     */
    private static final class Watched implements java.lang.reflect.InvocationHandler {
        final Libpq real;
        final Reactor reactor;
        final List<String> families = new ArrayList<>();
        final List<String> finishes = new ArrayList<>();

        Watched(Reactor reactor) {
            this.reactor = reactor;
            this.real = Libpq.load(reactor.backend());
        }

        Libpq proxy() {
            return (Libpq) java.lang.reflect.Proxy.newProxyInstance(Libpq.class.getClassLoader(), new Class<?>[] {Libpq.class}, this);
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method m, Object[] args) throws Throwable {
            if (m.getName().equals("PQfinish")) {
                int s = real.PQsocket((long) args[0]);
                finishes.add(s < 0 ? "no socket" : reactor.context(s) == null ? "deregistered" : "STILL REGISTERED");
            }
            Object result;
            try {
                result = m.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
            if (m.getName().equals("PQsocket") && (int) result >= 0) {
                String family = Sockets.localAddress((int) result) instanceof InetSocketAddress a
                        ? (a.getAddress() instanceof java.net.Inet6Address ? "IPv6" : "IPv4") : "other";
                if (families.isEmpty() || !families.get(families.size() - 1).equals(family)) families.add(family);
            }
            return result;
        }
    }

    /** A reactor running on its own thread with one client on it, on a watched libpq. */
    private static final class Fixture implements AutoCloseable {
        final Reactor reactor;
        final RunningLoop loop;
        final Watched pq;
        final PgClient client;

        Fixture(String conninfo) throws IOException {
            reactor = Reactor.open();
            loop = RunningLoop.start(reactor);
            pq = loop.call(() -> new Watched(reactor));
            client = loop.call(() -> new PgClient(reactor, conninfo, Duration.ofMillis(50), Duration.ofSeconds(20), pq.proxy()));
        }

        void connect() {
            loop.run(client::start);
            Loop.await(WAIT, () -> loop.call(client::available));
        }

        /** Sends the query on the loop thread; the future completes with its reply. */
        CompletableFuture<List<String[]>> query(String sql, String... params) {
            CompletableFuture<List<String[]>> f = new CompletableFuture<>();
            loop.run(() -> client.query((rows, error) -> {
                if (error != null) f.completeExceptionally(error);
                else f.complete(rows);
            }, sql, params));
            return f;
        }

        @Override
        public void close() {
            try {
                loop.run(client::close);
                assertFalse(loop.call(() -> pq.finishes.contains("STILL REGISTERED")),
                        "PQfinish with libpq's socket still registered: " + pq.finishes);
                loop.close();
            } finally {
                reactor.close();
            }
        }
    }

    @Test
    void shouldBindLibpqThroughTheReactorsOwnFfi() throws Exception {
        try (Fixture f = new Fixture(server.conninfo())) {
            String ffi = f.reactor.backend().substring(f.reactor.backend().indexOf('/') + 1);   // "epoll/panama": panama
            String binding = f.loop.call(() -> Libpq.load(f.reactor.backend()).describe());
            assertTrue(binding.startsWith(ffi), binding + " on " + f.reactor.backend());
            f.connect();
            assertEquals("7", get(f.query("SELECT 7")).get(0)[0]);
        }
    }

    @Test
    void shouldKeepServingWhenAReplyThrowsOrClosesTheClient() throws Exception {
        try (dev.reactor.testing.LogCapture log = dev.reactor.testing.LogCapture.start();
             Fixture f = new Fixture(server.conninfo())) {
            f.connect();
            CompletableFuture<List<String[]>> after = new CompletableFuture<>();
            f.loop.run(() -> {
                f.client.query((rows, error) -> {
                    throw new IllegalStateException("a careless caller");
                }, "SELECT 1");
                f.client.query((rows, error) -> after.complete(rows), "SELECT 2");
            });
            assertEquals("2", get(after).get(0)[0], "the next query is answered");
            assertTrue(log.contains("a PostgreSQL reply callback threw"), "logged: " + log.records);
            assertTrue(f.loop.call(f.client::available));

            CompletableFuture<String> second = new CompletableFuture<>();
            f.loop.run(() -> {
                f.client.query((rows, error) -> f.client.close(), "SELECT 3");   // closes from its reply
                f.client.query((rows, error) -> second.complete(error == null ? "answered" : error.getMessage()), "SELECT 4");
            });
            assertEquals("PostgreSQL: the client was closed", get(second), "the one behind is told, not dropped");
            assertFalse(f.loop.call(f.client::available));
            assertEquals(List.of("deregistered"), f.loop.call(() -> f.pq.finishes));
        }
    }

    @Test
    void shouldDeliverRepliesThatLibpqReadWhileItWaitedToSend() throws Exception {
        // A small send buffer and large parameters: PQflush often leaves output, the socket is
        // watched for WRITE, and libpq reads replies into its own buffer while it waits; those
        // must still be delivered, though the kernel has nothing more to report for them.
        try (Fixture f = new Fixture(server.conninfo())) {
            f.connect();
            int fd = f.loop.call(f.client::socket);
            Sockets.setSendBufferSize(fd, 4096);
            String big = "x".repeat(256 * 1024);
            List<CompletableFuture<List<String[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) answers.add(f.query("SELECT length($1) + $2::int", big, String.valueOf(i)));
            for (int i = 0; i < 40; i++) assertEquals(String.valueOf(big.length() + i), get(answers.get(i)).get(0)[0]);
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static String error(CompletableFuture<?> f) throws Exception {
        try {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getMessage();
        }
        throw new AssertionError("succeeded: " + f.join());
    }

    @Test
    void shouldPipelineQueriesOnLibpqsSocketAndMatchEachAnswerToItsQuery() throws Exception {
        try (Fixture f = new Fixture(server.conninfo())) {
            f.connect();
            int fd = f.loop.call(f.client::socket);
            assertEquals(Interest.READ, f.loop.call(() -> f.reactor.context(fd)).interest());
            assertEquals(server.port(), ((InetSocketAddress) Sockets.peerAddress(fd)).getPort(), "libpq's socket, to the server");

            // 200 queries sent in one go: without pipeline mode libpq refuses the second while the
            // first is in flight ("another command is already in progress")
            List<CompletableFuture<List<String[]>>> answers = new ArrayList<>();
            f.loop.run(() -> {
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    CompletableFuture<List<String[]>> a = new CompletableFuture<>();
                    f.client.query((rows, error) -> {
                        if (error != null) a.completeExceptionally(error);
                        else a.complete(rows);
                    }, "SELECT $1::int * 2, $2::text", String.valueOf(n), "q" + n);
                    answers.add(a);
                }
            });
            for (int i = 0; i < 200; i++) {
                List<String[]> rows = get(answers.get(i));
                assertEquals(1, rows.size());
                assertArrayEquals(new String[] {String.valueOf(2 * i), "q" + i}, rows.get(0));
            }
            assertEquals(200, f.loop.call(() -> f.client.queries));
        }
    }

    @Test
    void shouldReportAFailedQueryToItsCallerOnlyAndReturnRowsAndNulls() throws Exception {
        try (Fixture f = new Fixture(server.conninfo())) {
            f.connect();
            CompletableFuture<List<String[]>> before = f.query("SELECT 'before'");
            CompletableFuture<List<String[]>> bad = f.query("SELECT 1 / $1::int", "0");
            CompletableFuture<List<String[]>> after = f.query("SELECT g, NULL::text FROM generate_series(1, 3) g");
            CompletableFuture<List<String[]>> none = f.query("SELECT 1 WHERE false");
            CompletableFuture<List<String[]>> command = f.query("SET application_name = 'reactor'");
            assertEquals("before", get(before).get(0)[0]);
            assertTrue(error(bad).contains("division by zero"), error(bad));
            List<String[]> rows = get(after);
            assertEquals(3, rows.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(String.valueOf(i + 1), rows.get(i)[0]);
                assertNull(rows.get(i)[1], "SQL NULL is null");
            }
            assertEquals(0, get(none).size());
            assertEquals(0, get(command).size());
            assertTrue(f.loop.call(f.client::available), "one failed query leaves the connection usable");
        }
    }

    @Test
    void shouldTellTheReactorBeforePQfinishClosesTheSocketAndNeverCloseItItself() throws Exception {
        FdSnapshot before = FdSnapshot.take();
        try (Fixture f = new Fixture(server.conninfo())) {
            int registrations = f.loop.call(f.reactor::registrations);
            f.connect();
            int fd = f.loop.call(f.client::socket);
            assertEquals(dev.reactor.Ownership.BORROWED, f.loop.call(() -> f.reactor.ownership(fd)), "libpq owns it");
            assertEquals(registrations + 1, f.loop.call(f.reactor::registrations));

            f.loop.run(f.client::close);
            assertEquals(List.of("deregistered"), f.loop.call(() -> f.pq.finishes), "the reactor was told before PQfinish");
            assertNull(f.loop.call(() -> f.reactor.context(fd)), "deregistered");
            assertEquals(registrations, f.loop.call(f.reactor::registrations));
            assertFalse(Fds.isOpen(fd), "PQfinish closed it");

            // No stale entry: the number, most often reused by the next fd, registers and delivers
            // that fd's events.
            int[] pipe = Fds.pipe();
            try {
                AtomicInteger seen = new AtomicInteger();
                f.loop.run(() -> f.reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> {
                    Fds.read(pipe[0], java.nio.ByteBuffer.allocateDirect(8));
                    seen.incrementAndGet();
                })));
                Fds.write(pipe[1], java.nio.ByteBuffer.wrap(new byte[] {1}));
                Loop.await(WAIT, () -> seen.get() == 1);
                f.loop.run(() -> f.reactor.deregister(pipe[0]));
            } finally {
                Fds.close(pipe[0]);
                Fds.close(pipe[1]);
            }
        }
        before.assertNoneOpened("the client, its socket and the reactor leave nothing open");
    }

    @Test
    void shouldFailPendingQueriesWhenTheServerDiesAndReconnectWhenItIsBack() throws Exception {
        try (PostgresServer own = PostgresServer.create(); Fixture f = new Fixture(own.conninfo())) {
            f.connect();
            assertEquals("1", get(f.query("SELECT 1")).get(0)[0]);
            int fd = f.loop.call(f.client::socket);
            CompletableFuture<List<String[]>> sleeping = f.query("SELECT pg_sleep(600)");
            own.kill();
            String why = error(sleeping);
            assertTrue(why.startsWith("PostgreSQL: server closed the connection unexpectedly"), why);
            Loop.await(WAIT, () -> !f.loop.call(f.client::available));
            assertTrue(f.loop.call(() -> f.reactor.context(fd) == null || f.client.socket() == fd),
                    "the dead connection's registration is gone (the number may be a reconnect attempt's)");
            String refused = error(f.query("SELECT 1"));
            assertTrue(refused.startsWith("PostgreSQL is unavailable: "), refused);
            assertTrue(f.loop.call(() -> f.client.failures) >= 1);

            own.start();
            Loop.await(WAIT, () -> f.loop.call(f.client::available));
            assertEquals("2", get(f.query("SELECT 1 + 1")).get(0)[0]);
            assertEquals(2, f.loop.call(() -> f.client.connects), "reconnected once");
        }
    }

    @Test
    void shouldFollowLibpqToItsNextSocketWhenTheFirstAddressRefuses() throws Exception {
        // The server listens on 127.0.0.1 only: libpq's first socket, to ::1, is refused, and it
        // opens another for the second host, most often at the same number. A client that kept
        // watching the first registration would wait until its connect timer failed it.
        org.junit.jupiter.api.Assumptions.assumeTrue(Net.ipv6Available(), "no IPv6 loopback here");
        String conninfo = "host=::1,127.0.0.1 port=" + server.port() + " " + PostgresServer.QUIET;
        try (Fixture f = new Fixture(conninfo)) {
            f.connect();
            int fd = f.loop.call(f.client::socket);
            InetSocketAddress peer = (InetSocketAddress) Sockets.peerAddress(fd);
            assertEquals("127.0.0.1", peer.getAddress().getHostAddress());
            assertEquals(List.of("IPv6", "IPv4"), f.loop.call(() -> f.pq.families),
                    "libpq's first socket (::1) was refused and it moved to a second (127.0.0.1)");
            assertTrue(f.loop.call(() -> f.client.steps) >= 2, "a registration per connect step");
            assertEquals("3", get(f.query("SELECT 3")).get(0)[0]);
        }
    }

    @Test
    void shouldSayWhyWhenNothingListensAndKeepRetrying() throws Exception {
        int nowhere = Net.freePort();
        try (Fixture f = new Fixture("host=127.0.0.1 port=" + nowhere + " " + PostgresServer.QUIET)) {
            f.loop.run(f.client::start);
            Loop.await(WAIT, () -> f.loop.call(() -> f.client.failures) >= 2);
            String status = f.loop.call(f.client::status);
            assertTrue(status.contains("Connection refused") || status.contains("connection refused"), status);
            String why = error(f.query("SELECT 1"));
            assertTrue(why.startsWith("PostgreSQL is unavailable: "), why);
        }
    }

    /** The name the named-host test resolves, in its own mount namespace: ::1 first, then 127.0.0.1. */
    static final String DUAL = "dual.reactor.test";

    @Test
    @Heavy
    @LinuxOnly("mount namespaces (unshare -m) to give a name its own /etc/hosts")
    void shouldConnectThroughAHostNameWhoseFirstAddressIsIpv6WhenTheServerListensOnIpv4Only() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "unshare -m and mount --bind need root");
        Process probe = new ProcessBuilder("unshare", "-m", "true").redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "unshare -m is refused here (no CAP_SYS_ADMIN: a container?)");
        org.junit.jupiter.api.Assumptions.assumeTrue(Net.ipv6Available(), "no IPv6 loopback here");
        Path hosts = Files.createTempFile("reactor-hosts-", "");
        try {
            Files.writeString(hosts, "127.0.0.1 localhost\n::1 " + DUAL + "\n127.0.0.1 " + DUAL + "\n");
            List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                    "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hosts.toString()));
            cmd.addAll(ChildJvm.command(1024, NamedHost.class, List.of("-Djava.net.preferIPv6Addresses=system")));
            cmd.add(String.valueOf(server.port()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try {
                if (!p.waitFor(3, TimeUnit.MINUTES)) p.destroyForcibly();
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("RESOLVES ::1 127.0.0.1"), "the name resolves to ::1 first: " + out);
            assertTrue(out.contains("CONNECTED peer=127.0.0.1"), out);
            assertTrue(out.contains("ANSWER 6"), out);
        } finally {
            Files.deleteIfExists(hosts);
        }
    }

    /** In the child, where {@link #DUAL} resolves to ::1 and then 127.0.0.1: connect, query, report. */
    static final class NamedHost {
        public static void main(String[] args) throws Exception {
            StringBuilder resolved = new StringBuilder("RESOLVES");
            for (InetAddress a : InetAddress.getAllByName(DUAL)) resolved.append(' ').append(a.getHostAddress().replace("0:0:0:0:0:0:0:1", "::1"));
            System.out.println(resolved);
            try (Reactor reactor = Reactor.open()) {
                PgClient client = new PgClient(reactor, "host=" + DUAL + " port=" + args[0] + " " + PostgresServer.QUIET,
                        Duration.ofMillis(50), Duration.ofSeconds(60));
                client.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!client.available() && System.nanoTime() < deadline) reactor.runOnce(Duration.ofMillis(100));
                if (!client.available()) throw new AssertionError("not connected: " + client.status());
                System.out.println("CONNECTED peer=" + ((InetSocketAddress) Sockets.peerAddress(client.socket())).getAddress().getHostAddress()
                        + " steps=" + client.steps);
                String[] answer = new String[1];
                client.query((rows, error) -> answer[0] = error != null ? error.getMessage() : rows.get(0)[0], "SELECT 2 * 3");
                while (answer[0] == null && System.nanoTime() < deadline) reactor.runOnce(Duration.ofMillis(100));
                System.out.println("ANSWER " + answer[0]);
                client.close();
            }
        }
    }
}
