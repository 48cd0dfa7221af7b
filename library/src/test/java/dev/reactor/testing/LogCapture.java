package dev.reactor.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the library logs (System.Logger goes to java.util.logging by default), for a
 * test to assert on: while one is open, {@link QuietLogs} counts the records as expected and
 * keeps them out of the build log. {@code start()} in a @BeforeEach, {@code close()} in an @AfterEach.
 */
public final class LogCapture implements AutoCloseable {
    public final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger("dev.reactor");
    private final Handler handler = new Handler() {
        @Override public void publish(LogRecord record) { records.add(record); }
        @Override public void flush() { }
        @Override public void close() { }
    };

    private boolean parentHandlers;

    private LogCapture() { }

    public static LogCapture start() {
        LogCapture c = new LogCapture();
        c.parentHandlers = c.jul.getUseParentHandlers();
        c.jul.addHandler(c.handler);
        c.jul.setUseParentHandlers(false);
        QuietLogs.claim();
        return c;
    }

    /** True when a record's message contains text. */
    public boolean contains(String text) {
        return records.stream().anyMatch(r -> r.getMessage() != null && r.getMessage().contains(text));
    }

    @Override
    public void close() {
        jul.removeHandler(handler);
        jul.setUseParentHandlers(parentHandlers);
        QuietLogs.release();
    }
}
