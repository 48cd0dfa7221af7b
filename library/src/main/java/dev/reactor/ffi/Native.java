package dev.reactor.ffi;

import java.util.Locale;

/**
 * Chooses the {@link LibC} implementation once: Panama FFM when the JVM is 22 or newer (and the
 * classes were built), jnr-ffi otherwise. {@code -Ddev.reactor.ffi=panama|jnr|auto} forces one,
 * and so does {@link #load(String, Abi)}. One instance per backend per process, made with the
 * {@link Abi} of the first call (the OS layer's, the same every time).
 */
public final class Native {
    private Native() { }

    public static final String PROPERTY = "dev.reactor.ffi";
    private static final String PANAMA_CLASS = "dev.reactor.ffi.ffm.FfmLibC";
    private static final String BUFFER_CHECK_CLASS = "dev.reactor.ffi.ffm.ArenaBufferCheck";

    private static volatile LibC panama;
    private static volatile LibC jnr;

    /** The implementation chosen by {@code -Ddev.reactor.ffi} (default "auto"). */
    public static LibC libc(Abi abi) {
        return load(System.getProperty(PROPERTY, "auto"), abi);
    }

    /** "auto", "panama" or "jnr". Panama on a JVM older than 22 throws {@link UnsupportedOperationException}. */
    public static LibC load(String choice, Abi abi) {
        switch (canonical(choice)) {
            case "auto":
                if (panamaAvailable()) return panama(abi);
                if (Runtime.version().feature() >= 22) warnJnrOnlyJar();
                return jnr(abi);
            case "panama":
                return panama(abi);
            default:
                return jnr(abi);
        }
    }

    /**
     * A backend's name as asked for, made one of "auto", "panama" or "jnr" (any case; "ffm" is
     * "panama"), without loading anything.
     * @throws IllegalArgumentException for another name, listing the choices
     */
    public static String canonical(String choice) {
        String name = choice.toLowerCase(Locale.ROOT);
        switch (name) {
            case "auto":
            case "panama":
            case "jnr":
                return name;
            case "ffm":
                return "panama";
            default:
                throw new IllegalArgumentException("unknown FFI backend '" + choice + "' (-D" + PROPERTY
                        + " or ReactorConfig.backend: auto, panama or jnr)");
        }
    }

    private static volatile boolean jnrOnlyWarned;

    /** Said once: a JDK that could run Panama got a jar built without it (a JDK < 22 built it). */
    private static void warnJnrOnlyJar() {
        if (jnrOnlyWarned) return;
        jnrOnlyWarned = true;
        System.getLogger("dev.reactor").log(System.Logger.Level.WARNING, "this Reactor jar was built without the"
                + " Panama backend (jnr-only, on a JDK below 22): JDK " + Runtime.version().feature()
                + " runs it on jnr-ffi; rebuild with a JDK >= 22 for Panama");
    }

    /** True when this JVM can run the Panama backend and the jar contains it. */
    public static boolean panamaAvailable() {
        if (Runtime.version().feature() < 22) return false;
        return Native.class.getClassLoader().getResource(PANAMA_CLASS.replace('.', '/') + ".class") != null;
    }

    private static LibC panama(Abi abi) {
        LibC p = panama;
        if (p != null) return p;
        synchronized (Native.class) {
            if (panama == null) {
                if (Runtime.version().feature() < 22) {
                    throw new UnsupportedOperationException("the Panama FFI backend needs JDK 22 or newer; this is "
                            + Runtime.version() + " (use -D" + PROPERTY + "=jnr)");
                }
                try {
                    panama = (LibC) Class.forName(PANAMA_CLASS).getDeclaredConstructor(Abi.class).newInstance(abi);
                } catch (ClassNotFoundException e) {
                    throw new UnsupportedOperationException("the Panama FFI backend was not built into this jar "
                            + "(it needs a JDK 22+ at build time); use -D" + PROPERTY + "=jnr", e);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot load the Panama FFI backend", e);
                }
            }
            return panama;
        }
    }

    /**
     * The check of a direct buffer's memory for a backend that passes raw addresses (jnr): the
     * release-22 one when this JVM is 22+ and the jar has it (it uses no restricted method, so it
     * needs no native access), else {@link BufferCheck#NONE}.
     */
    public static BufferCheck bufferCheck() {
        if (Runtime.version().feature() < 22) return BufferCheck.NONE;
        try {
            return (BufferCheck) Class.forName(BUFFER_CHECK_CLASS).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            // Built without a JDK 22+: no Panama classes, and then no way to see an Arena either.
            return BufferCheck.NONE;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + BUFFER_CHECK_CLASS, e);
        }
    }

    private static LibC jnr(Abi abi) {
        LibC j = jnr;
        if (j != null) return j;
        synchronized (Native.class) {
            if (jnr == null) {
                try {
                    jnr = new dev.reactor.ffi.jnr.JnrLibC(abi);
                } catch (RuntimeException e) {
                    if (deniedUnsafe(e)) {
                        throw new UnsupportedOperationException("the jnr backend: jffi (jnr-ffi's native layer) uses "
                                + "sun.misc.Unsafe for memory access, which this JVM denies "
                                + "(--sun-misc-unsafe-memory-access=deny); run java with -Djffi.unsafe.disabled=true "
                                + "(jffi then uses JNI instead), or use the Panama backend (JDK 22+)", e);
                    }
                    throw e;
                }
            }
            return jnr;
        }
    }

    /**
     * kqueue and kevent from the shared library at {@code path} on the given backend ("auto",
     * "panama" or "jnr"), instead of the C library's: for a kqueue implementation of one's own,
     * such as the test emulator (native/kqueue-emu.c).
     *
     * @throws IllegalArgumentException when the library cannot be loaded or lacks either symbol
     */
    public static KeventCalls kevent(String backend, String path, Abi abi) {
        boolean panama = backend.equalsIgnoreCase("panama") || backend.equalsIgnoreCase("ffm")
                || (backend.equalsIgnoreCase("auto") && panamaAvailable());
        if (!panama) return new dev.reactor.ffi.jnr.JnrKevent(path, abi);
        try {
            return (KeventCalls) Class.forName("dev.reactor.ffi.ffm.FfmKevent")
                    .getDeclaredConstructor(String.class, Abi.class).newInstance(path, abi);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException) throw (RuntimeException) e.getCause();
            throw new IllegalStateException("cannot load the Panama kevent binding", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the Panama kevent binding", e);
        }
    }

    /** True when e was caused by sun.misc.Unsafe refusing a memory access (JEP 471's deny mode). */
    private static boolean deniedUnsafe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            StackTraceElement[] at = t.getStackTrace();
            if (t instanceof UnsupportedOperationException && at.length > 0 && at[0].getClassName().equals("sun.misc.Unsafe")) {
                return true;
            }
        }
        return false;
    }
}
