package dev.reactor.testing;

import dev.reactor.sys.Errno;
import jnr.ffi.LibraryLoader;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real signals at one thread: SIGURG, tgkill'ed at a steady rate by a native thread of
 * native/sigstorm.c, whose handler only counts and is installed without SA_RESTART, so a signal
 * that arrives during a blocking system call makes it fail with EINTR. Loaded with jnr-ffi, so
 * it works whatever backend the reactor under test uses, on JDK 17 too. {@code make native}
 * builds native/build/libsigstorm.so; without it this fails (never skips).
 *
 * <p>Stop a storm before its target thread ends: a thread id is reused by the next thread.
 */
@LinuxOnly("tgkill and native/libsigstorm.so")
public final class SignalStorm implements AutoCloseable {
    /** native/sigstorm.c; public only because jnr generates an implementation of it. */
    public interface Lib {
        int sigstorm_sigurg();
        int sigstorm_install(int sig);
        int sigstorm_uninstall();
        long sigstorm_handled();
        int sigstorm_gettid();
        int sigstorm_start(int tid, int sig, int perSecond);
        long sigstorm_stop();
        int sigstorm_error();
    }

    /** What one storm did: signals sent, and signals the handler ran for meanwhile (fewer: a pending signal absorbs the next). */
    public record Result(long sent, long handled, long nanos) {
        public long handledPerSecond() {
            return nanos == 0 ? 0 : handled * 1_000_000_000L / nanos;
        }

        @Override public String toString() {
            return sent + " sent, " + handled + " handled in " + nanos / 1_000_000 + " ms (" + handledPerSecond() + "/s)";
        }
    }

    private static final String PROPERTY = "dev.reactor.sigstorm";
    private static Lib lib;

    private final long handledAtStart;
    private final long startNanos;
    private Result result;

    private SignalStorm(long handledAtStart, long startNanos) {
        this.handledAtStart = handledAtStart;
        this.startNanos = startNanos;
    }

    private static synchronized Lib lib() {
        if (lib == null) {
            Path so = Path.of(System.getProperty(PROPERTY, "native/build/libsigstorm.so")).toAbsolutePath();
            if (!Files.isRegularFile(so)) {
                throw new AssertionError(so + " is missing: `make native` builds it (make test does)");
            }
            lib = LibraryLoader.create(Lib.class).load(so.toString());
        }
        return lib;
    }

    /** Installs the counting SIGURG handler (without SA_RESTART) for the whole process. */
    public static void install() {
        check(lib().sigstorm_install(lib().sigstorm_sigurg()), "sigaction(SIGURG)");
    }

    /** Puts back the SIGURG action {@link #install} replaced (the default: ignore). */
    public static synchronized void uninstall() {
        if (lib == null) return;            // never loaded (install failed): nothing to put back
        check(lib().sigstorm_uninstall(), "sigaction(SIGURG, previous)");
    }

    /** The calling thread's kernel id (gettid), the one tgkill takes. */
    public static int tid() {
        return lib().sigstorm_gettid();
    }

    /** SIGURGs handled in this process so far. */
    public static long handled() {
        return lib().sigstorm_handled();
    }

    /** Starts sending SIGURG to thread tid of this process, perSecond times a second. */
    public static SignalStorm at(int tid, int perSecond) {
        SignalStorm storm = new SignalStorm(handled(), System.nanoTime());
        check(lib().sigstorm_start(tid, lib().sigstorm_sigurg(), perSecond), "sigstorm_start(tid=" + tid + ")");
        return storm;
    }

    /** Signals handled since this storm started (any thread's, but only the target is sent any). */
    public long handledSoFar() {
        return handled() - handledAtStart;
    }

    /** Stops the storm and waits for its thread; fails if a tgkill failed (the target thread was gone). */
    public Result stop() {
        if (result != null) return result;
        long sent = lib().sigstorm_stop();
        long nanos = System.nanoTime() - startNanos;
        check(sent, "sigstorm_stop");
        result = new Result(sent, handled() - handledAtStart, nanos);
        int error = lib().sigstorm_error();
        if (error != 0) throw new AssertionError("tgkill failed during the storm: " + Errno.describe(error) + " (" + result + ")");
        return result;
    }

    @Override
    public void close() {
        stop();
    }

    private static void check(long r, String what) {
        if (r < 0) throw new AssertionError(what + ": " + Errno.describe((int) -r));
    }
}
