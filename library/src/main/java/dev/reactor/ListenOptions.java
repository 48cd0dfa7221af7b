package dev.reactor;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Reactor#listen(java.net.SocketAddress, ListenOptions, ConnectionHandler)} sets up a
 * listening socket. Immutable: {@code ListenOptions.builder().backlog(128).reusePort(true).build()}.
 * SO_REUSEADDR is always set on TCP listeners.
 */
public final class ListenOptions {
    private static final ListenOptions DEFAULTS = builder().build();

    private final int backlog;
    private final boolean reusePort;
    private final boolean tcpNoDelay;
    private final int acceptBatch;
    private final Duration acceptPause;

    private ListenOptions(Builder b) {
        this.backlog = b.backlog;
        this.reusePort = b.reusePort;
        this.tcpNoDelay = b.tcpNoDelay;
        this.acceptBatch = b.acceptBatch;
        this.acceptPause = b.acceptPause;
    }

    /**
     * A builder with the defaults: backlog 4096, no SO_REUSEPORT, TCP_NODELAY on, 64 accepts per
     * readiness, a 100 ms pause when out of fds.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the options of {@link Reactor#listen(java.net.SocketAddress, ConnectionHandler)}: the builder's defaults} */
    public static ListenOptions defaults() {
        return DEFAULTS;
    }

    /** {@return the accept queue length passed to listen(2)} The kernel caps it at net.core.somaxconn. */
    public int backlog() { return backlog; }

    /** {@return whether the listening socket gets SO_REUSEPORT (TCP only)} Several listeners then share one port. */
    public boolean reusePort() { return reusePort; }

    /** {@return whether each accepted TCP socket gets TCP_NODELAY} */
    public boolean tcpNoDelay() { return tcpNoDelay; }

    /** {@return the most accepts per readiness} So one busy listener cannot starve the other fds. */
    public int acceptBatch() { return acceptBatch; }

    /** {@return how long accepting pauses when the process or system is out of fds (EMFILE/ENFILE) or memory} */
    public Duration acceptPause() { return acceptPause; }

    @Override public String toString() {
        return "ListenOptions{backlog=" + backlog + ", reusePort=" + reusePort + ", tcpNoDelay=" + tcpNoDelay
                + ", acceptBatch=" + acceptBatch + ", acceptPause=" + acceptPause + "}";
    }

    /**
     * Sets {@link ListenOptions} up; each setter checks its value at once and throws
     * {@link IllegalArgumentException} for one out of range. Not thread-safe: one thread builds.
     */
    public static final class Builder {
        private int backlog = 4096;
        private boolean reusePort;
        private boolean tcpNoDelay = true;
        private int acceptBatch = 64;
        private Duration acceptPause = Duration.ofMillis(100);

        private Builder() { }

        /**
         * The accept queue length passed to listen(2) (default 4096); the kernel caps it at net.core.somaxconn.
         * @param backlog at least 1
         * @return this builder
         * @throws IllegalArgumentException if backlog is below 1
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
            this.backlog = backlog;
            return this;
        }

        /**
         * SO_REUSEPORT on the listening socket (default off; TCP only): several sockets, in this
         * process or others of the same user, listen on one port and the kernel spreads the connections.
         * @param reusePort true to set it
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * TCP_NODELAY on each accepted TCP socket (default on): small writes go out at once.
         * @param tcpNoDelay false to leave Nagle's algorithm on
         * @return this builder
         */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /**
         * The most connections accepted per readiness of the listener (default 64); the rest wait
         * for the next iteration, after the other fds had their turn.
         * @param acceptBatch at least 1
         * @return this builder
         * @throws IllegalArgumentException if acceptBatch is below 1
         */
        public Builder acceptBatch(int acceptBatch) {
            if (acceptBatch < 1) throw new IllegalArgumentException("acceptBatch must be >= 1: " + acceptBatch);
            this.acceptBatch = acceptBatch;
            return this;
        }

        /**
         * How long the listener stops accepting when accept fails with EMFILE, ENFILE, ENOBUFS or
         * ENOMEM (default 100 ms), instead of spinning on a readiness it cannot consume; pending
         * connections wait in the kernel's queue meanwhile.
         * @param acceptPause positive
         * @return this builder
         * @throws IllegalArgumentException if acceptPause is zero or negative
         * @throws NullPointerException if acceptPause is null
         */
        public Builder acceptPause(Duration acceptPause) {
            Objects.requireNonNull(acceptPause, "acceptPause");
            if (acceptPause.isNegative() || acceptPause.isZero()) {
                throw new IllegalArgumentException("acceptPause must be positive: " + acceptPause);
            }
            this.acceptPause = acceptPause;
            return this;
        }

        /** {@return immutable options with the values set so far} */
        public ListenOptions build() {
            return new ListenOptions(this);
        }
    }
}
