package dev.reactor.examples;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/**
 * The parts of PostgreSQL's C client, libpq ({@code libpq.so.5}; Debian's {@code libpq5}), that an
 * event loop needs to drive a connection without blocking: connect by polling, pipeline mode,
 * non-blocking sends, and reading results. One method per C function, pointers ({@code PGconn *},
 * {@code PGresult *}) as {@code long}, 0 for NULL; C strings become Java strings. The connection
 * and its socket belong to libpq: {@link #finish} closes the socket, so whoever registered it with
 * a reactor deregisters it first.
 *
 * <p>Two bindings, following the reactor's own FFI choice: Panama FFM on JDK 22+
 * ({@code LibpqFfm}, compiled from {@code src/main/java22}) and jffi, jnr's native layer, on JDK
 * 17+ ({@link LibpqJnr}). Loaded from {@code -Dreactor.examples.libpq=PATH}, else from the first
 * of {@link #NAMES} the dynamic linker finds.
 */
interface Libpq {
    /** Where the dynamic linker looks for libpq: Linux's soname, then macOS's (Homebrew, Postgres.app). */
    List<String> NAMES = List.of("libpq.so.5", "libpq.5.dylib", "libpq.dylib");
    /** Names the library file to load instead of {@link #NAMES}. */
    String PROPERTY = "reactor.examples.libpq";

    // ConnStatusType, PostgresPollingStatusType, ExecStatusType (libpq-fe.h, PostgreSQL 14+)
    int CONNECTION_OK = 0;
    int CONNECTION_BAD = 1;
    int PGRES_POLLING_FAILED = 0;
    int PGRES_POLLING_READING = 1;
    int PGRES_POLLING_WRITING = 2;
    int PGRES_POLLING_OK = 3;
    int PGRES_COMMAND_OK = 1;
    int PGRES_TUPLES_OK = 2;
    int PGRES_FATAL_ERROR = 7;
    int PGRES_PIPELINE_SYNC = 10;
    int PGRES_PIPELINE_ABORTED = 11;

    /** "panama" or "jnr", and the file it loaded. */
    String describe();

    long PQconnectStart(String conninfo);
    int PQstatus(long conn);
    int PQconnectPoll(long conn);
    /** The socket libpq uses now; -1 when there is none. May change after every {@link #PQconnectPoll}. */
    int PQsocket(long conn);
    String PQerrorMessage(long conn);
    int PQsetnonblocking(long conn, int arg);
    int PQenterPipelineMode(long conn);
    int PQpipelineSync(long conn);
    /** Text parameters, text results: {@code PQsendQueryParams(conn, command, n, NULL, values, NULL, NULL, 0)}. */
    int PQsendQueryParams(long conn, String command, String... params);
    int PQflush(long conn);
    int PQconsumeInput(long conn);
    int PQisBusy(long conn);
    long PQgetResult(long conn);
    int PQresultStatus(long res);
    String PQresultErrorMessage(long res);
    int PQntuples(long res);
    int PQnfields(long res);
    /** The value as text, or null for SQL NULL. */
    String PQgetvalue(long res, int row, int column);
    void PQclear(long res);
    void PQfinish(long conn);

    /**
     * libpq through the FFI the reactor uses ({@link dev.reactor.Reactor#backend()}, "POLLER/FFI":
     * "epoll/panama", "kqueue/jnr", ...; a bare "panama" or "jnr" too). Throws {@link UnsupportedOperationException} saying why when libpq is not installed
     * or has no pipeline mode (older than 14).
     */
    static Libpq load(String backend) {
        String path = System.getProperty(PROPERTY);
        List<String> names = path != null ? List.of(path) : NAMES;
        if (!backend.equals("panama") && !backend.endsWith("/panama")) return new LibpqJnr(names);
        try {
            return (Libpq) Class.forName("dev.reactor.examples.LibpqFfm")
                    .getDeclaredConstructor(List.class).newInstance(names);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException) throw (RuntimeException) e.getCause();
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnsupportedOperationException("the Panama binding of libpq is not in this build"
                    + " (examples built without JDK 22+): " + e);
        }
    }

    /** The message of a load that found none of the names. */
    static String notFound(List<String> names, String why) {
        return "cannot load libpq (tried " + String.join(", ", names) + "; -D" + PROPERTY
                + "=PATH names another): " + why + ". On Debian: apt-get install libpq5";
    }
}
