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

    private ReactorConfig(Builder b) {
        this.maxEvents = b.maxEvents;
        this.initialFds = b.initialFds;
        this.queueCapacity = b.queueCapacity;
        this.idleStrategy = b.idleStrategy;
        this.backend = b.backend;
        this.timerSlackNanos = b.timerSlackNanos;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ReactorConfig defaults() {
        return builder().build();
    }

    /** Events read per wait at first; the array doubles (to 65536) when a wait fills it. */
    public int maxEvents() { return maxEvents; }

    /** Initial size of the fd-indexed table; it grows to the highest fd registered. */
    public int initialFds() { return initialFds; }

    /** Capacity of the send/execute queue; {@link Reactor#send} returns false when it is full. */
    public int queueCapacity() { return queueCapacity; }

    public IdleStrategy idleStrategy() { return idleStrategy; }

    /** "auto" (Panama on JDK 22+, else jnr), "panama" or "jnr". */
    public String backend() { return backend; }

    /**
     * The timer slack {@link Reactor#run()} gives its thread while it runs (Linux: prctl
     * PR_SET_TIMERSLACK, restored when run() returns); -1 leaves the thread's slack alone.
     */
    public long timerSlackNanos() { return timerSlackNanos; }

    @Override public String toString() {
        return "ReactorConfig{maxEvents=" + maxEvents + ", initialFds=" + initialFds + ", queueCapacity="
                + queueCapacity + ", idleStrategy=" + idleStrategy + ", backend=" + backend
                + ", timerSlackNanos=" + timerSlackNanos + "}";
    }

    public static final class Builder {
        private int maxEvents = 256;
        private int initialFds = 1024;
        private int queueCapacity = 1 << 16;
        private IdleStrategy idleStrategy = defaultIdleStrategy();
        private String backend = System.getProperty("dev.reactor.ffi", "auto");
        private long timerSlackNanos = 1;

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

        public Builder maxEvents(int maxEvents) {
            if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be >= 1: " + maxEvents);
            this.maxEvents = maxEvents;
            return this;
        }

        public Builder initialFds(int initialFds) {
            if (initialFds < 1) throw new IllegalArgumentException("initialFds must be >= 1: " + initialFds);
            this.initialFds = initialFds;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 2) throw new IllegalArgumentException("queueCapacity must be >= 2: " + queueCapacity);
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder idleStrategy(IdleStrategy idleStrategy) {
            this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
            return this;
        }

        /** "auto", "panama" or "jnr"; overrides {@code -Ddev.reactor.ffi}. */
        public Builder backend(String backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * How much the kernel may round the loop's timeouts up, to batch wake-ups. Linux gives
         * every thread 50 µs, which would make each timer up to 50 µs late; {@link Reactor#run()}
         * sets its thread's slack to this (default 1 ns) and puts the old value back when it
         * returns. {@code runOnce} leaves the slack alone. -1: never touch it.
         */
        public Builder timerSlackNanos(long timerSlackNanos) {
            if (timerSlackNanos < -1 || timerSlackNanos == 0) {
                throw new IllegalArgumentException("timerSlackNanos must be >= 1, or -1 to leave it alone: " + timerSlackNanos);
            }
            this.timerSlackNanos = timerSlackNanos;
            return this;
        }

        public ReactorConfig build() {
            return new ReactorConfig(this);
        }
    }
}
