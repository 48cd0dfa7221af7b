package dev.reactor.examples;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.HeapInvocationBuffer;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link Libpq} through jffi, the native layer under jnr-ffi (JDK 17+), as the reactor's own jnr
 * kevent binding does: jnr-ffi's generated stubs corrupt the sixth argument of a six-argument call
 * (jnr-ffi#181), and PQsendQueryParams has eight. Calls of up to five arguments go through jffi's
 * primitive invokers; the eight-argument one through a heap invocation buffer. C strings are
 * copied into native memory allocated for the call and freed after it: libpq copies what it keeps.
 */
final class LibpqJnr implements Libpq {
    private static final Invoker INVOKER = Invoker.getInstance();
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Type P = Type.POINTER;
    private static final Type I = Type.SINT;

    private final String path;
    private final long connectStart, status, connectPoll, socket, errorMessage, setnonblocking, enterPipelineMode,
            pipelineSync, sendQueryParams, flush, consumeInput, isBusy, getResult, resultStatus, resultErrorMessage,
            ntuples, nfields, getvalue, getisnull, clear, finish;
    private final CallContext pOfP = context(P, P);
    private final CallContext iOfP = context(I, P);
    private final CallContext iOfPI = context(I, P, I);
    private final CallContext pOfPII = context(P, P, I, I);
    private final CallContext iOfPII = context(I, P, I, I);
    private final CallContext vOfP = context(Type.VOID, P);
    private final CallContext send = context(I, P, P, I, P, P, P, P, I);

    LibpqJnr(List<String> names) {
        Library lib = null;
        String loaded = null;
        for (String name : names) {
            lib = Library.getCachedInstance(name, Library.LAZY | Library.LOCAL);
            if (lib != null) {
                loaded = name;
                break;
            }
        }
        if (lib == null) throw new UnsupportedOperationException(Libpq.notFound(names, Library.getLastError()));
        this.path = loaded;
        connectStart = symbol(lib, "PQconnectStart");
        status = symbol(lib, "PQstatus");
        connectPoll = symbol(lib, "PQconnectPoll");
        socket = symbol(lib, "PQsocket");
        errorMessage = symbol(lib, "PQerrorMessage");
        setnonblocking = symbol(lib, "PQsetnonblocking");
        enterPipelineMode = symbol(lib, "PQenterPipelineMode");
        pipelineSync = symbol(lib, "PQpipelineSync");
        sendQueryParams = symbol(lib, "PQsendQueryParams");
        flush = symbol(lib, "PQflush");
        consumeInput = symbol(lib, "PQconsumeInput");
        isBusy = symbol(lib, "PQisBusy");
        getResult = symbol(lib, "PQgetResult");
        resultStatus = symbol(lib, "PQresultStatus");
        resultErrorMessage = symbol(lib, "PQresultErrorMessage");
        ntuples = symbol(lib, "PQntuples");
        nfields = symbol(lib, "PQnfields");
        getvalue = symbol(lib, "PQgetvalue");
        getisnull = symbol(lib, "PQgetisnull");
        clear = symbol(lib, "PQclear");
        finish = symbol(lib, "PQfinish");
    }

    private long symbol(Library lib, String name) {
        long address = lib.getSymbolAddress(name);
        if (address == 0) {
            throw new UnsupportedOperationException(path + " has no " + name
                    + (name.contains("Pipeline") ? " (pipeline mode needs libpq 14 or newer)" : ""));
        }
        return address;
    }

    private static CallContext context(Type result, Type... params) {
        return CallContext.getCallContext(result, params, CallingConvention.DEFAULT, false);
    }

    @Override public String describe() {
        return "jnr (jffi), " + path;
    }

    /** A NUL-terminated UTF-8 copy in native memory; the caller frees it. */
    private static long cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        long p = MEMORY.allocateMemory(bytes.length + 1, true);
        MEMORY.putZeroTerminatedByteArray(p, bytes, 0, bytes.length);
        return p;
    }

    private static String javaString(long p) {
        return p == 0 ? null : new String(MEMORY.getZeroTerminatedByteArray(p), StandardCharsets.UTF_8);
    }

    private int i(CallContext c, long fn, long conn) {
        return (int) INVOKER.invokeN1(c, fn, conn);
    }

    @Override public long PQconnectStart(String conninfo) {
        long s = cString(conninfo);
        try {
            return INVOKER.invokeN1(pOfP, connectStart, s);
        } finally {
            MEMORY.freeMemory(s);
        }
    }

    @Override public int PQstatus(long conn) { return i(iOfP, status, conn); }
    @Override public int PQconnectPoll(long conn) { return i(iOfP, connectPoll, conn); }
    @Override public int PQsocket(long conn) { return i(iOfP, socket, conn); }
    @Override public String PQerrorMessage(long conn) { return javaString(INVOKER.invokeN1(pOfP, errorMessage, conn)); }
    @Override public int PQsetnonblocking(long conn, int arg) { return (int) INVOKER.invokeN2(iOfPI, setnonblocking, conn, arg); }
    @Override public int PQenterPipelineMode(long conn) { return i(iOfP, enterPipelineMode, conn); }
    @Override public int PQpipelineSync(long conn) { return i(iOfP, pipelineSync, conn); }

    @Override public int PQsendQueryParams(long conn, String command, String... params) {
        long cmd = cString(command);
        long values = params.length == 0 ? 0 : MEMORY.allocateMemory(8L * params.length, true);
        try {
            for (int k = 0; k < params.length; k++) {
                if (params[k] != null) MEMORY.putAddress(values + 8L * k, cString(params[k]));   // null stays NULL
            }
            HeapInvocationBuffer b = new HeapInvocationBuffer(send);
            b.putAddress(conn);
            b.putAddress(cmd);
            b.putInt(params.length);
            b.putAddress(0);        // paramTypes: inferred by the server
            b.putAddress(values);
            b.putAddress(0);        // paramLengths: text parameters need none
            b.putAddress(0);        // paramFormats: all text
            b.putInt(0);            // resultFormat: text
            return INVOKER.invokeInt(send, sendQueryParams, b);
        } finally {
            for (int k = 0; k < params.length; k++) {
                long p = MEMORY.getAddress(values + 8L * k);
                if (p != 0) MEMORY.freeMemory(p);
            }
            if (values != 0) MEMORY.freeMemory(values);
            MEMORY.freeMemory(cmd);
        }
    }

    @Override public int PQflush(long conn) { return i(iOfP, flush, conn); }
    @Override public int PQconsumeInput(long conn) { return i(iOfP, consumeInput, conn); }
    @Override public int PQisBusy(long conn) { return i(iOfP, isBusy, conn); }
    @Override public long PQgetResult(long conn) { return INVOKER.invokeN1(pOfP, getResult, conn); }
    @Override public int PQresultStatus(long res) { return i(iOfP, resultStatus, res); }
    @Override public String PQresultErrorMessage(long res) { return javaString(INVOKER.invokeN1(pOfP, resultErrorMessage, res)); }
    @Override public int PQntuples(long res) { return i(iOfP, ntuples, res); }
    @Override public int PQnfields(long res) { return i(iOfP, nfields, res); }

    @Override public String PQgetvalue(long res, int row, int column) {
        if ((int) INVOKER.invokeN3(iOfPII, getisnull, res, row, column) != 0) return null;
        return javaString(INVOKER.invokeN3(pOfPII, getvalue, res, row, column));
    }

    @Override public void PQclear(long res) { INVOKER.invokeN1(vOfP, clear, res); }
    @Override public void PQfinish(long conn) { INVOKER.invokeN1(vOfP, finish, conn); }
}
