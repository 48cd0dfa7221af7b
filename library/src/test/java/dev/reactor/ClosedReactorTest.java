package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After close(), every operation throws IllegalStateException but the cleanup calls (deregister,
 * close(fd), context, ownership, cancel), which are harmless from any thread; close() itself can
 * be called again.
 */
class ClosedReactorTest {

    @Test
    void shouldThrowIllegalStateFromEveryOperationButCleanupAfterClose() throws Exception {
        int[] pipe = Fds.pipe();
        int fd = pipe[0];
        try {
            Reactor reactor = Reactor.open();
            reactor.register(new Recorder(fd, Interest.READ));
            reactor.close();

            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("register", () -> reactor.register(new Recorder(fd, Interest.READ)));
            calls.put("interest", () -> reactor.interest(fd, Interest.READ));
            calls.put("timeout", () -> reactor.timeout(Duration.ofMillis(1), (r, id) -> { }));
            calls.put("timeoutNanos", () -> reactor.timeoutNanos(1, (r, id) -> { }));
            calls.put("timeout(fd)", () -> reactor.timeout(Duration.ofMillis(1), fd));
            calls.put("send", () -> reactor.send(fd, "message"));
            calls.put("execute", () -> reactor.execute(() -> { }));
            calls.put("runOnce", () -> reactor.runOnce(Duration.ZERO));
            calls.put("run", reactor::run);
            for (Map.Entry<String, Executable> call : calls.entrySet()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call.getValue(), call.getKey());
                assertTrue(e.getMessage().contains("closed"), call.getKey() + ": " + e.getMessage());
            }
            assertTrue(Fds.isOpen(fd), "the user's fd stays open");
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /**
     * Cleanup in a finally block after close() never throws, on the loop thread or any other:
     * nothing is registered any more, no timer is pending, and close(fd) still closes the fd.
     */
    @Test
    void shouldLetCleanupRunHarmlesslyAfterCloseFromAnyThread() throws Exception {
        for (boolean otherThread : new boolean[] {false, true}) {
            int[] pipe = Fds.pipe();
            try {
                Reactor reactor = Reactor.open();
                reactor.register(new Recorder(pipe[0], Interest.READ));
                long timer = reactor.timeout(Duration.ofHours(1), pipe[0]);
                reactor.close();
                Executable cleanup = () -> {
                    assertNull(reactor.deregister(pipe[0]), "deregister");
                    assertNull(reactor.context(pipe[0]), "context");
                    assertNull(reactor.ownership(pipe[0]), "ownership");
                    assertFalse(reactor.cancel(timer), "cancel");
                    reactor.close(pipe[1]);                       // closes the fd, as on an open reactor
                    reactor.close(-1);
                };
                if (otherThread) {
                    AtomicReference<Throwable> failed = new AtomicReference<>();
                    Thread t = new Thread(() -> {
                        try {
                            cleanup.execute();
                        } catch (Throwable e) {
                            failed.set(e);
                        }
                    }, "cleanup");
                    t.start();
                    t.join();
                    if (failed.get() != null) throw new AssertionError("from another thread", failed.get());
                } else {
                    assertDoesNotThrow(cleanup);
                }
                // The only write end is closed: the read end sees end of stream, not "nothing yet".
                assertEquals(-1, Fds.read(pipe[0], ByteBuffer.allocateDirect(8)), "close(fd) after close() closed the write end");
            } finally {
                Fds.close(pipe[0]);
            }
        }
    }

    /**
     * close(fd) after close() never closes an fd the reactor owned a second time: its number may
     * be another file's by then (here, deterministically, a dup2 puts one there).
     */
    @Test
    void shouldNotCloseAnOwnedFdAgainAfterClose() throws Exception {
        int[] pipe = Fds.pipe();
        int[] other = Fds.pipe();
        jnr.posix.POSIX posix = jnr.posix.POSIXFactory.getNativePOSIX();
        try {
            Reactor reactor = Reactor.open();
            reactor.register(new Recorder(pipe[0], Interest.READ), Ownership.OWNED);
            reactor.close();                                   // closes pipe[0], which it owned
            assertEquals(pipe[0], posix.dup2(other[0], pipe[0]), "the number now names another file");
            reactor.close(pipe[0]);                            // a finally block's cleanup
            assertTrue(Fds.isOpen(pipe[0]), "the other file at that number was left alone");
            assertEquals(0, Fds.read(pipe[0], ByteBuffer.allocateDirect(8)),
                    "the other pipe, its write end open: nothing yet, not end of stream");
            reactor.close(pipe[1]);                            // never owned: closed as asked
        } finally {
            Fds.closeQuietly(pipe[0]);
            Fds.close(other[0]);
            Fds.close(other[1]);
        }
    }

    @Test
    void shouldNameTheCallInTheIllegalStateMessage() throws Exception {
        Reactor reactor = Reactor.open();
        reactor.close();
        assertEquals("register: reactor is closed",
                assertThrows(IllegalStateException.class, () -> reactor.register(new Recorder(0, Interest.READ))).getMessage());
        assertEquals("runOnce: reactor is closed",
                assertThrows(IllegalStateException.class, () -> reactor.runOnce(Duration.ZERO)).getMessage());
    }

    @Test
    void shouldAllowCloseTwiceAndKeepAnsweringQueries() throws Exception {
        Reactor reactor = Reactor.open();
        reactor.close();
        assertDoesNotThrow(() -> reactor.close());
        assertDoesNotThrow(() -> reactor.close());
        assertTrue(reactor.isClosed());
        assertDoesNotThrow(() -> reactor.stop(), "stop after close is a harmless no-op (shutdown paths race)");
        assertTrue(reactor.backend().startsWith(dev.reactor.testing.PollerKind.name() + "/"), reactor.backend());
        assertTrue(reactor.toString().contains("closed"), reactor.toString());
        assertEquals(0, reactor.registrations());
    }
}
