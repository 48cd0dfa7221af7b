package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After close(), every operation throws IllegalStateException; close() itself can be called again. */
class ClosedReactorTest {

    @Test
    @LinuxOnly("eventfd")

    void shouldThrowIllegalStateFromEveryOperationAfterClose() throws Exception {
        int fd = Fds.eventfd();
        try {
            Reactor reactor = Reactor.open();
            reactor.register(new Recorder(fd, Interest.READ));
            reactor.close();

            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("register", () -> reactor.register(new Recorder(fd, Interest.READ)));
            calls.put("interest", () -> reactor.interest(fd, Interest.READ));
            calls.put("deregister", () -> reactor.deregister(fd));
            calls.put("close", () -> reactor.close(fd));
            calls.put("context", () -> reactor.context(fd));
            calls.put("timeout", () -> reactor.timeout(Duration.ofMillis(1), (r, id) -> { }));
            calls.put("timeout", () -> reactor.timeoutNanos(1, (r, id) -> { }));
            calls.put("timeout", () -> reactor.timeout(Duration.ofMillis(1), fd));
            calls.put("cancel", () -> reactor.cancel(1L << 32));
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
            Fds.close(fd);
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
