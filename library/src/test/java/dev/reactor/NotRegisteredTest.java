package dev.reactor;

import dev.reactor.io.Fds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * One answer to "not registered": a call that needs the registration (interest, timeout on the
 * fd) throws ReactorException ENOENT naming the call and fd; one that looks up or cleans up
 * (context, ownership, deregister) returns null; send, which races with the loop, returns false.
 * The same before the fd was ever registered and after its registration ended.
 */
class NotRegisteredTest {
    @Test
    void shouldAnswerNotRegisteredTheSameWayEverywhere() throws Exception {
        int[] pipe = Fds.pipe();
        int fd = pipe[0];
        try (Reactor reactor = Reactor.open()) {
            for (String when : new String[] {"never registered", "after deregister"}) {
                assertNeedsRegistration(when, "interest(fd=" + fd + ")", () -> reactor.interest(fd, Interest.READ));
                assertNeedsRegistration(when, "timeout(fd=" + fd + ")", () -> reactor.timeout(Duration.ofMillis(1), fd));
                assertNeedsRegistration(when, "timeout(fd=" + fd + ")", () -> reactor.timeoutNanos(1, fd));
                assertNull(reactor.context(fd), when + ": context");
                assertNull(reactor.ownership(fd), when + ": ownership");
                assertNull(reactor.deregister(fd), when + ": deregister");
                assertFalse(reactor.send(fd, "message"), when + ": send");
                reactor.register(Context.of(fd, Interest.READ, (r, ev) -> { }));
                reactor.deregister(fd);
            }
            assertEquals(0, reactor.stats().messagesDropped(), "refused sends are not queued, so not dropped");
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    private static void assertNeedsRegistration(String when, String call, Executable executable) {
        ReactorException e = assertThrows(ReactorException.class, executable, when + ": " + call);
        assertEquals(Errno.ENOENT, e.errno(), when + ": " + e.getMessage());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(call, e.call());
        assertEquals(call + ": ENOENT (No such file or directory): not registered", e.getMessage());
    }
}
