package dev.reactor;

import java.util.Objects;

/**
 * How a {@link Reactor} is built. Immutable; {@code ReactorConfig.builder().idleStrategy(IdleStrategy.spin()).build()}.
 */
public final class ReactorConfig {
    /**
     * System property for the default idle strategy of {@link ReactorConfig#defaults()} and
     * {@link #builder()}: {@code block} (the default), {@code spin} or
     * {@code spinThenBlock:<n>(ns|us|ms|s)}; see {@link IdleStrategy#parse(String)}.
     * {@link Builder#idleStrategy} overrides it.
     */
    public static final String IDLE_PROPERTY = "dev.reactor.idle";

    private final int maxEvents;
    private final int initialFds;
    private final int queueCapacity;
    private final IdleStrategy idleStrategy;
    private final String backend;
    private final long timerSlackNanos;
    private final String poller;
    private final String kqueueLibrary;
    private final String kqueueAbi;

    private ReactorConfig(Builder b) {
        this.maxEvents = b.maxEvents;
        this.initialFds = b.initialFds;
        this.queueCapacity = b.queueCapacity;
        this.idleStrategy = b.idleStrategy;
        this.backend = b.backend;
        this.timerSlackNanos = b.timerSlackNanos;
        this.poller = b.poller;
        this.kqueueLibrary = b.kqueueLibrary;
        this.kqueueAbi = b.kqueueAbi;
    }

    /**
     * A builder with the defaults: 256 events per wait, 1024 fds, a queue of 65,536, the idle
     * strategy of {@link #IDLE_PROPERTY} (else {@link IdleStrategy#block()}), the backend of
     * {@code -Ddev.reactor.ffi} (else "auto"), 1 ns timer slack.
     *
     * @return a new builder
     * @throws IllegalArgumentException if {@code -Ddev.reactor.idle} does not parse
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return the configuration of {@link Reactor#open()}: {@code builder().build()}}
     * Reads the system properties each time.
     *
     * @throws IllegalArgumentException if {@code -Ddev.reactor.idle} does not parse
     */
    public static ReactorConfig defaults() {
        return builder().build();
    }

    /** {@return events read per wait at first} The array doubles (to 65536) when a wait fills it. */
    public int maxEvents() { return maxEvents; }

    /** {@return the initial size of the fd-indexed table} It grows to the highest fd registered. */
    public int initialFds() { return initialFds; }

    /** {@return the capacity of the send/execute queue} {@link Reactor#send} returns false when it is full. */
    public int queueCapacity() { return queueCapacity; }

    /** {@return how the loop waits when it has nothing to do} */
    public IdleStrategy idleStrategy() { return idleStrategy; }

    /** {@return the FFI backend asked for: "auto" (Panama on JDK 22+, else jnr), "panama" or "jnr"} */
    public String backend() { return backend; }

    /**
     * {@return the timer slack {@link Reactor#run()} gives its thread while it runs} (Linux: prctl
     * PR_SET_TIMERSLACK, restored when run() returns); -1 leaves the thread's slack alone.
     */
    public long timerSlackNanos() { return timerSlackNanos; }

    /** {@return the poller asked for: "auto" (epoll on Linux, kqueue on macOS and the BSDs), "epoll" or "kqueue"} */
    public String poller() { return poller; }

    /** {@return the shared library kqueue and kevent come from, or null for the C library's} */
    public String kqueueLibrary() { return kqueueLibrary; }

    /**
     * {@return the struct kevent layout a named kqueue library speaks: "macos" (32 bytes) or
     * "freebsd" (64)} On macOS and FreeBSD the OS decides and this is not read.
     */
    public String kqueueAbi() { return kqueueAbi; }

    @Override public String toString() {
        return "ReactorConfig{maxEvents=" + maxEvents + ", initialFds=" + initialFds + ", queueCapacity="
                + queueCapacity + ", idleStrategy=" + idleStrategy + ", backend=" + backend
                + ", timerSlackNanos=" + timerSlackNanos + ", poller=" + poller
                + (kqueueLibrary == null ? "" : ", kqueueLibrary=" + kqueueLibrary + ", kqueueAbi=" + kqueueAbi) + "}";
    }

    /**
     * Sets a {@link ReactorConfig} up, one field at a time; each setter checks its value at once
     * and throws {@link IllegalArgumentException} for one out of range. Not thread-safe: one
     * thread builds.
     */
    public static final class Builder {
        private int maxEvents = 256;
        private int initialFds = 1024;
        private int queueCapacity = 1 << 16;
        private IdleStrategy idleStrategy = defaultIdleStrategy();
        private String backend = System.getProperty("dev.reactor.ffi", "auto");
        private long timerSlackNanos = 1;
        private String poller = System.getProperty("dev.reactor.poller", "auto");
        private String kqueueLibrary = System.getProperty("dev.reactor.kqueue.library");
        private String kqueueAbi = System.getProperty("dev.reactor.kqueue.abi", "macos");

        private Builder() { }

        private static IdleStrategy defaultIdleStrategy() {
            String value = System.getProperty(IDLE_PROPERTY);
            if (value == null || value.isBlank()) return IdleStrategy.block();
            try {
                return IdleStrategy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + IDLE_PROPERTY + ": " + e.getMessage(), e);
            }
        }

        /**
         * Events read per wait at first (default 256); the array doubles, up to 65536, when a wait fills it.
         * @param maxEvents at least 1
         * @return this builder
         * @throws IllegalArgumentException if maxEvents is below 1
         */
        public Builder maxEvents(int maxEvents) {
            if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be >= 1: " + maxEvents);
            this.maxEvents = maxEvents;
            return this;
        }

        /**
         * Initial size of the fd-indexed table (default 1024); it grows to the highest fd registered.
         * @param initialFds at least 1
         * @return this builder
         * @throws IllegalArgumentException if initialFds is below 1
         */
        public Builder initialFds(int initialFds) {
            if (initialFds < 1) throw new IllegalArgumentException("initialFds must be >= 1: " + initialFds);
            this.initialFds = initialFds;
            return this;
        }

        /**
         * How many messages and tasks {@link Reactor#send} and {@link Reactor#execute} may have queued
         * (default 65,536); beyond it they return false. The queue starts small and grows with use.
         * @param queueCapacity at least 2
         * @return this builder
         * @throws IllegalArgumentException if queueCapacity is below 2
         */
        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 2) throw new IllegalArgumentException("queueCapacity must be >= 2: " + queueCapacity);
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * How the loop waits when it has nothing to do; overrides {@code -Ddev.reactor.idle}.
         * @param idleStrategy {@link IdleStrategy#block()}, {@link IdleStrategy#spin()} or
         *        {@link IdleStrategy#spinThenBlock(java.time.Duration)}
         * @return this builder
         * @throws NullPointerException if idleStrategy is null
         */
        public Builder idleStrategy(IdleStrategy idleStrategy) {
            this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
            return this;
        }

        /**
         * The FFI backend, which must be the JVM's ({@code -Ddev.reactor.ffi}, the default): Fds
         * and Sockets use that one, and {@link Reactor#open(ReactorConfig)} refuses another, saying
         * to set the property instead. Checked there, not here.
         * @param backend "auto" (this JVM's backend), "panama" or "jnr"
         * @return this builder
         * @throws NullPointerException if backend is null
         */
        public Builder backend(String backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * How much the kernel may round the loop's timeouts up, to batch wake-ups. Linux gives
         * every thread 50 µs, which would make each timer up to 50 µs late; {@link Reactor#run()}
         * sets its thread's slack to this (default 1 ns) and puts the old value back when it
         * returns. {@code runOnce} leaves the slack alone. -1: never touch it.
         *
         * @param timerSlackNanos at least 1, or -1
         * @return this builder
         * @throws IllegalArgumentException for 0 or a value below -1
         */
        public Builder timerSlackNanos(long timerSlackNanos) {
            if (timerSlackNanos < -1 || timerSlackNanos == 0) {
                throw new IllegalArgumentException("timerSlackNanos must be >= 1, or -1 to leave it alone: " + timerSlackNanos);
            }
            this.timerSlackNanos = timerSlackNanos;
            return this;
        }

        /**
         * The poller; overrides {@code -Ddev.reactor.poller}. Checked by {@link Reactor#open(ReactorConfig)}.
         * @param poller "auto" (epoll on Linux, kqueue on macOS and the BSDs), "epoll" or "kqueue"
         * @return this builder
         * @throws NullPointerException if poller is null
         */
        public Builder poller(String poller) {
            this.poller = Objects.requireNonNull(poller, "poller");
            return this;
        }

        /**
         * Takes kqueue and kevent from this shared library instead of the C library's (any
         * implementation with the BSD ABI: on Linux, the tests' emulator); overrides
         * {@code -Ddev.reactor.kqueue.library}. Only the kqueue poller uses it.
         * @param path the library's path, or null for the C library's
         * @return this builder
         */
        public Builder kqueueLibrary(String path) {
            this.kqueueLibrary = path;
            return this;
        }

        /**
         * The struct kevent layout the {@link #kqueueLibrary kqueue library} speaks, where the OS
         * does not say it (on macOS and FreeBSD the OS's own is used); overrides
         * {@code -Ddev.reactor.kqueue.abi}. Checked by {@link Reactor#open(ReactorConfig)}.
         * @param abi "macos" (32-byte kevent, EVFILT_USER -10) or "freebsd" (64-byte, -11)
         * @return this builder
         * @throws NullPointerException if abi is null
         */
        public Builder kqueueAbi(String abi) {
            this.kqueueAbi = Objects.requireNonNull(abi, "abi");
            return this;
        }

        /**
         * {@return an immutable configuration with the values set so far}
         * The builder can go on and build others.
         */
        public ReactorConfig build() {
            return new ReactorConfig(this);
        }
    }
}
