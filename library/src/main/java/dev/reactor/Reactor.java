package dev.reactor;

import dev.reactor.ffi.LibC;
import dev.reactor.ffi.Native;
import dev.reactor.sys.Os;
import dev.reactor.sys.Poller;
import dev.reactor.sys.Pollers;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One event loop over one epoll (Linux) or kqueue (macOS/BSD) instance, dispatching each ready
 * fd to its {@link Context}. Every method is for the loop thread, except {@link #send},
 * {@link #execute}, {@link #stop} and {@link #close}, which are safe from any thread. A
 * loop-only method called from another thread throws {@link IllegalStateException}.
 *
 * <p><b>Ownership:</b> the loop thread is the thread that opened the reactor until a
 * {@link #run()} or {@link #runOnce} starts, then the thread that last ran it; once that thread
 * has ended, the next thread to make a loop-only call takes over (after {@code loop.join()},
 * main may clean up). Once the reactor is closed, the cleanup calls — {@link #deregister},
 * {@link #close(int)}, {@link #context}, {@link #ownership}, {@link #cancel} — never throw, from
 * any thread, so they are safe in {@code finally} blocks (while a close from a callback is still
 * pending, only the loop thread may make them).
 *
 * <p><b>An fd with no registration:</b> a call that needs one ({@link #interest},
 * {@link #timeout(Duration, int)}) throws {@link ReactorException} with errno ENOENT,
 * {@code interest(fd=7): ENOENT (No such file or directory): not registered}; a lookup or cleanup
 * ({@link #context}, {@link #ownership}, {@link #deregister}) returns null; {@link #send}, which
 * races with the loop, returns false, and a message whose registration ends before delivery is
 * dropped and counted ({@link ReactorStats#messagesDropped()}).
 */
public final class Reactor implements AutoCloseable {
    private static final VarHandle BLOCKED;
    static {
        try {
            BLOCKED = MethodHandles.lookup().findVarHandle(Reactor.class, "blocked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReactorConfig config;
    private final LibC libc;
    private final Poller poller;
    private final FdTable table;
    private final Timers timers = new Timers();
    private final Mailbox mailbox;
    private final ReactorStats stats = new ReactorStats();
    private final Deliveries deliveries;
    private final long spinForNanos;
    private final String backend;

    private volatile Thread owner;
    private volatile boolean running;
    private volatile boolean stopRequested;
    private volatile boolean closeRequested;
    private volatile boolean closed;
    /**
     * Guards the lifecycle (running, closed) and every use of the poller's fds outside poll():
     * close() from another thread may release the poller whenever the loop is not running, so a
     * registration made meanwhile on the loop thread must finish first, or see the reactor closed.
     * It must never reach an epoll fd already closed (its number may be someone else's by then).
     */
    private final Object lifecycle = new Object();
    /** 1 while the loop is (about to be) blocked in the kernel: a sender must then wake it. */
    @SuppressWarnings("unused") private volatile int blocked;
    private long lastWorkNanos;
    /** An unreachable registration reported: rebuild the kernel set before the next poll. */
    private boolean rebuildPending;
    private boolean rebuildRefusedLogged;
    /** The batch the last poll returned: events [batchNext, batchEnd) are not dispatched yet. */
    private int batchNext;
    private int batchEnd;

    /**
     * The backend asked for, which must be the JVM's ({@code -Ddev.reactor.ffi}): Fds and
     * Sockets, which the loop itself uses for sockets, hold that one, and a reactor on another
     * would make every read, accept and connect on a backend other than the one it names.
     */
    private static LibC sameBackendAsFds(String asked) {
        LibC jvm = Os.libcOrNull();
        if (jvm == null) throw Os.libcFailure();
        String name = Native.canonical(asked);                     // an unknown name throws, listing the choices
        if (name.equals("auto")) return jvm;                      // whatever this JVM runs
        if (!name.equals(jvm.name())) {
            // Compared by name, before anything loads: the other backend is never loaded to be refused.
            throw new IllegalArgumentException("ReactorConfig.backend(\"" + asked + "\"): this JVM's FFI backend is "
                    + jvm.name() + " (-D" + Native.PROPERTY + "=" + System.getProperty(Native.PROPERTY, "auto")
                    + "), which Fds and Sockets use; one JVM runs one backend: set -D" + Native.PROPERTY + "="
                    + name + " instead");
        }
        return jvm;
    }

    private Reactor(ReactorConfig config) throws IOException {
        Logs.prepare();                     // while fds are plentiful: see Logs
        this.config = config;
        this.libc = sameBackendAsFds(config.backend());
        this.table = new FdTable(config.initialFds());
        this.mailbox = new Mailbox(config.queueCapacity());
        this.deliveries = new Deliveries(this, table, timers, mailbox, stats);
        // Last: nothing after it can fail and leave its fds open.
        this.poller = Pollers.open(libc, config.backend(), config.maxEvents(), config.poller(), config.kqueueLibrary(),
                config.kqueueAbi());
        this.spinForNanos = config.idleStrategy().spinForNanos();
        this.backend = poller.name() + "/" + libc.name();
        this.owner = Thread.currentThread();
    }

    /**
     * A reactor with {@link ReactorConfig#defaults()}; see {@link #open(ReactorConfig)}.
     *
     * @return an open reactor, whose loop thread is the calling thread until {@link #run()}
     * @throws IOException a {@link ReactorException} when the poller cannot be made (e.g. EMFILE)
     */
    public static Reactor open() throws IOException {
        return open(ReactorConfig.defaults());
    }

    /**
     * Opens the poller (an epoll fd, an eventfd for wakeups and, where the kernel lacks
     * epoll_pwait2, a timerfd) and loads the FFI backend the config asks for. On failure nothing
     * is left open. The calling thread is the loop thread until {@link #run()} or
     * {@link #runOnce} is called from another.
     *
     * @param config the configuration; {@link ReactorConfig#defaults()} for the defaults
     * @return an open reactor
     * @throws IOException a {@link ReactorException} with errno when a system call fails (EMFILE,
     *         ENFILE, ENOMEM)
     * @throws IllegalArgumentException if the backend is none of "auto", "panama", "jnr", or not
     *         this JVM's ({@code -Ddev.reactor.ffi}: one JVM runs one backend), the poller none of
     *         "auto", "epoll", "kqueue", or the kqueue library cannot be loaded
     * @throws UnsupportedOperationException if "panama" is asked for on a JDK older than 22, or
     *         the OS or CPU has no poller (epoll on Linux x86_64 and aarch64; kqueue on macOS and
     *         FreeBSD, or from a kqueue library)
     */
    public static Reactor open(ReactorConfig config) throws IOException {
        return new Reactor(Objects.requireNonNull(config, "config"));
    }

    // ---- registration ---------------------------------------------------------------------

    /**
     * Watch ctx.fd() for ctx.interest(), {@link Ownership#BORROWED}: the reactor never closes the
     * fd on its own. Throws if the fd is already registered, invalid, or not pollable. Loop thread only.
     *
     * @param ctx the Context to call; its fd() and interest() are read once, here
     * @throws IOException a {@link ReactorException}: EEXIST if the fd is registered already, EBADF
     *         if it is negative or not open, EINVAL for interest bits without READ or WRITE, EPERM
     *         for an fd epoll cannot watch (a regular file), ENOSPC or ENOMEM past the kernel's limits
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public void register(Context ctx) throws IOException {
        register(ctx, Ownership.BORROWED);
    }

    /**
     * Watch ctx.fd() for ctx.interest(); {@link Ownership#OWNED} hands the fd to the reactor, which
     * then closes it on every path that ends the registration except {@link #deregister}. Loop
     * thread only. If this throws, the fd is not registered, and not closed either, whatever the ownership.
     *
     * @param ctx the Context to call; its fd() and interest() are read once, here
     * @param ownership who closes the fd
     * @throws IOException a {@link ReactorException}, as for {@link #register(Context)}
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public void register(Context ctx, Ownership ownership) throws IOException {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(ownership, "ownership");
        checkLoop("register");
        int fd = ctx.fd();
        int interest = ctx.interest();
        if (fd < 0) throw new ReactorException("register(fd=" + fd + ")", Errno.EBADF);
        checkInterest("register", fd, interest);
        synchronized (lifecycle) {
            checkLoop("register");
            Context existing = table.get(fd);
            if (existing != null) {
                throw new ReactorException("register(fd=" + fd + ")", Errno.EEXIST, "already registered to " + existing);
            }
            int generation = table.newGeneration();
            poller.add(fd, token(fd, generation), interest);
            table.put(fd, ctx, generation, interest, ownership == Ownership.OWNED);
        }
    }

    /**
     * Who closes fd. Loop thread only.
     *
     * @param fd a file descriptor
     * @return {@link Ownership#OWNED} or {@link Ownership#BORROWED}; null when it is not registered
     *         (always, once the reactor is closed)
     * @throws IllegalStateException if called off the loop thread while the reactor is open
     */
    public Ownership ownership(int fd) {
        if (closed) return null;
        checkThread("ownership");
        if (table.get(fd) == null) return null;
        return table.owned(fd) ? Ownership.OWNED : Ownership.BORROWED;
    }

    /**
     * Every path that ends a registration comes through here: its pending timers go with it (a
     * long timeout on a short-lived connection must not sit in the heap until it expires).
     * Messages already queued are dropped when they come up (the queue is bounded).
     */
    private Context ended(int fd) {
        stats.timersDropped += timers.cancelFd(fd, table.generation(fd));
        return table.remove(fd);
    }

    /** The registration on fd becomes owned (a handler registered an accepted socket itself). */
    void adopt(int fd) {
        table.setOwned(fd);
    }

    /**
     * Replace the interest set of a registered fd ({@link Interest} bits); also re-arms ONESHOT.
     * 0 mutes it: the Context is not dispatched at all until unmuted, even if the fd hangs up or
     * fails meanwhile (epoll reports HUP and ERR whatever the interest, so a muted fd is armed
     * ONESHOT with no events: the kernel disarms it after at most one report, which the loop
     * drops). If the fd was closed behind the reactor's back, the kernel has forgotten it: this
     * throws ENOENT (or EBADF) and removes the registration, without closing the number, which
     * may belong to another file by now; it never attaches a new file to the old Context. Loop
     * thread only.
     *
     * @param fd a registered file descriptor
     * @param interest {@link Interest} bits (READ and/or WRITE, plus EDGE, ONESHOT), or 0 to mute
     * @throws IOException a {@link ReactorException}: ENOENT if fd is not registered, EINVAL for
     *         bad bits, ENOENT or EBADF if the fd was closed while registered
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public void interest(int fd, int interest) throws IOException {
        checkLoop("interest");
        if (interest != 0) checkInterest("interest", fd, interest);
        synchronized (lifecycle) {
            checkLoop("interest");
            if (table.get(fd) == null) {
                throw new ReactorException("interest(fd=" + fd + ")", Errno.ENOENT, "not registered");
            }
            try {
                poller.modify(fd, token(fd, table.generation(fd)), table.interest(fd), interest);
            } catch (ReactorException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.EBADF) throw e;
                Context gone = ended(fd);
                ReactorException closed = new ReactorException("interest(fd=" + fd + ")", e.errno(),
                        e.call() + " finds the fd closed while registered to " + gone + " (deregister before"
                        + " you close); the registration is removed, the fd number left alone");
                closed.initCause(e);
                throw closed;
            }
            table.setInterest(fd, interest);
        }
    }

    /**
     * Stop watching fd; the fd stays open, even an {@link Ownership#OWNED} one, which is handed
     * back to the caller (who closes it from then on). Pending timers and messages for this
     * registration are dropped. Loop thread only; works in a callback while a {@link #close()} is
     * pending.
     *
     * Once the reactor is closed nothing is registered: it returns null, from any thread, so it
     * is safe in a {@code finally} block.
     *
     * @param fd a file descriptor
     * @return the Context it was registered with, or null if it was not registered
     * @throws IllegalStateException if called off the loop thread while the reactor is open
     */
    public Context deregister(int fd) {
        if (closed) return null;
        checkThread("deregister");
        synchronized (lifecycle) {
            if (closed) return null;
            Context ctx = table.get(fd);
            if (ctx == null) return null;
            // ENOENT/EBADF: the fd was closed behind our back, and epoll forgot it already.
            poller.delete(fd, token(fd, table.generation(fd)), table.interest(fd));
            ended(fd);
            return ctx;
        }
    }

    /**
     * Deregister, then close the fd, owned or borrowed; an fd that is not registered is closed
     * too, a negative one ignored. A failing close(2) is not reported. Loop thread only; works in
     * a callback while a {@link #close()} is pending. Once the reactor is closed it still closes
     * the fd, from any thread, and never throws: safe in a {@code finally} block. An fd the reactor
     * owned when it closed was closed then, and is not closed again (its number may be another
     * file's by now).
     *
     * @param fd the file descriptor to close
     * @throws IllegalStateException if called off the loop thread while the reactor is open
     */
    public void close(int fd) {
        if (fd < 0) return;
        if (!closed) checkThread("close");
        synchronized (lifecycle) {                        // a release in progress finishes first
            if (closed) {
                if (!closedAtRelease.get(fd)) libc.close(fd);
                return;
            }
            deregister(fd);
            libc.close(fd);
        }
    }

    /**
     * The Context registered on fd. Loop thread only.
     *
     * @param fd a file descriptor
     * @return its Context, or null when it is not registered (always, once the reactor is closed)
     * @throws IllegalStateException if called off the loop thread while the reactor is open
     */
    public Context context(int fd) {
        if (closed) return null;
        checkThread("context");
        return table.get(fd);
    }

    /** {@return how many fds are registered} Exact on the loop thread; from another it may lag. */
    public int registrations() {
        return table.size();
    }

    private static long token(int fd, int generation) {
        return ((long) generation << 32) | (fd & 0xFFFF_FFFFL);
    }

    private static void checkInterest(String call, int fd, int interest) throws ReactorException {
        if ((interest & ~Interest.ALL) != 0 || (interest & (Interest.READ | Interest.WRITE | Interest.PRIORITY)) == 0) {
            throw new ReactorException(call + "(fd=" + fd + ", interest=0x" + Integer.toHexString(interest) + ")",
                    Errno.EINVAL, "interest needs READ, WRITE and/or PRIORITY, plus optional EDGE|ONESHOT; got "
                    + Interest.toString(interest));
        }
    }

    // ---- networking: listen and connect hand sockets to one Context-creating closure --------

    /**
     * Bind and listen (TCP for an {@link java.net.InetSocketAddress}, IPv4 or IPv6; Unix for a
     * {@link java.net.UnixDomainSocketAddress}) with {@link ListenOptions#defaults()}. Each accepted
     * fd goes to onAccept, whose Context is registered. Returns the listening fd; close it with
     * {@link #close(int)}. The listening and accepted sockets are closed by {@link #close()}.
     *
     * @param address where to listen; port 0 picks a free port ({@link dev.reactor.io.Sockets#localPort} says which)
     * @param onAccept makes the Context of each accepted connection, on the loop thread
     * @return the listening fd, registered and {@link Ownership#OWNED}
     * @throws IOException a {@link ReactorException}, as for {@link #listen(SocketAddress, ListenOptions, ConnectionHandler)}
     * @throws IllegalArgumentException as for {@link #listen(SocketAddress, ListenOptions, ConnectionHandler)}
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public int listen(SocketAddress address, ConnectionHandler onAccept) throws IOException {
        return listen(address, ListenOptions.defaults(), onAccept);
    }

    /**
     * Bind and listen as {@link #listen(SocketAddress, ConnectionHandler)} does, with options:
     * backlog, SO_REUSEPORT, TCP_NODELAY on accepted sockets, accepts per readiness, and the pause
     * when out of fds. SO_REUSEADDR is always set on TCP listeners. If this throws, no fd is left open.
     *
     * @param address an {@link java.net.InetSocketAddress} (resolved) or a {@link java.net.UnixDomainSocketAddress}
     * @param options how to set the socket up
     * @param onAccept makes the Context of each accepted connection, on the loop thread
     * @return the listening fd, registered and {@link Ownership#OWNED}
     * @throws IOException a {@link ReactorException} naming the failed call: EADDRINUSE or EACCES
     *         from bind, EMFILE from socket, ENAMETOOLONG for a Unix path too long for sun_path
     * @throws IllegalArgumentException for an unresolved address or another kind of SocketAddress
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public int listen(SocketAddress address, ListenOptions options, ConnectionHandler onAccept) throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onAccept, "onAccept");
        checkLoop("listen");
        return Acceptor.listen(this, address, options, onAccept);
    }

    /**
     * Adopt a socket that is listening already — one handed over by a supervisor (systemd's
     * socket activation: {@link dev.reactor.io.Sockets#inherited()}), by another
     * process over a Unix socket, or made by another library — with {@link ListenOptions#defaults()}.
     * Each accepted connection goes to onAccept, as for {@link #listen(SocketAddress, ConnectionHandler)}.
     * The socket is made non-blocking and close-on-exec, and registered {@link Ownership#OWNED}:
     * {@link #close()} closes it.
     *
     * @param fd a listening stream socket (TCP or Unix)
     * @param onAccept makes the Context of each accepted connection, on the loop thread
     * @return fd
     * @throws IOException a {@link ReactorException}: ENOTSOCK for an fd that is not a socket,
     *         EINVAL for one that is not listening or not a stream socket, EBADF for one not open,
     *         EEXIST if it is registered already; the fd is then left open, as it was
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public int listen(int fd, ConnectionHandler onAccept) throws IOException {
        return listen(fd, ListenOptions.defaults(), onAccept);
    }

    /**
     * {@link #listen(int, ConnectionHandler)} with options; the backlog and SO_REUSEPORT were
     * decided by whoever made the socket, so only TCP_NODELAY, the accept batch and the EMFILE
     * pause apply.
     *
     * @param fd a listening stream socket (TCP or Unix)
     * @param options TCP_NODELAY on accepted sockets, accepts per readiness, the pause when out of fds
     * @param onAccept makes the Context of each accepted connection, on the loop thread
     * @return fd
     * @throws IOException as {@link #listen(int, ConnectionHandler)}
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public int listen(int fd, ListenOptions options, ConnectionHandler onAccept) throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onAccept, "onAccept");
        checkLoop("listen");
        return Acceptor.adopt(this, fd, options, onAccept);
    }

    /**
     * Non-blocking connect with {@link ConnectOptions#defaults()} (30 s timeout). When it completes,
     * onConnect creates the Context (registered for you); a failure (refused, unreachable, timed
     * out) goes to {@link ConnectionHandler#onConnectFailed} with the fd already closed. Neither
     * runs inside this call. Returns the connecting fd.
     *
     * @param address an {@link java.net.InetSocketAddress} (resolved) or a {@link java.net.UnixDomainSocketAddress}
     * @param onConnect makes the Context once connected, or hears why not
     * @return the connecting fd, registered and {@link Ownership#OWNED}
     * @throws IOException a {@link ReactorException} when the socket cannot be made or registered
     *         (EMFILE); whatever connect(2) itself fails with (ECONNREFUSED, ENETUNREACH, a Unix path
     *         too long) goes to onConnectFailed instead
     * @throws IllegalArgumentException for an unresolved address or another kind of SocketAddress
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public int connect(SocketAddress address, ConnectionHandler onConnect) throws IOException {
        return connect(address, ConnectOptions.defaults(), onConnect);
    }

    /**
     * Non-blocking connect as {@link #connect(SocketAddress, ConnectionHandler)} does, with a
     * timeout of its own ({@link Duration#ZERO}: none but the kernel's) and TCP_NODELAY as asked.
     *
     * @param address an {@link java.net.InetSocketAddress} (resolved) or a {@link java.net.UnixDomainSocketAddress}
     * @param options timeout and TCP_NODELAY
     * @param onConnect makes the Context once connected, or hears why not
     * @return the connecting fd, registered and {@link Ownership#OWNED}
     * @throws IOException a {@link ReactorException}, as for {@link #connect(SocketAddress, ConnectionHandler)}
     * @throws IllegalArgumentException for an unresolved address or another kind of SocketAddress
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public int connect(SocketAddress address, ConnectOptions options, ConnectionHandler onConnect) throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onConnect, "onConnect");
        checkLoop("connect");
        return Connector.connect(this, address, options, onConnect);
    }

    // ---- timers ----------------------------------------------------------------------------

    /**
     * Run handler on the loop thread once delay has passed: never early, in deadline order.
     * Loop thread only.
     *
     * @param delay how long from now; a delay too long to count in nanoseconds never fires
     * @param handler what to run; if it throws, that is logged and the loop goes on
     * @return the timer's id, for {@link #cancel(long)}
     * @throws IllegalArgumentException if delay is negative
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public long timeout(Duration delay, TimeoutHandler handler) {
        return timeoutNanos(Timers.nanos("timeout", delay), handler);
    }

    /**
     * The allocation-free form of {@link #timeout(Duration, TimeoutHandler)}: the handler runs on
     * the loop thread once the delay has passed. Loop thread only.
     *
     * @param delayNanos how long from now, in nanoseconds; 0 runs it in the next iteration
     * @param handler what to run; if it throws, that is logged and the loop goes on
     * @return the timer's id, for {@link #cancel(long)}
     * @throws IllegalArgumentException if delayNanos is negative
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public long timeoutNanos(long delayNanos, TimeoutHandler handler) {
        Objects.requireNonNull(handler, "handler");
        checkLoop("timeout");
        return timers.schedule(Timers.deadline(delayNanos), handler, -1, 0);
    }

    /**
     * Timer delivered to the Context registered on fd as onTimeout; dropped if that registration
     * ends first, even if the fd number is registered again meanwhile. Loop thread only.
     *
     * @param delay how long from now
     * @param fd a registered file descriptor
     * @return the timer's id, for {@link #cancel(long)}
     * @throws ReactorException ENOENT if fd is not registered, as {@link #interest} says it
     * @throws IllegalArgumentException if delay is negative
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public long timeout(Duration delay, int fd) throws ReactorException {
        return timeoutNanos(Timers.nanos("timeout", delay), fd);
    }

    /**
     * The allocation-free form of {@link #timeout(Duration, int)}. Loop thread only.
     *
     * @param delayNanos how long from now, in nanoseconds
     * @param fd a registered file descriptor
     * @return the timer's id, for {@link #cancel(long)}
     * @throws ReactorException ENOENT if fd is not registered
     * @throws IllegalArgumentException if delayNanos is negative
     * @throws IllegalStateException if called off the loop thread or after {@link #close()}
     */
    public long timeoutNanos(long delayNanos, int fd) throws ReactorException {
        checkLoop("timeout");
        int generation = table.generation(fd);
        if (generation == 0) throw new ReactorException("timeout(fd=" + fd + ")", Errno.ENOENT, "not registered");
        return timers.schedule(Timers.deadline(delayNanos), null, fd, generation);
    }

    /** Timers scheduled and not yet fired or cancelled (an fd timer is cancelled when its registration ends). */
    int pendingTimers() {
        return timers.size();
    }

    /**
     * Cancel a timer, in O(log n). Loop thread only; works in a callback while a {@link #close()}
     * is pending.
     *
     * @param timerId an id that timeout returned
     * @return true if the timer was pending and now will not fire; false if it fired, was
     *         cancelled already, or went with its registration or with the closed reactor (from
     *         any thread then, so it is safe in a {@code finally} block)
     * @throws IllegalStateException if called off the loop thread while the reactor is open
     */
    public boolean cancel(long timerId) {
        if (closed) return false;
        checkThread("cancel");
        return timers.cancel(timerId);
    }

    // ---- from any thread -------------------------------------------------------------------

    /**
     * Deliver message to the Context on fd as onNotify, on the loop thread. Any thread; it never
     * blocks, and the first send while the loop sleeps costs one wakeup write. The message goes to
     * the registration on fd as the sender sees it now: if that registration ends first,
     * the message is dropped and counted in {@link ReactorStats#messagesDropped()}. If fd has no
     * registration when send is called, nothing is queued and it returns false.
     *
     * @param fd the registered file descriptor to deliver to
     * @param message what to deliver, not null
     * @return true if queued; false if fd is not registered, or the queue is full
     *         ({@link ReactorConfig#queueCapacity()})
     * @throws IllegalArgumentException if fd is negative
     * @throws IllegalStateException once the reactor is closed or closing
     */
    public boolean send(int fd, Object message) {
        Objects.requireNonNull(message, "message");
        if (fd < 0) throw new IllegalArgumentException("send(fd=" + fd + "): negative fd");
        checkOpen("send");
        int generation = table.generationAcquire(fd);
        return generation != 0 && offer(fd, generation, message);
    }

    /**
     * Run task on the loop thread, in the order this thread queued it. Any thread; it never
     * blocks. The task may throw (a {@link Task}, not a Runnable, so a lambda that registers
     * needs no try/catch): what it throws is logged, and the loop goes on. A Runnable {@code r}
     * is passed as {@code r::run}.
     *
     * @param task what to run
     * @return true if queued; false if the queue is full ({@link ReactorConfig#queueCapacity()})
     * @throws IllegalStateException once the reactor is closed or closing
     */
    public boolean execute(Task task) {
        Objects.requireNonNull(task, "task");
        checkOpen("execute");
        return offer(Mailbox.TASK, 0, task);
    }

    private boolean offer(int fd, int generation, Object payload) {
        if (!mailbox.offer(fd, generation, payload)) return false;
        wakeIfBlocked();
        return true;
    }

    /**
     * Many sends while the loop is awake cost no syscall; the first one while it blocks costs one
     * write. Callers publish their request (queue entry, stop or close flag) first: the loop sets
     * 'blocked' before it looks at those, so one side always sees the other.
     */
    private void wakeIfBlocked() {
        if ((int) BLOCKED.getVolatile(this) == 1 && BLOCKED.compareAndSet(this, 1, 0)) wakeup();
    }

    private void wakeup() {
        synchronized (lifecycle) {          // never write to the eventfd after close() freed its number
            if (closed) return;
            stats.wakeupsWritten.incrementAndGet();
            poller.wakeup();
        }
    }

    /** True while the loop is blocked, or about to block, in the kernel (for tests). */
    boolean blockedInKernel() {
        return (int) BLOCKED.getVolatile(this) == 1;
    }

    /**
     * Make run() return after the current iteration. A stop that comes before run() starts (a
     * race a starting thread often loses) is kept: that run() returns at once. Any thread; the
     * reactor stays open, and run() can be called again.
     */
    public void stop() {
        stopRequested = true;
        wakeIfBlocked();
    }

    // ---- the loop --------------------------------------------------------------------------

    /**
     * Run until {@link #stop()} or {@link #close()}. The calling thread becomes the loop thread.
     * A Context callback's Exception goes to its onError, a timer handler's or a task's is logged;
     * the loop goes on. An Error propagates out of run(), and the rest of that batch of events is
     * dispatched by the next run or runOnce.
     *
     * @throws IOException a {@link ReactorException} if the wait itself fails (never for EINTR,
     *         which is resumed)
     * @throws IllegalStateException if the reactor is closed, or already running on a thread, or
     *         if this is a virtual thread: the kernel wait is a foreign call, which pins the
     *         carrier thread, so the loop would hold a carrier for as long as it runs
     */
    public void run() throws IOException {
        refuseVirtualThread("run()");
        enter("run");
        // Timer slack (50 µs by default on Linux) would make every timeout that late; the loop
        // thread asks for less while it runs, and gives the thread back as it found it.
        long slackToRestore = config.timerSlackNanos() > 0 ? Os.current().tightenTimerSlack(libc, config.timerSlackNanos()) : -1;
        try {
            while (!stopRequested && !closeRequested) {
                iterate(Poller.FOREVER, false);
            }
        } finally {
            stopRequested = false;
            Os.current().restoreTimerSlack(libc, slackToRestore);
            exit();
        }
    }

    /**
     * One iteration: wait at most timeout, dispatch, return the number of callbacks run. The
     * calling thread becomes the loop thread. It ignores the idle strategy and the timer slack.
     *
     * @param timeout the longest wait; zero or negative polls without blocking
     * @return the callbacks run: events, timers, messages and tasks
     * @throws IOException a {@link ReactorException} if the wait itself fails
     * @throws IllegalStateException if the reactor is closed, or already running on a thread, or
     *         if timeout is positive on a virtual thread (as {@link #run()}; a zero timeout never
     *         blocks, so a virtual thread may poll)
     */
    public int runOnce(Duration timeout) throws IOException {
        long timeoutNanos = timeout.isNegative() ? 0 : Timers.nanos("runOnce", timeout);
        if (timeoutNanos > 0) refuseVirtualThread("runOnce(" + timeout + ")");
        enter("runOnce");
        try {
            long deadline = timeoutNanos <= 0 ? Poller.NOW : Timers.deadline(timeoutNanos);
            return iterate(deadline, true);
        } finally {
            exit();
        }
    }

    /** Thread.isVirtual (JDK 21+), or null on JDK 17, which has no virtual threads. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
    /** The last thread found to be a platform thread: the check is one compare after the first wait. */
    private Thread platformChecked;

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private void refuseVirtualThread(String call) {
        Thread t = Thread.currentThread();
        if (t == platformChecked || IS_VIRTUAL == null) return;
        boolean virtual;
        try {
            virtual = (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (virtual) {
            throw new IllegalStateException(call + " on a virtual thread (" + t + "): the kernel wait is a foreign"
                    + " call, which pins the carrier thread, so the loop would hold a carrier while it waits; run the"
                    + " loop on a platform thread (new Thread(reactor::run), or Thread.ofPlatform())");
        }
        platformChecked = t;
    }

    private void enter(String call) {
        synchronized (lifecycle) {
            checkOpen(call);
            if (running) throw new IllegalStateException(call + ": reactor is already running on " + owner.getName());
            owner = Thread.currentThread();
            running = true;
        }
    }

    /** Nothing allocated here or in enter(): both run once per runOnce. */
    private void exit() {
        synchronized (lifecycle) {
            running = false;
            if (closeRequested) release();
        }
    }

    private int iterate(long maxDeadline, boolean once) throws IOException {
        // An Error thrown by a callback cut the last batch short: dispatch the rest of it before
        // polling again, or an edge-triggered (or oneshot) fd in it would never be reported again.
        boolean resuming = batchNext < batchEnd;
        if (rebuildPending && !resuming) rebuild();
        boolean didNotBlock = !resuming && poll(maxDeadline, once);
        stats.iterations++;
        int work = dispatch() + deliveries.expireTimers() + deliveries.drainMailbox();
        if (work > 0) {
            // Only spinThenBlock reads it: spare block and spin a clock read per busy iteration.
            if (spinForNanos != 0 && spinForNanos != Long.MAX_VALUE) lastWorkNanos = System.nanoTime();
        } else if (!once && didNotBlock) {
            Thread.onSpinWait();
        }
        return work;
    }

    /**
     * The kernel keeps reporting a registration that was deregistered after its fd had been closed
     * behind the reactor's back while a dup of it kept the file open (epoll keys on the file, not
     * the number, and the number no longer leads to it): level-triggered, it would make every
     * wait return at once. A new set with the live registrations leaves it behind. A registration
     * whose number no longer leads to its file ends there, without closing the number.
     */
    private void rebuild() {
        rebuildPending = false;
        synchronized (lifecycle) {
            if (!poller.beginRebuild()) {
                if (!rebuildRefusedLogged) {
                    rebuildRefusedLogged = true;
                    Logs.warning(() -> "a registration whose fd was closed behind the reactor's back (while a dup kept"
                            + " its file open) keeps reporting, and the epoll set cannot be rebuilt here (kcmp"
                            + " unavailable, or no fd left): deregister before you close");
                }
                return;
            }
            table.forEach(fd -> {
                int generation = table.generation(fd);
                if (!poller.carryOver(fd, token(fd, generation), table.interest(fd))) {
                    Context gone = ended(fd);
                    Logs.warning(() -> "fd " + fd + " was closed behind the reactor's back while registered to "
                            + gone + "; registration removed, the number left alone (deregister before you close)");
                }
            });
            poller.endRebuild();
            stats.pollerRebuilds++;
        }
    }

    /** Waits for the next batch of events; returns true when it did not block (a spinning poll). */
    private boolean poll(long maxDeadline, boolean once) throws IOException {
        long deadline = pollDeadline(maxDeadline, once);
        boolean blocking = deadline != Poller.NOW;
        if (blocking) {
            BLOCKED.setVolatile(this, 1);
            // Checked after publishing 'blocked': a sender that offered before it sees the
            // queue non-empty here; one that offers after sees blocked == 1 and wakes us.
            if (!mailbox.isEmpty() || stopRequested || closeRequested) {
                deadline = Poller.NOW;
            }
        }
        int n;
        try {
            n = poller.poll(deadline);
        } finally {
            if (blocking) BLOCKED.setOpaque(this, 0);
        }
        stats.waitsInterrupted = poller.interruptedWaits();
        batchNext = 0;
        batchEnd = n;
        return deadline == Poller.NOW;
    }

    /** Block until the next timer (or maxDeadline), unless the idle strategy says to spin. */
    private long pollDeadline(long maxDeadline, boolean once) {
        if (!once && spinForNanos != 0) {
            if (spinForNanos == Long.MAX_VALUE || System.nanoTime() - lastWorkNanos < spinForNanos) {
                return Poller.NOW;
            }
        }
        if (maxDeadline == Poller.NOW) return Poller.NOW;
        return Math.min(timers.nextDeadline(), maxDeadline);
    }

    private int dispatch() {
        int callbacks = 0;
        int i = batchNext;
        final int n = batchEnd;
        try {
            for (; i < n; i++) {
                callbacks += dispatch(i);
            }
        } finally {
            if (i < n) {        // event i's callback threw an Error: it ran; the next iteration resumes after it
                callbacks++;
                i++;
            }
            batchNext = i;
            stats.eventsDispatched += callbacks;
        }
        return callbacks;
    }

    /** Dispatches event i of the batch; returns 1 if a callback ran, 0 if the event was stale or the poller's own. */
    private int dispatch(int i) {
        long token = poller.token(i);
        int generation = (int) (token >>> 32);
        if (generation == 0) return 0;             // the poller's own wakeup/timer fd
        int fd = (int) token;
        Context ctx = table.get(fd, generation);
        if (ctx == null) {                         // closed, or fd reused, earlier in this batch
            stats.staleEventsDropped++;
            if (poller.isUnreachable(token)) rebuildPending = true;
            return 0;
        }
        int interest = table.interest(fd);
        if (interest == 0) {                       // muted: the kernel's last HUP/ERR, or one earlier in this batch
            stats.mutedEventsDropped++;
            return 0;
        }
        // The kernel disarmed it: until interest() re-arms it, it is as good as muted.
        if ((interest & Interest.ONESHOT) != 0) table.setInterest(fd, 0);
        try {
            ctx.onEvent(this, poller.events(i));
        } catch (Exception e) {
            failed(ctx, fd, generation, e);
        }
        return 1;
    }

    /**
     * A callback threw: its Context decides (onError). A registration that ended during the
     * callback (the Context closed or replaced its fd, then threw) is no longer its to decide
     * about: onError never runs for it, the failure is logged. If onError throws too, the
     * registration ends as it would by default: closed if owned, deregistered if borrowed.
     */
    void failed(Context ctx, int fd, int generation, Exception error) {
        if (table.get(fd, generation) != ctx) {
            Logs.warning(() -> "fd " + fd + ": " + ctx + " failed after its registration ended", error);
            return;
        }
        try {
            ctx.onError(this, error);
        } catch (Exception again) {
            again.addSuppressed(error);
            Logs.warning(() -> "fd " + fd + ": onError failed; registration ended", again);
            if (!isClosed() && table.get(fd, generation) == ctx) end(fd);
        }
    }

    /**
     * Ends fd's registration the way failures do (here and in the default onError): an owned fd is
     * closed, a borrowed one deregistered. Returns true when it closed the fd.
     */
    boolean end(int fd) {
        boolean owned = table.owned(fd);
        if (owned) close(fd);
        else deregister(fd);
        return owned;
    }

    // ---- lifecycle -------------------------------------------------------------------------

    /** {@return the poller and the FFI binding, e.g. "epoll/panama", "epoll/jnr"} */
    public String backend() {
        return backend;
    }

    /** {@return how the poll deadline reaches the kernel: "epoll_pwait2" (ns precision) or "timerfd"} */
    public String timerSource() {
        return poller.timerSource();
    }

    /** {@return the configuration this reactor was opened with} */
    public ReactorConfig config() {
        return config;
    }

    /** {@return counters of what the loop did: one live object, exact on the loop thread} */
    public ReactorStats stats() {
        return stats;
    }

    /** The poller, for tests of its internals (event-array size, the timerfd fallback). */
    Poller poller() {
        return poller;
    }

    /** The FFI binding this reactor uses (for utilities that want the same backend). */
    LibC libc() {
        return libc;
    }

    /** {@return true once {@link #close()} was called, even while the release is still pending} Any thread. */
    public boolean isClosed() {
        return closed || closeRequested;
    }

    /**
     * Idempotent. Closes the poller and every {@link Ownership#OWNED} fd (listening, connecting
     * and accepted sockets, and fds registered as owned); borrowed fds are only deregistered.
     * From a callback, takes effect when the current iteration ends: the rest of it is still
     * delivered, and cleanup (deregister, close(fd), context, cancel) still works there; other
     * calls throw. From another thread while the loop runs, wakes it and returns once it has
     * exited and released everything (so it waits for a callback in progress, even when the
     * calling thread is interrupted: its interrupt flag is set again on return). While no loop
     * runs, releases at once.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) return;
            closeRequested = true;
            if (!running) {
                release();
                return;
            }
            if (Thread.currentThread() == owner) return;  // inside a callback: the loop releases on exit
        }
        wakeIfBlocked();
        // Uninterruptibly, as promised: an interrupt is kept for the caller, not taken as a reason
        // to return while a callback still runs and the loop still holds its fds.
        boolean interrupted = false;
        synchronized (lifecycle) {
            while (!closed) {
                try {
                    lifecycle.wait();                     // exit() releases, then notifies
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Under the lock, so no registration or wakeup can use the poller's fds while they close. */
    /** The owned fds release() closed: a close(fd) after it must not close their numbers again. */
    private final java.util.BitSet closedAtRelease = new java.util.BitSet();

    private void release() {
        synchronized (lifecycle) {
            if (closed) return;
            closed = true;
            table.forEach(fd -> {
                boolean owned = table.owned(fd);
                ended(fd);
                if (owned) {
                    libc.close(fd);
                    closedAtRelease.set(fd);
                }
            });
            poller.close();
            stats.messagesDropped += mailbox.discard();   // accepted, never delivered: counted, not lost silently
            lifecycle.notifyAll();
        }
    }

    private void checkOpen(String call) {
        if (closed || closeRequested) throw new IllegalStateException(call + ": reactor is closed");
    }

    private void checkLoop(String call) {
        checkOpen(call);
        checkThread(call);
    }

    /**
     * The ownership rule: loop-only calls belong to one thread at a time — the one that opened
     * the reactor until a run() starts, then the one that last ran it; once that thread has
     * ended, the next thread to make such a call takes over (its join() of the old one is the
     * happens-before it needs).
     */
    private void checkThread(String call) {
        Thread t = Thread.currentThread();
        if (t == owner) return;
        synchronized (lifecycle) {
            if (!running && !owner.isAlive()) {
                owner = t;
                return;
            }
        }
        throw new IllegalStateException(call + " must be called on the loop thread ("
                + owner.getName() + "), not on " + t.getName());
    }

    @Override
    public String toString() {
        return "Reactor{" + backend + ", fds=" + table.size() + ", timers=" + timers.size()
                + (closed ? ", closed" : "") + "}";
    }
}
