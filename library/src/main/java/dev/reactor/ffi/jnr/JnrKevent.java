package dev.reactor.ffi.jnr;

import dev.reactor.ffi.Abi;
import dev.reactor.ffi.KeventCalls;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/** kqueue and kevent from a shared library named by path, through jnr-ffi. */
public final class JnrKevent implements KeventCalls {
    /** Internal, not API: public only for jnr's generated implementation (see {@link JnrLibC.Raw}). */
    public interface Raw {
        @SaveError int kqueue();
        /** Seven arguments for six: jnr-ffi#181 corrupts the sixth of a six-argument call (see JnrLibC). */
        @SaveError int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec, long unused);
    }

    private final String path;
    private final Raw raw;
    private final jnr.ffi.Runtime runtime;
    private final int eio;

    public JnrKevent(String path, Abi abi) {
        this.path = path;
        try {
            this.raw = LibraryLoader.create(Raw.class).failImmediately().load(path);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new IllegalArgumentException("cannot load kqueue and kevent from " + path + ": " + e.getMessage(), e);
        }
        this.runtime = jnr.ffi.Runtime.getRuntime(raw);
        this.eio = abi.eio();
    }

    @Override public String keventLibrary() { return path; }

    private int r(int result) {
        if (result >= 0) return result;
        int e = runtime.getLastError();
        return -(e != 0 ? e : eio);
    }

    @Override public int kqueue() { return r(raw.kqueue()); }

    @Override public int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec) {
        return r(raw.kevent(kq, changes, nChanges, events, nEvents, timespec, 0L));
    }
}
