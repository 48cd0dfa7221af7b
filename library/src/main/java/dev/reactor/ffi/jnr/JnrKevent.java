package dev.reactor.ffi.jnr;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import dev.reactor.ffi.Abi;
import dev.reactor.ffi.KeventCalls;

/**
 * kqueue and kevent on the jnr backend, called through jffi (jnr-ffi's native layer) directly:
 * kevent has six arguments, and jnr-ffi's generated stub corrupts the sixth of a six-argument call
 * (jnr-ffi#181; seen here with 2.2.17 on every call, for six longs and for kevent's
 * int/pointer shape alike), while jffi's own six-argument invoker passes all six (checked the same
 * way: 100,000 calls, none wrong). Primitive arguments only, so nothing is allocated per call;
 * errno is saved by the call (the CallContext asks for it). From the process's C library, or from
 * a shared library named by path.
 */
public final class JnrKevent implements KeventCalls {
    private static final CallContext KQUEUE = CallContext.getCallContext(Type.SINT, new Type[0], CallingConvention.DEFAULT, true);
    private static final CallContext KEVENT = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.SINT, Type.POINTER, Type.SINT, Type.POINTER, Type.SINT, Type.POINTER},
            CallingConvention.DEFAULT, true);

    private final String name;
    private final long kqueue;
    private final long kevent;
    private final int noSuchCall;
    private final int eio;

    /** From the shared library at path, or with null from the symbols the process already has (its C library). */
    public JnrKevent(String path, Abi abi) {
        this.name = path == null ? "libc" : path;
        Library lib = path == null ? Library.getDefault() : Library.getCachedInstance(path, Library.LAZY | Library.LOCAL);
        if (lib == null) throw new IllegalArgumentException("cannot load kqueue and kevent from " + path + ": " + Library.getLastError());
        this.kqueue = lib.getSymbolAddress("kqueue");
        this.kevent = lib.getSymbolAddress("kevent");
        if (path != null && (kqueue == 0 || kevent == 0)) {
            throw new IllegalArgumentException(path + " has no symbol " + (kqueue == 0 ? "kqueue" : "kevent"));
        }
        this.noSuchCall = -abi.enosys();
        this.eio = abi.eio();
    }

    @Override public String keventLibrary() { return name; }

    private int r(int result) {
        if (result >= 0) return result;
        int e = LastError.getInstance().get();
        return -(e != 0 ? e : eio);
    }

    @Override public int kqueue() {
        if (kqueue == 0) return noSuchCall;     // the C library has none (Linux)
        return r(Invoker.getInstance().invokeI0(KQUEUE, kqueue));
    }

    @Override public int kevent(int kq, long changes, int nChanges, long events, int nEvents, long timespec) {
        if (kevent == 0) return noSuchCall;
        return r((int) Invoker.getInstance().invokeN6(KEVENT, kevent, kq, changes, nChanges, events, nEvents, timespec));
    }
}
