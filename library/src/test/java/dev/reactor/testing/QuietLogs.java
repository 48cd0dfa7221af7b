package dev.reactor.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Keeps a passing build quiet without hiding anything: what the library logs during a test
 * (System.Logger, which goes to java.util.logging's "dev.reactor") is held, not printed. When
 * the test fails, all of it is printed after it, for context. When it passes, what was logged
 * while a {@link LogCapture} was open is dropped (the test holding it asserts on what it
 * expects, and owns the rest of that window), and any other warning is printed: nobody expected it. Registered for every Jupiter test through
 * META-INF/services (junit.jupiter.extensions.autodetection.enabled in junit-platform.properties).
 */
public final class QuietLogs implements BeforeEachCallback, AfterEachCallback {
    private static final Logger JUL = Logger.getLogger("dev.reactor");   // held: JUL keeps loggers weakly
    private static final List<LogRecord> all = new ArrayList<>();
    private static final List<LogRecord> unclaimed = new ArrayList<>();
    private static int claims;
    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private static boolean installed;

    /** On the first test of this JVM (so a child JVM's main, which runs no test, logs as usual). */
    private static synchronized void install() {
        if (installed) return;
        installed = true;
        JUL.addHandler(new Handler() {
            @Override public void publish(LogRecord record) {
                synchronized (QuietLogs.class) {
                    all.add(record);
                    if (claims == 0) unclaimed.add(record);
                }
            }
            @Override public void flush() { }
            @Override public void close() { }
        });
        JUL.setUseParentHandlers(false);
    }

    /** A LogCapture opened: what comes now is expected, and asserted on. */
    static synchronized void claim() {
        claims++;
    }

    /** A LogCapture closed. */
    static synchronized void release() {
        claims--;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        install();
        synchronized (QuietLogs.class) {
            claims = 0;                   // a capture an earlier test never closed does not silence this one
        }
        // What was logged between tests (a loop thread of an earlier test, a class's set-up).
        print("logged outside a test", take(false), Level.WARNING);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        boolean failed = context.getExecutionException().isPresent();
        print((failed ? "logged by the failed test " : "logged unexpectedly by ") + context.getDisplayName(),
                take(failed), failed ? Level.ALL : Level.WARNING);
    }

    private static synchronized List<LogRecord> take(boolean everything) {
        List<LogRecord> records = new ArrayList<>(everything ? all : unclaimed);
        all.clear();
        unclaimed.clear();
        return records;
    }

    private static void print(String what, List<LogRecord> records, Level atLeast) {
        StringBuilder out = new StringBuilder();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() >= atLeast.intValue()) out.append(FORMAT.format(r));
        }
        if (out.length() > 0) System.err.print("-- " + what + ":\n" + out);
    }
}
