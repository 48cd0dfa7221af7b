package dev.reactor.examples;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link Libpq} through Panama FFM (JDK 22+), loaded with {@code SymbolLookup.libraryLookup} into
 * the global arena (libpq stays loaded for the JVM's life). Pointers travel as {@code JAVA_LONG},
 * as in the reactor's own binding (one register either way on the 64-bit ABIs); the strings a
 * call passes live in a confined arena closed when the call returns: libpq copies what it keeps.
 */
final class LibpqFfm implements Libpq {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor P_P = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor I_P = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor I_PII = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor V_P = FunctionDescriptor.ofVoid(JAVA_LONG);

    private final String path;
    private final SymbolLookup lib;
    private final MethodHandle connectStart, status, connectPoll, socket, errorMessage, setnonblocking,
            enterPipelineMode, pipelineSync, sendQueryParams, flush, consumeInput, isBusy, getResult, resultStatus,
            resultErrorMessage, ntuples, nfields, getvalue, getisnull, clear, finish;

    LibpqFfm(List<String> names) {
        SymbolLookup found = null;
        String loaded = null;
        IllegalArgumentException last = null;
        for (String name : names) {
            try {
                found = SymbolLookup.libraryLookup(name, Arena.global());
                loaded = name;
                break;
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        if (found == null) throw new UnsupportedOperationException(Libpq.notFound(names, last.getMessage()));
        this.path = loaded;
        this.lib = found;
        connectStart = handle("PQconnectStart", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        status = handle("PQstatus", I_P);
        connectPoll = handle("PQconnectPoll", I_P);
        socket = handle("PQsocket", I_P);
        errorMessage = handle("PQerrorMessage", P_P);
        setnonblocking = handle("PQsetnonblocking", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
        enterPipelineMode = handle("PQenterPipelineMode", I_P);
        pipelineSync = handle("PQpipelineSync", I_P);
        sendQueryParams = handle("PQsendQueryParams", FunctionDescriptor.of(JAVA_INT,
                JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT));
        flush = handle("PQflush", I_P);
        consumeInput = handle("PQconsumeInput", I_P);
        isBusy = handle("PQisBusy", I_P);
        getResult = handle("PQgetResult", P_P);
        resultStatus = handle("PQresultStatus", I_P);
        resultErrorMessage = handle("PQresultErrorMessage", P_P);
        ntuples = handle("PQntuples", I_P);
        nfields = handle("PQnfields", I_P);
        getvalue = handle("PQgetvalue", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT));
        getisnull = handle("PQgetisnull", I_PII);
        clear = handle("PQclear", V_P);
        finish = handle("PQfinish", V_P);
    }

    private MethodHandle handle(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsupportedOperationException(path + " has no " + name
                + (name.contains("Pipeline") ? " (pipeline mode needs libpq 14 or newer)" : "")));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    @Override public String describe() {
        return "panama, " + path;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) return e;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    private static String javaString(long p) {
        return p == 0 ? null : MemorySegment.ofAddress(p).reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static int i(MethodHandle h, long p) {
        try {
            return (int) h.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long p(MethodHandle h, long p) {
        try {
            return (long) h.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public long PQconnectStart(String conninfo) {
        try (Arena call = Arena.ofConfined()) {
            return (long) connectStart.invokeExact(call.allocateFrom(conninfo));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public int PQstatus(long conn) { return i(status, conn); }
    @Override public int PQconnectPoll(long conn) { return i(connectPoll, conn); }
    @Override public int PQsocket(long conn) { return i(socket, conn); }
    @Override public String PQerrorMessage(long conn) { return javaString(p(errorMessage, conn)); }

    @Override public int PQsetnonblocking(long conn, int arg) {
        try {
            return (int) setnonblocking.invokeExact(conn, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public int PQenterPipelineMode(long conn) { return i(enterPipelineMode, conn); }
    @Override public int PQpipelineSync(long conn) { return i(pipelineSync, conn); }

    @Override public int PQsendQueryParams(long conn, String command, String... params) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment values = params.length == 0 ? MemorySegment.NULL : call.allocate(ADDRESS, params.length);
            for (int k = 0; k < params.length; k++) {
                values.setAtIndex(ADDRESS, k, params[k] == null ? MemorySegment.NULL : call.allocateFrom(params[k]));
            }
            return (int) sendQueryParams.invokeExact(conn, call.allocateFrom(command), params.length, 0L, values, 0L, 0L, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public int PQflush(long conn) { return i(flush, conn); }
    @Override public int PQconsumeInput(long conn) { return i(consumeInput, conn); }
    @Override public int PQisBusy(long conn) { return i(isBusy, conn); }
    @Override public long PQgetResult(long conn) { return p(getResult, conn); }
    @Override public int PQresultStatus(long res) { return i(resultStatus, res); }
    @Override public String PQresultErrorMessage(long res) { return javaString(p(resultErrorMessage, res)); }
    @Override public int PQntuples(long res) { return i(ntuples, res); }
    @Override public int PQnfields(long res) { return i(nfields, res); }

    @Override public String PQgetvalue(long res, int row, int column) {
        try {
            if ((int) getisnull.invokeExact(res, row, column) != 0) return null;
            return javaString((long) getvalue.invokeExact(res, row, column));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public void PQclear(long res) {
        try {
            clear.invokeExact(res);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public void PQfinish(long conn) {
        try {
            finish.invokeExact(conn);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
