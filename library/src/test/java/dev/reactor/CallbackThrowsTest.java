package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import dev.reactor.testing.Sneaky;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of callback the reactor calls, throwing a checked Exception (sneaked past the
 * signature where it declares none, as Kotlin does) and an Error, in the same iteration as a
 * bystander's event, messages, timers and task. Nothing is lost: the bystander gets each of its
 * deliveries exactly once. Nothing leaks: the throwing callback's fds end as the contract says,
 * and after close no fd is left. An Exception never leaves the loop; an Error leaves it once and
 * the loop goes on when run again.
 */
class CallbackThrowsTest {

    /** Where the throw happens. */
    enum Kind { ON_EVENT, ON_TIMEOUT, ON_NOTIFY, ON_ERROR, TIMEOUT_HANDLER, TASK, ACCEPTED, CONNECTED, CONNECT_FAILED }

    static final class Boom extends Error {
        private static final long serialVersionUID = 1L;

        Boom(String message) { super(message); }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Kind k : Kind.values()) {
            all.add(Arguments.of(k, false));
            all.add(Arguments.of(k, true));
        }
        return all.stream();
    }

    /** Throws the case's Throwable from anywhere, declared or not. */
    private static RuntimeException boom(Kind kind, boolean error) {
        if (error) throw new Boom(kind + " (Error)");
        throw Sneaky.raise(new IOException(kind + " (checked)"));
    }

    /** Counts what it is given; drains its pipe so each write is one event. */
    static final class Bystander implements Context {
        final int fd;
        int bytes;
        int messages;
        int timeouts;

        Bystander(int fd) { this.fd = fd; }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor r, int events) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(64);
            int n;
            while ((n = Fds.read(fd, b.clear())) > 0) bytes += n;
        }
        @Override public void onTimeout(Reactor r, long id) { timeouts++; }
        @Override public void onNotify(Reactor r, Object m) { messages++; }
        @Override public void onError(Reactor r, Exception e) { throw new AssertionError("the bystander failed", e); }
    }

    /** The throwing Context of the ON_* kinds: its pipe is borrowed, so an Exception deregisters it. */
    static final class Thrower implements Context {
        final int fd;
        final Kind kind;
        final boolean error;
        int threw;
        int onErrorCalls;

        Thrower(int fd, Kind kind, boolean error) {
            this.fd = fd;
            this.kind = kind;
            this.error = error;
        }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor r, int events) throws Exception {
            Fds.read(fd, ByteBuffer.allocate(64));     // one event: the throw happens once
            threw++;
            if (kind == Kind.ON_EVENT) throw boom(kind, error);
            if (kind == Kind.ON_ERROR) throw new IOException("onEvent fails, then onError throws");
        }
        @Override public void onTimeout(Reactor r, long id) {
            threw++;
            throw boom(kind, error);
        }
        @Override public void onNotify(Reactor r, Object m) {
            threw++;
            throw boom(kind, error);
        }
        @Override public void onError(Reactor r, Exception e) {
            onErrorCalls++;
            if (kind == Kind.ON_ERROR) throw boom(kind, error);
            Context.super.onError(r, e);
        }
    }

    @ParameterizedTest(name = "{0}, Error: {1}")
    @MethodSource("cases")
    void shouldLoseNothingAndLeakNothing(Kind kind, boolean error) throws Exception {
        Net.warmUp();
        FdSnapshot before = FdSnapshot.take();
        int[] byPipe = Fds.pipe();
        int[] badPipe = Fds.pipe();
        SocketAddress address = UnixDomainSocketAddress.of(Files.createTempDirectory("throws").resolve("l"));
        int errorsOut = 0;
        Thrower thrower = null;
        int[] handlerCalls = new int[1];
        try (LogCapture log = LogCapture.start(); Reactor reactor = Reactor.open()) {
            Bystander by = new Bystander(byPipe[0]);
            reactor.register(by);
            int listener = -1;
            // The throw, set up to happen in the same iteration as everything the bystander is owed.
            switch (kind) {
                case ON_EVENT, ON_TIMEOUT, ON_NOTIFY, ON_ERROR -> {
                    thrower = new Thrower(badPipe[0], kind, error);
                    reactor.register(thrower);
                    if (kind == Kind.ON_EVENT || kind == Kind.ON_ERROR) Fds.write(badPipe[1], ByteBuffer.wrap(new byte[] {1}));
                    if (kind == Kind.ON_TIMEOUT) reactor.timeout(Duration.ZERO, badPipe[0]);
                    if (kind == Kind.ON_NOTIFY) reactor.send(badPipe[0], "bad");
                }
                case TIMEOUT_HANDLER -> reactor.timeout(Duration.ZERO, (r, id) -> { handlerCalls[0]++; throw boom(kind, error); });
                case TASK -> reactor.execute(() -> { handlerCalls[0]++; throw boom(kind, error); });
                case ACCEPTED -> {
                    listener = reactor.listen(address, (r, fd, peer) -> { handlerCalls[0]++; throw boom(kind, error); });
                    reactor.connect(address, (r, fd, peer) -> Context.of(fd, Interest.READ, (rr, ev) -> { }));
                }
                case CONNECTED -> {
                    listener = reactor.listen(address, (r, fd, peer) -> Context.of(fd, Interest.READ, (rr, ev) -> { }));
                    reactor.connect(address, (r, fd, peer) -> { handlerCalls[0]++; throw boom(kind, error); });
                }
                case CONNECT_FAILED -> reactor.connect(address, new ConnectionHandler() {   // nobody listens: ENOENT
                    @Override public Context onConnection(Reactor r, int fd, SocketAddress peer) {
                        throw new AssertionError("connected to nobody");
                    }
                    @Override public void onConnectFailed(Reactor r, SocketAddress a, IOException cause) {
                        handlerCalls[0]++;
                        throw boom(kind, error);
                    }
                });
            }
            Fds.write(byPipe[1], ByteBuffer.wrap(new byte[] {1}));
            for (int i = 0; i < 3; i++) assertTrue(reactor.send(byPipe[0], i));
            reactor.timeout(Duration.ZERO, byPipe[0]);
            reactor.timeout(Duration.ZERO, byPipe[0]);
            int[] tasks = new int[1];
            int[] handlerTimers = new int[1];
            reactor.execute(() -> tasks[0]++);
            reactor.timeout(Duration.ZERO, (r, id) -> handlerTimers[0]++);

            long deadline = System.nanoTime() + Loop.DEFAULT_DEADLINE.toNanos();
            Thrower t = thrower;
            while (!(by.bytes == 1 && by.messages == 3 && by.timeouts == 2 && tasks[0] == 1 && handlerTimers[0] == 1
                    && thrown(kind, t, handlerCalls[0]))) {
                assertTrue(System.nanoTime() < deadline, "not delivered: " + by.bytes + " bytes, " + by.messages
                        + " messages, " + by.timeouts + " timeouts, " + tasks[0] + " tasks, " + handlerTimers[0]
                        + " handler timers; thrown: " + thrown(kind, t, handlerCalls[0]));
                try {
                    reactor.runOnce(Duration.ofMillis(10));
                } catch (Boom expected) {
                    errorsOut++;
                }
            }
            for (int i = 0; i < 3; i++) reactor.runOnce(Duration.ZERO);   // and nothing more comes
            assertEquals(1, by.bytes, "bytes");
            assertEquals(3, by.messages, "messages");
            assertEquals(2, by.timeouts, "timeouts");
            assertEquals(1, tasks[0], "tasks");
            assertEquals(1, handlerTimers[0], "handler timers");
            assertEquals(error ? 1 : 0, errorsOut, "Errors out of runOnce");
            assertSame(by, reactor.context(byPipe[0]), "the bystander stays registered");

            if (thrower != null) {
                assertEquals(1, thrower.threw, "the throwing callback ran once");
                assertEquals(kind == Kind.ON_ERROR || !error ? 1 : 0, thrower.onErrorCalls, "onError calls");
                // An Exception ends the borrowed registration (deregistered, still open); an Error
                // goes up and leaves it as it was.
                assertEquals(error ? thrower : null, reactor.context(badPipe[0]), "the thrower's registration");
            } else {
                assertEquals(1, handlerCalls[0], "the handler ran once");
            }
            if (listener >= 0) assertTrue(reactor.context(listener) != null, "the listener is still listening");
            int registered = 1 + (thrower != null && reactor.context(badPipe[0]) != null ? 1 : 0)
                    + (listener >= 0 ? 1 : 0) + (kind == Kind.ACCEPTED ? 1 : 0) + (kind == Kind.CONNECTED ? 1 : 0);
            assertEquals(registered, reactor.registrations(),
                    "the bystander, the thrower if kept, the listener, the good end of a connection");
            if (!error) assertTrue(!log.records.isEmpty(), "a swallowed Exception is logged");
        } finally {
            Fds.close(byPipe[0]);
            Fds.close(byPipe[1]);
            Fds.close(badPipe[0]);
            Fds.close(badPipe[1]);
            Files.deleteIfExists(path(address));
            Files.deleteIfExists(path(address).getParent());
        }
        before.assertNoneOpened(kind + ", Error: " + error);
    }

    private static java.nio.file.Path path(SocketAddress a) {
        return ((UnixDomainSocketAddress) a).getPath();
    }

    /** The throwing callback has run (an ON_ERROR case: onError too). */
    private static boolean thrown(Kind kind, Thrower t, int handlerCalls) {
        if (t == null) return handlerCalls >= 1;
        return t.threw >= 1 && (t.error && kind != Kind.ON_ERROR || t.onErrorCalls >= 1);
    }
}
