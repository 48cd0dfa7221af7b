package dev.reactor.ffi.ffm;

import dev.reactor.ffi.Abi;
import dev.reactor.ffi.KeventCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** kqueue and kevent from a shared library named by path, through Panama (errno captured by the downcall). */
public final class FfmKevent implements KeventCalls {
    private final String path;
    private final MethodHandle kqueue;
    private final MethodHandle kevent;
    private final int eio;

    public FfmKevent(String path, Abi abi) {
        this.path = path;
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(Path.of(path), Arena.global());   // never unloaded
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load kqueue and kevent from " + path + ": " + e.getMessage(), e);
        }
        Linker linker = Linker.nativeLinker();
        this.kqueue = linker.downcallHandle(symbol(lib, "kqueue"), FunctionDescriptor.of(JAVA_INT), FfmLibC.ERRNO_OPTION);
        this.kevent = linker.downcallHandle(symbol(lib, "kevent"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG), FfmLibC.ERRNO_OPTION);
        this.eio = abi.eio();
    }

    private MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalArgumentException(path + " has no symbol " + name));
    }

    @Override public String keventLibrary() { return path; }

    private int r(int result, MemorySegment st) {
        if (result >= 0) return result;
        int e = FfmLibC.capturedErrno(st);
        return -(e != 0 ? e : eio);
    }

    @Override public int kqueue() {
        MemorySegment st = FfmLibC.captureState();
        try { return r((int) kqueue.invokeExact(st), st); } catch (Throwable t) { throw rethrow(t); }
    }

    @Override public int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec) {
        MemorySegment st = FfmLibC.captureState();
        try { return r((int) kevent.invokeExact(st, kq, changes, nChanges, events, nEvents, timespec), st); }
        catch (Throwable t) { throw rethrow(t); }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) return e;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
