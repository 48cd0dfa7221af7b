package dev.reactor.testing;

import dev.reactor.sys.Os;
import dev.reactor.ReactorException;
import dev.reactor.sys.Errno;
import dev.reactor.ffi.LibC;
import dev.reactor.io.Fds;
import jnr.constants.platform.RLIMIT;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.RLimit;

/**
 * This process, out of fds until {@link #close()}: the soft RLIMIT_NOFILE is lowered to a little
 * above the fds open now (so the cost does not depend on the machine's hard limit), then every
 * free slot below it is filled with dup()s, until dup() says EMFILE. close() closes the dups and
 * restores the limit.
 *
 * <p>While it holds, nothing in the JVM can open a file, and that includes reading a class from
 * a classpath directory: run what the test needs once before (logging, the code paths under
 * test), and assert only after close(). The exception of a call that fails for want of an fd
 * is loaded here.
 */
public final class OutOfFds implements AutoCloseable {
    private static final int NOFILE = RLIMIT.RLIMIT_NOFILE.intValue();
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private final LibC c = Os.libc();
    private final long softLimit;
    private final long hardLimit;
    private final int original;
    private final int[] dups;
    private int count;

    private OutOfFds() throws Exception {
        new ReactorException("dup", Errno.EMFILE).getMessage();   // and the message table behind it
        RLimit limit = POSIX.getrlimit(NOFILE);
        softLimit = limit.rlimCur();
        hardLimit = limit.rlimMax();
        original = Fds.eventfd();
        long low = Loop.openFds() + 64L;
        if (softLimit >= 0 && softLimit < low) low = softLimit;   // rlim_t: RLIM_INFINITY reads as -1
        dups = new int[(int) low];
        if (POSIX.setrlimit(NOFILE, low, hardLimit) != 0) {
            c.close(original);
            throw new AssertionError("setrlimit(RLIMIT_NOFILE, " + low + "): errno " + POSIX.errno());
        }
        int fd;
        while ((fd = c.dup(original)) >= 0) dups[count++] = fd;
        if (fd != -Errno.EMFILE) {
            close();
            throw new AssertionError("dup() failed with " + Errno.name(-fd) + " instead of EMFILE");
        }
    }

    /** Fills the fd table; the caller closes the result (try-with-resources). */
    public static OutOfFds exhaust() throws Exception {
        return new OutOfFds();
    }

    /** Closes n of the dups, so exactly n fds can be opened (for a call that needs a few). */
    public void free(int n) {
        for (int i = 0; i < n && count > 0; i++) c.close(dups[--count]);
    }

    /** How many dups it took. */
    public int dups() {
        return count;
    }

    @Override
    public void close() {
        for (int i = 0; i < count; i++) c.close(dups[i]);
        count = 0;
        c.close(original);
        if (POSIX.setrlimit(NOFILE, softLimit, hardLimit) != 0) {
            throw new AssertionError("could not restore RLIMIT_NOFILE to " + softLimit + ": errno " + POSIX.errno());
        }
    }
}
