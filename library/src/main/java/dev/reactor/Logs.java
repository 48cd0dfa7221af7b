package dev.reactor;

import java.util.function.Supplier;

/**
 * The library's one logger ({@code dev.reactor}, through {@link System.Logger}), made safe for
 * the paths where the process may have no fd left. Logging can need one: the JDK's default
 * backend, java.util.logging, formats a timestamp in the default time zone, and the first
 * timestamp of the process loads the zone rules from {@code lib/tzdb.dat}. At EMFILE that failed
 * with an {@code Error} out of the loop, and left the JVM's time-zone classes broken for good.
 * So the zone rules are loaded once, when the first reactor opens (fds are plentiful then), and
 * a record that still cannot be written is dropped: the loop never dies of its own logging.
 */
final class Logs {
    private Logs() { }

    private static final System.Logger LOG = System.getLogger("dev.reactor");

    static {
        // What the default formatter loads on its first record; one zone lookup, once per process.
        java.time.ZoneId.systemDefault().getRules();
    }

    /** Runs the class initializer: the zone rules are loaded by the time this returns. */
    static void prepare() { }

    static void warning(Supplier<String> message) {
        log(System.Logger.Level.WARNING, message, null);
    }

    static void warning(Supplier<String> message, Throwable thrown) {
        log(System.Logger.Level.WARNING, message, thrown);
    }

    static void error(Supplier<String> message, Throwable thrown) {
        log(System.Logger.Level.ERROR, message, thrown);
    }

    private static void log(System.Logger.Level level, Supplier<String> message, Throwable thrown) {
        try {
            if (thrown == null) LOG.log(level, message);
            else LOG.log(level, message, thrown);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable cannotLog) {
            // Out of fds (or a broken logging backend): the record is lost, the loop goes on.
        }
    }
}
