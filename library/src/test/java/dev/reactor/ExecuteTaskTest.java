package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** execute takes a Task, which may throw: a registering lambda needs no try/catch, and a failure is logged. */
class ExecuteTaskTest {
    @Test
    void shouldRunATaskThatRegistersWithoutATryCatch() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open()) {
            Recorder ctx = new Recorder(pipe[0], Interest.READ);
            assertTrue(reactor.execute(() -> reactor.register(ctx)));     // register throws IOException
            reactor.runOnce(Duration.ZERO);
            assertSame(ctx, reactor.context(pipe[0]));
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void shouldLogAFailingTaskAndRunTheNextOne() throws Exception {
        AtomicInteger after = new AtomicInteger();
        try (Reactor reactor = Reactor.open(); LogCapture log = LogCapture.start()) {
            IOException thrown = new IOException("checked, from a task");
            Runnable plain = after::incrementAndGet;
            reactor.execute(() -> { throw thrown; });
            reactor.execute(plain::run);                                   // a Runnable, passed as r::run
            reactor.runOnce(Duration.ZERO);
            assertEquals(1, after.get(), "the loop went on to the next task");
            LogRecord record = log.records.stream().filter(r -> r.getMessage().contains("execute: task failed"))
                    .findFirst().orElse(null);
            assertNotNull(record, "logged: " + log.records);
            assertSame(thrown, record.getThrown());
        }
    }
}
