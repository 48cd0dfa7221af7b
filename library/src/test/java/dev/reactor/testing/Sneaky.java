package dev.reactor.testing;

/**
 * Throws a checked exception from code that declares none, as Kotlin and Scala code does from a
 * Runnable or a callback: the reactor must cope with it all the same.
 */
public final class Sneaky {
    private Sneaky() { }

    /** Throws t, unchecked; declared to return so callers can write {@code throw Sneaky.raise(e)}. */
    public static RuntimeException raise(Throwable t) {
        throw Sneaky.<RuntimeException>cast(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T cast(Throwable t) throws T {
        throw (T) t;
    }
}
