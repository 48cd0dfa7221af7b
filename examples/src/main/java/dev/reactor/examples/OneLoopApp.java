package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.ListenOptions;
import dev.reactor.Reactor;
import dev.reactor.ReactorException;
import dev.reactor.ReactorStats;
import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.io.Sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Example (c), what {@code make run} starts: ONE reactor, on one thread, that at the same time
 * <ul>
 *   <li>serves HTTP/1.1 ({@link HttpServer}'s connections and routes),</li>
 *   <li>is a Redis client on a socket it connected itself: {@code GET /count} runs INCR and answers
 *       with the new value (503 while Redis is unavailable; it reconnects in the background),</li>
 *   <li>is a PostgreSQL client on a socket that libpq, a C library, made and owns ({@link PgClient}):
 *       {@code GET /pg?n=21} runs the parameterised query {@code SELECT $1::bigint * 2} and answers
 *       42 (503 while PostgreSQL is unavailable, or where libpq is not installed),</li>
 *   <li>watches a timerfd ticking every second and an eventfd that another thread signals:
 *       {@code GET /stats} shows both, with the loop's own counters.</li>
 * </ul>
 * Arguments: {@code [--port N] [--redis host:port] [--pg conninfo]}; environment: {@code PORT},
 * {@code REDIS_ADDR}, {@code PG_CONNINFO}. Defaults: 127.0.0.1:8080 (a free port when 8080 is
 * taken), Redis at 127.0.0.1:6379, PostgreSQL at {@value #PG_DEFAULT}.
 */
public final class OneLoopApp implements AutoCloseable {
    /** libpq's connection string when none is given: a local server over TCP, user postgres. */
    static final String PG_DEFAULT = "host=127.0.0.1 port=5432 dbname=postgres user=postgres";

    /** What to start; the defaults are {@code make run}'s. */
    static final class Options {
        InetSocketAddress http = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        /** Take a free port if http's is taken (otherwise fail). */
        boolean anyPortIfTaken = true;
        InetSocketAddress redis = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6379);
        Duration redisRetry = Duration.ofSeconds(1);
        String pg = PG_DEFAULT;
        Duration pgRetry = Duration.ofSeconds(1);
        String counterKey = "reactor:count";
        Duration tick = Duration.ofSeconds(1);
        Duration signalEvery = Duration.ofMillis(250);
    }

    private final Options options;
    private final Thread loop;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private final HttpServer.Stats http = new HttpServer.Stats();
    private volatile Reactor reactor;
    private volatile int port;
    private volatile String portNote = "";
    private RedisClient redis;
    private PgClient pg;
    private int timerFd = -1;
    private int eventFd = -1;
    private long ticks;
    private long signals;
    private long signalTotal;
    private Thread signaller;

    private OneLoopApp(Options options) {
        this.options = options;
        this.loop = new Thread(this::runLoop, "one-loop");
    }

    /** Starts the loop thread; returns once it listens (or throws why it could not). */
    static OneLoopApp start(Options options) throws IOException {
        OneLoopApp app = new OneLoopApp(options);
        app.loop.start();
        try {
            app.started.get();
        } catch (ExecutionException e) {
            app.close();
            if (e.getCause() instanceof IOException) throw (IOException) e.getCause();
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            app.close();
            throw new IOException("interrupted while starting", e);
        }
        return app;
    }

    int port() {
        return port;
    }

    Options optionsForTest() {
        return options;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    private void runLoop() {
        try (Reactor r = Reactor.open()) {
            reactor = r;
            setUp(r);
            started.complete(null);
            r.run();
        } catch (IOException | RuntimeException e) {
            started.completeExceptionally(e);
        } finally {
            // On the loop thread, if run() ended another way than close(): the reactor has
            // forgotten libpq's socket (borrowed, so still open); PQfinish closes it.
            if (pg != null) pg.close();
        }
    }

    private void setUp(Reactor r) throws IOException {
        port = listen(r);
        timerFd = Fds.timerfd(options.tick, options.tick);
        r.register(Context.of(timerFd, Interest.READ, (rr, ev) -> ticks += Fds.timerfdRead(timerFd)));
        eventFd = Fds.eventfd();
        r.register(Context.of(eventFd, Interest.READ, (rr, ev) -> {
            long n = Fds.eventfdRead(eventFd);
            if (n > 0) {
                signals++;
                signalTotal += n;
            }
        }));
        redis = new RedisClient(r, options.redis, options.redisRetry);
        redis.start();
        pg = new PgClient(r, options.pg, options.pgRetry, Duration.ofSeconds(10));
        pg.start();
        // Another thread (think: a worker, or a native library) signals the loop through the eventfd.
        signaller = new Thread(this::signal, "eventfd-signaller");
        signaller.setDaemon(true);
        signaller.start();
    }

    private int listen(Reactor r) throws IOException {
        HttpServer.Handler routes = this::route;
        ListenOptions opts = ListenOptions.defaults();
        try {
            return Sockets.localPort(r.listen(options.http, opts, (rr, fd, peer) -> new HttpConnection(fd, routes, http)));
        } catch (ReactorException e) {
            if (e.errno() != Errno.EADDRINUSE || !options.anyPortIfTaken || options.http.getPort() == 0) throw e;
            InetSocketAddress any = new InetSocketAddress(options.http.getAddress(), 0);
            int fd = r.listen(any, opts, (rr, cfd, peer) -> new HttpConnection(cfd, routes, http));
            portNote = "port " + options.http.getPort() + " is taken, so this runs on " + Sockets.localPort(fd);
            return Sockets.localPort(fd);
        }
    }

    private void signal() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(options.signalEvery.toMillis());   // the cadence of this pretend worker
                Fds.eventfdWrite(eventFd, 1);
            }
        } catch (InterruptedException | ReactorException e) {
            // stopped, or the eventfd is closed: the demo is over
        }
    }

    private void route(Reactor r, HttpRequest request, HttpResponse response) {
        switch (request.path()) {
            case "/":
                response.send(200, "text/html; charset=utf-8", index(r));
                return;
            case "/count":
                redis.call((value, error) -> {
                    if (error != null) {
                        response.send(503, HttpServer.TEXT, "503: " + error.getMessage() + ". Reconnecting every "
                                + options.redisRetry.toMillis() + " ms; everything else still works: try /stats\n");
                    } else {
                        response.send(200, HttpServer.TEXT, value + "\n");
                    }
                }, "INCR", options.counterKey);
                return;
            case "/pg": {
                String n = request.query("n") == null ? "21" : request.query("n");
                pg.query((rows, error) -> {
                    if (error instanceof PgClient.QueryFailed) {   // the server refused this query: say why
                        response.send(400, HttpServer.TEXT, "400: " + error.getMessage() + "\n");
                    } else if (error != null) {
                        response.send(503, HttpServer.TEXT, "503: " + error.getMessage() + ". Reconnecting every "
                                + options.pgRetry.toMillis() + " ms; everything else still works: try /stats\n");
                    } else {
                        response.send(200, HttpServer.TEXT, rows.get(0)[0] + "\n");
                    }
                }, "SELECT $1::bigint * 2", n);   // a bad n is PostgreSQL's to refuse: 400 with its message
                return;
            }
            case "/stats":
                response.send(200, "application/json", stats(r));
                return;
            default:
                HttpServer.basicRoutes(r, request, response);
        }
    }

    private String index(Reactor r) {
        return "<!doctype html><title>Reactor: one loop</title>"
                + "<h1>One event loop, " + r.backend() + "</h1>"
                + "<p>This page, a Redis connection, a timerfd and an eventfd are all served by one reactor thread.</p><ul>"
                + "<li><a href=\"/count\">/count</a> &mdash; INCR " + options.counterKey + " in Redis at "
                + hostPort(options.redis) + " (" + redis.status() + ")</li>"
                + "<li><a href=\"/pg?n=21\">/pg?n=21</a> &mdash; SELECT $1::bigint * 2 in PostgreSQL, through libpq's own socket ("
                + pg.status() + ")</li>"
                + "<li><a href=\"/stats\">/stats</a> &mdash; timerfd ticks, eventfd signals, HTTP and loop counters</li>"
                + "<li><a href=\"/hello\">/hello</a>, <a href=\"/echo?text=hi\">/echo?text=hi</a>, "
                + "<a href=\"/bytes?n=100\">/bytes?n=100</a></li></ul>";
    }

    private String stats(Reactor r) {
        ReactorStats s = r.stats();
        return String.format(Locale.ROOT, "{\"backend\":\"%s\",\"uptimeSeconds\":%.1f,"
                        + "\"timerfd\":{\"fd\":%d,\"ticks\":%d},"
                        + "\"eventfd\":{\"fd\":%d,\"wakeups\":%d,\"total\":%d},"
                        + "\"http\":{\"port\":%d,\"connectionsOpen\":%d,\"connectionsTotal\":%d,\"requests\":%d,"
                        + "\"responses\":%d,\"backpressurePauses\":%d},"
                        + "\"redis\":{\"address\":\"%s\",\"status\":\"%s\",\"commands\":%d,\"connects\":%d},"
                        + "\"pg\":{\"status\":\"%s\",\"queries\":%d,\"connects\":%d,\"failures\":%d,\"fd\":%d},"
                        + "\"loop\":{\"registrations\":%d,\"iterations\":%d,\"eventsDispatched\":%d,\"timersFired\":%d}}\n",
                r.backend(), (System.nanoTime() - startNanos) / 1e9,
                timerFd, ticks, eventFd, signals, signalTotal,
                port, http.connectionsOpen, http.connectionsTotal, http.requests, http.responses, http.backpressurePauses,
                hostPort(redis.address()), redis.status().replace("\"", "'"), redis.commands, redis.connects,
                json(pg.status()), pg.queries, pg.connects, pg.failures, pg.socket(),
                r.registrations(), s.iterations(), s.eventsDispatched(), s.timersFired());
    }

    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "'").replaceAll("\\p{Cntrl}", " ");
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Stops the loop (from any thread), then closes the timerfd and eventfd, which the app made. */
    @Override
    public void close() {
        if (signaller != null) signaller.interrupt();
        Reactor r = reactor;
        if (r != null) {
            // libpq's client ends on the loop thread while the reactor still holds the HTTP
            // connections: a /pg answer still pending is refused to a live connection, never
            // written to a number the release has closed. Then the loop returns and closes.
            boolean queued;
            try {
                queued = r.execute(() -> {
                    if (pg != null) pg.close();
                    r.stop();
                });
            } catch (IllegalStateException closed) {
                queued = false;
            }
            if (!queued) r.close();
        }
        try {
            loop.join(10_000);
            if (signaller != null) signaller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Fds.closeQuietly(timerFd);
        Fds.closeQuietly(eventFd);
        timerFd = eventFd = -1;
    }

    static final String USAGE = "OneLoopApp [--port N] [--redis host:port] [--pg conninfo]  (env: PORT, REDIS_ADDR, PG_CONNINFO)";

    /** The command line (and environment) as Options; a bad argument is a {@link Usage.Error} saying which. */
    static Options options(String[] args, String port, String redisAddr) {
        return options(args, port, redisAddr, null);
    }

    /** The same, with PG_CONNINFO. */
    static Options options(String[] args, String port, String redisAddr, String pgConninfo) {
        Options o = new Options();
        String portFrom = "PORT";
        String redisFrom = "REDIS_ADDR";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = args[++i];
                portFrom = "--port";
            } else if (args[i].equals("--redis") && i + 1 < args.length) {
                redisAddr = args[++i];
                redisFrom = "--redis";
            } else if (args[i].equals("--pg") && i + 1 < args.length) {
                pgConninfo = args[++i];
            } else {
                throw new Usage.Error("unexpected argument '" + args[i] + "'");
            }
        }
        if (port != null && !port.isEmpty()) {
            o.http = new InetSocketAddress(InetAddress.getLoopbackAddress(), Usage.port(portFrom, port));
            o.anyPortIfTaken = false;   // asked for this port: fail loudly if it is taken
        }
        if (redisAddr != null && !redisAddr.isEmpty()) o.redis = Usage.hostPort(redisFrom, redisAddr);
        if (pgConninfo != null && !pgConninfo.isEmpty()) o.pg = pgConninfo;
        return o;
    }

    public static void main(String[] args) throws Exception {
        Options o = null;
        try {
            o = options(args, System.getenv("PORT"), System.getenv("REDIS_ADDR"), System.getenv("PG_CONNINFO"));
        } catch (Usage.Error e) {
            Usage.exit("OneLoopApp", USAGE, e);
        }
        OneLoopApp app = start(o);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
        if (!app.portNote.isEmpty()) System.out.println(app.portNote);
        System.out.println("Reactor demo (" + app.reactor.backend() + "): open " + app.url());
        System.out.println("  " + app.url() + "count   INCR in Redis at " + hostPort(o.redis)
                + " (503 until Redis answers; retried every " + o.redisRetry.toSeconds() + " s)");
        System.out.println("  " + app.url() + "pg?n=21 SELECT $1::bigint * 2 in PostgreSQL (" + o.pg
                + "; 503 until it answers), on libpq's own socket");
        System.out.println("  " + app.url() + "stats   timerfd ticks, eventfd signals, HTTP and loop counters");
        System.out.println("Ctrl-C stops it.");
        app.loop.join();
    }
}
