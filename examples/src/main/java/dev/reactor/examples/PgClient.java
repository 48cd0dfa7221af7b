package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL client living in a reactor's loop, on a socket that a C library made and owns:
 * libpq opens it, may replace it while connecting, and closes it. The loop only watches it.
 *
 * <ul>
 *   <li><b>Connecting</b>: PQconnectStart, then PQconnectPoll each time the socket is ready for
 *       what libpq asked (READING or WRITING). libpq may close its socket and open another while it
 *       tries the next address (a name that resolves to ::1 and 127.0.0.1, a list of hosts), often
 *       under the same number. So each step is a registration of its own: deregistered before
 *       PQconnectPoll, while the socket is still libpq's open one, and the socket that
 *       {@link Libpq#PQsocket} names afterwards registered anew. libpq ignores connect_timeout in
 *       this mode, so a reactor timer bounds the attempt.</li>
 *   <li><b>Connected</b>: non-blocking, in pipeline mode. Each query is PQsendQueryParams (text
 *       parameters) and PQpipelineSync, sent at once whatever is in flight: many queries travel
 *       together and the server answers them in order. The socket is watched for READ, and for
 *       WRITE while PQflush says output is left.</li>
 *   <li><b>Lost</b> (the server went away, or libpq failed): the reactor forgets the socket
 *       ({@link Reactor#deregister}), PQfinish frees the connection, and only then does each
 *       pending query's callback get the error; a new attempt starts after {@code retry}. When
 *       the server hangs up, libpq has already closed its socket inside the call that found out
 *       (PQconsumeInput, PQflush): the client deregisters as soon as that call returns, before any
 *       callback runs, so nothing can meet the stale number in the reactor's table. On
 *       {@link #close()} the order is the one for every foreign fd: deregister, then PQfinish
 *       closes it.</li>
 * </ul>
 * Registered {@link dev.reactor.Ownership#BORROWED}: the reactor never closes libpq's socket, not
 * even when it closes. Loop-thread only.
 */
final class PgClient {
    /** A query's outcome: its rows (each a String per column, null for SQL NULL), or an error. */
    @FunctionalInterface
    interface Reply {
        void onReply(List<String[]> rows, IOException error);
    }

    /** More queries in flight than this are refused at once, rather than queued without bound. */
    static final int MAX_IN_FLIGHT = 4096;

    private final Reactor reactor;
    private final String conninfo;
    private final Duration retry;
    private final Duration connectTimeout;
    private final Libpq pq;
    private final String unavailable;   // why libpq cannot be used at all, or null
    private final ArrayDeque<Query> pending = new ArrayDeque<>();
    private long conn;                  // PGconn *, 0 when none
    private int fd = -1;                // the socket registered for the current step or connection
    private Context registered;
    private boolean connected;
    private boolean wantWrite;
    private long connectTimer = -1;
    private boolean closed;
    private boolean drainQueued;
    private String lastProblem = "not connected yet";
    long queries;
    long connects;
    long failures;
    /** How many registrations the connection steps made (one per PQconnectPoll step). */
    long steps;

    PgClient(Reactor reactor, String conninfo, Duration retry, Duration connectTimeout) {
        this(reactor, conninfo, retry, connectTimeout, null);
    }

    /** The same on a given binding of libpq (a test's wrapper); null loads the reactor's. */
    PgClient(Reactor reactor, String conninfo, Duration retry, Duration connectTimeout, Libpq binding) {
        this.reactor = reactor;
        this.conninfo = conninfo;
        this.retry = retry;
        this.connectTimeout = connectTimeout;
        Libpq loaded = binding;
        String why = null;
        if (loaded == null) {
            try {
                loaded = Libpq.load(reactor.backend());
            } catch (UnsupportedOperationException e) {
                why = e.getMessage();
            }
        }
        this.pq = loaded;
        this.unavailable = why;
        if (why != null) lastProblem = why;
    }

    /** A query the server refused (a syntax error, a bad parameter): the connection is fine. */
    static final class QueryFailed extends IOException {
        private static final long serialVersionUID = 1L;

        QueryFailed(String message) {
            super(message);
        }
    }

    /** Starts connecting; returns at once. */
    void start() {
        connect();
    }

    /** "connected", or why not. */
    String status() {
        return connected ? "connected" : "unavailable (" + lastProblem + ")";
    }

    boolean available() {
        return connected;
    }

    /** The socket the reactor watches for this client now, or -1. */
    int socket() {
        return fd;
    }

    /** Which binding of libpq, or why there is none. */
    String binding() {
        return pq != null ? pq.describe() : unavailable;
    }

    /**
     * Sends a query with text parameters ($1, $2, ...); the reply arrives on the loop thread.
     * Fails at once, through the callback, when not connected or too busy.
     */
    void query(Reply reply, String sql, String... params) {
        if (!connected) {
            answer(reply, null, new IOException("PostgreSQL is unavailable: " + lastProblem));
            return;
        }
        if (pending.size() >= MAX_IN_FLIGHT) {
            answer(reply, null, new IOException("PostgreSQL is busy: " + MAX_IN_FLIGHT + " queries in flight"));
            return;
        }
        String nul = nul(sql, params);
        if (nul != null) {   // a C string ends at its first NUL: the server would get another query
            answer(reply, null, new QueryFailed("PostgreSQL: " + nul + " contains a NUL character"));
            return;
        }
        if (pq.PQsendQueryParams(conn, sql, params) == 0 || pq.PQpipelineSync(conn) == 0) {
            String why = message(pq.PQerrorMessage(conn));
            if (pq.PQstatus(conn) == Libpq.CONNECTION_BAD) {
                lost(why);                       // the reactor forgets the socket before any callback runs
                answer(reply, null, new IOException("PostgreSQL: " + why));
            } else {
                answer(reply, null, new QueryFailed("PostgreSQL: " + why));   // refused by libpq itself
            }
            return;
        }
        pending.add(new Query(reply));
        queries++;
        flush();
        // libpq may have read replies into its own buffer while it sent (it reads when the socket
        // is full, so as not to deadlock): the kernel then has nothing to report for them. Take
        // them after this callback, not inside the caller's query().
        if (conn != 0 && !drainQueued) {
            drainQueued = true;
            reactor.execute(() -> {
                drainQueued = false;
                if (conn != 0 && connected) {
                    drain();
                    if (conn != 0) flush();
                }
            });
        }
    }

    private static String nul(String sql, String[] params) {
        if (sql.indexOf('\0') >= 0) return "the query";
        for (int i = 0; i < params.length; i++) {
            if (params[i] != null && params[i].indexOf('\0') >= 0) return "parameter $" + (i + 1);
        }
        return null;
    }

    /** Calls a reply; one that throws is logged, and the client goes on (other queries, its own state). */
    private static void answer(Reply reply, List<String[]> rows, IOException error) {
        try {
            reply.onReply(rows, error);
        } catch (RuntimeException e) {
            System.getLogger("dev.reactor.examples").log(System.Logger.Level.WARNING, "a PostgreSQL reply callback threw", e);
        }
    }

    /** Fails what is pending, deregisters the socket, then PQfinish; no reconnect. */
    void close() {
        closed = true;
        teardown("the client was closed");
    }

    // ---- connecting ------------------------------------------------------------------------------

    private void connect() {
        // reactor closed: a retry timer may still fire in the loop's last iteration, where only cleanup works
        if (closed || conn != 0 || pq == null || reactor.isClosed()) return;
        long c = pq.PQconnectStart(conninfo);
        if (c == 0) {
            lastProblem = "PQconnectStart: out of memory";
            retryLater();
            return;
        }
        conn = c;
        if (pq.PQstatus(c) == Libpq.CONNECTION_BAD) {   // a bad conninfo, an unknown host
            failed(message(pq.PQerrorMessage(c)));
            return;
        }
        connectTimer = reactor.timeout(connectTimeout, (r, id) -> {
            connectTimer = -1;
            failed("no connection after " + connectTimeout.toMillis() + " ms");
        });
        watch(Libpq.PGRES_POLLING_WRITING);   // libpq: before the first PQconnectPoll, behave as if WRITING
    }

    /** Registers the socket libpq names now for the step it asked for. */
    private void watch(int pollingStatus) {
        int s = pq.PQsocket(conn);
        if (s < 0) {
            failed("libpq has no socket: " + message(pq.PQerrorMessage(conn)));
            return;
        }
        int interest = pollingStatus == Libpq.PGRES_POLLING_READING ? Interest.READ : Interest.WRITE;
        register(new Step(s, interest));
        steps++;
    }

    private void step() {
        // snippet: connect-step
        unregister();   // before libpq may close this socket and open another, perhaps at the same number
        int status = pq.PQconnectPoll(conn);
        switch (status) {
            case Libpq.PGRES_POLLING_READING, Libpq.PGRES_POLLING_WRITING -> watch(status);   // PQsocket again
            case Libpq.PGRES_POLLING_OK -> established();
            default -> failed(message(pq.PQerrorMessage(conn)));
        }
        // end snippet
    }

    private void established() {
        if (pq.PQsetnonblocking(conn, 1) != 0 || pq.PQenterPipelineMode(conn) != 1) {
            failed("cannot enter non-blocking pipeline mode: " + message(pq.PQerrorMessage(conn)));
            return;
        }
        if (connectTimer != -1) reactor.cancel(connectTimer);
        connectTimer = -1;
        register(new Live(pq.PQsocket(conn)));
        if (registered == null) return;          // refused: register() tore down and retries
        connected = true;
        connects++;
        lastProblem = "";
    }

    /** Connecting failed: nothing was pending (queries are refused until connected). */
    private void failed(String why) {
        failures++;
        retryLater();
        teardown(why);
    }

    private void retryLater() {
        if (!closed && !reactor.isClosed()) reactor.timeout(retry, (r, id) -> connect());
    }

    // ---- connected -------------------------------------------------------------------------------

    private void flush() {
        int f = pq.PQflush(conn);
        if (f < 0) {
            lost(message(pq.PQerrorMessage(conn)));
            return;
        }
        boolean more = f == 1;
        if (more != wantWrite) {
            wantWrite = more;
            try {
                reactor.interest(fd, more ? Interest.READ | Interest.WRITE : Interest.READ);
            } catch (IOException e) {
                lost("reactor: " + e.getMessage());
            }
        }
    }

    /**
     * Takes every result libpq has complete, matching them to pending queries in order: a query's
     * results, the NULL that ends them, then its sync point. Anything else where a sync point must
     * come means the two sides no longer agree, and the connection is dropped rather than a reply
     * given to the wrong query. Once libpq says the connection is bad, nothing more is delivered:
     * every query still pending fails.
     */
    private void drain() {
        while (conn != 0 && !pending.isEmpty()) {
            if (pq.PQstatus(conn) == Libpq.CONNECTION_BAD) break;
            if (pq.PQisBusy(conn) != 0) return;   // the rest has not arrived
            Query q = pending.peek();
            long res = pq.PQgetResult(conn);
            if (q.answered) {                      // its results ended: its sync point is next
                int status = res == 0 ? -1 : pq.PQresultStatus(res);
                if (res != 0) pq.PQclear(res);
                if (status != Libpq.PGRES_PIPELINE_SYNC) {
                    lost("expected the sync point of a pipelined query, libpq gave " + (res == 0 ? "NULL" : "status " + status));
                    return;
                }
                pending.poll();
            } else if (res == 0) {                 // the end of this query's results
                q.answered = true;
                q.deliver();
            } else {
                try {
                    q.take(res);
                } finally {
                    pq.PQclear(res);
                }
            }
        }
        if (conn != 0 && pq.PQstatus(conn) == Libpq.CONNECTION_BAD) lost(message(pq.PQerrorMessage(conn)));
    }

    private void lost(String why) {
        if (conn == 0) return;
        failures++;
        retryLater();
        teardown(why);
    }

    /**
     * Ends the connection, in the order foreign fds need: the reactor forgets the socket, then
     * libpq closes it (PQfinish); then every pending query fails with why.
     */
    private void teardown(String why) {
        // snippet: teardown
        unregister();                            // the reactor forgets the socket first,
        if (connectTimer != -1) reactor.cancel(connectTimer);
        connectTimer = -1;
        if (conn != 0) pq.PQfinish(conn);        // then libpq closes it
        conn = 0;
        // end snippet
        connected = false;
        wantWrite = false;
        lastProblem = why;
        // The state is settled before any callback runs: a reply may query (refused: not
        // connected) or close this client, and one that throws cannot leave queries unanswered.
        List<Query> failing = new ArrayList<>(pending);
        pending.clear();
        IOException error = new IOException("PostgreSQL: " + why);
        for (Query q : failing) {
            if (!q.answered) answer(q.reply, null, error);
        }
    }

    private void register(Context ctx) {
        try {
            reactor.register(ctx);               // BORROWED: libpq closes this socket, never the reactor
            fd = ctx.fd();
            registered = ctx;
        } catch (IOException e) {
            fd = -1;
            registered = null;
            failed("reactor: " + e.getMessage());
        }
    }

    private void unregister() {
        if (registered != null && reactor.context(fd) == registered) reactor.deregister(fd);
        registered = null;
        fd = -1;
    }

    private static String message(String libpqMessage) {
        if (libpqMessage == null || libpqMessage.isBlank()) return "unknown libpq error";
        return libpqMessage.strip().replaceAll("\\s+", " ");   // libpq's lines and tabs: one line
    }

    /** One query in flight: its rows or error, delivered when libpq says its results ended. */
    private final class Query {
        final Reply reply;
        final List<String[]> rows = new ArrayList<>();
        IOException error;
        boolean answered;

        Query(Reply reply) {
            this.reply = reply;
        }

        void take(long res) {
            int status = pq.PQresultStatus(res);
            if (status == Libpq.PGRES_TUPLES_OK) {
                int n = pq.PQntuples(res);
                int columns = pq.PQnfields(res);
                for (int row = 0; row < n; row++) {
                    String[] values = new String[columns];
                    for (int c = 0; c < columns; c++) values[c] = pq.PQgetvalue(res, row, c);
                    rows.add(values);
                }
            } else if (status == Libpq.PGRES_PIPELINE_ABORTED) {
                error = new QueryFailed("PostgreSQL: not run, an earlier query of its pipeline failed");
            } else if (status != Libpq.PGRES_COMMAND_OK && error == null) {
                error = new QueryFailed("PostgreSQL: " + message(pq.PQresultErrorMessage(res)));
            }
        }

        void deliver() {
            if (error != null) answer(reply, null, error);
            else answer(reply, rows, null);
        }
    }

    /** The socket during one PQconnectPoll step. */
    private final class Step implements Context {
        private final int fd;
        private final int interest;

        Step(int fd, int interest) {
            this.fd = fd;
            this.interest = interest;
        }

        @Override public int fd() { return fd; }
        @Override public int interest() { return interest; }

        @Override public void onEvent(Reactor r, int events) {
            step();   // readable, writable, or an error libpq will find and report
        }

        @Override public void onError(Reactor r, Exception error) {
            failed("while connecting: " + error);
        }
    }

    /** The connection's socket once connected. */
    private final class Live implements Context {
        private final int fd;

        Live(int fd) {
            this.fd = fd;
        }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }

        @Override public void onEvent(Reactor r, int events) {
            if ((events & Events.WRITABLE) != 0) {
                flush();                                // may read replies into libpq's buffer meanwhile
                if (conn == 0) return;
            }
            if ((events & ~Events.WRITABLE) != 0 && pq.PQconsumeInput(conn) == 0) {   // input, or a hang-up
                lost(message(pq.PQerrorMessage(conn)));   // libpq has closed its socket: forget it now
                return;
            }
            drain();                                    // after WRITABLE too: see flush()
            if (conn != 0) flush();
        }

        @Override public void onError(Reactor r, Exception error) {
            lost("callback failed: " + error);
        }
    }
}
