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

    public static Builder builder() {
        return new Builder();
    }

    public static ListenOptions defaults() {
        return DEFAULTS;
    }

    /** The accept queue length passed to listen(2); the kernel caps it at net.core.somaxconn. */
    public int backlog() { return backlog; }

    /** SO_REUSEPORT on the listening socket (TCP only): several listeners share one port. */
    public boolean reusePort() { return reusePort; }

    /** TCP_NODELAY on each accepted TCP socket. */
    public boolean tcpNoDelay() { return tcpNoDelay; }

    /** At most this many accepts per readiness, so one busy listener cannot starve the other fds. */
    public int acceptBatch() { return acceptBatch; }

    /** How long accepting pauses when the process or system is out of fds (EMFILE/ENFILE) or memory. */
    public Duration acceptPause() { return acceptPause; }

    @Override public String toString() {
        return "ListenOptions{backlog=" + backlog + ", reusePort=" + reusePort + ", tcpNoDelay=" + tcpNoDelay
                + ", acceptBatch=" + acceptBatch + ", acceptPause=" + acceptPause + "}";
    }

    public static final class Builder {
        private int backlog = 4096;
        private boolean reusePort;
        private boolean tcpNoDelay = true;
        private int acceptBatch = 64;
        private Duration acceptPause = Duration.ofMillis(100);

        private Builder() { }

        public Builder backlog(int backlog) {
            if (backlog < 1) throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
            this.backlog = backlog;
            return this;
        }

        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        public Builder acceptBatch(int acceptBatch) {
            if (acceptBatch < 1) throw new IllegalArgumentException("acceptBatch must be >= 1: " + acceptBatch);
            this.acceptBatch = acceptBatch;
            return this;
        }

        public Builder acceptPause(Duration acceptPause) {
            Objects.requireNonNull(acceptPause, "acceptPause");
            if (acceptPause.isNegative() || acceptPause.isZero()) {
                throw new IllegalArgumentException("acceptPause must be positive: " + acceptPause);
            }
            this.acceptPause = acceptPause;
            return this;
        }

        public ListenOptions build() {
            return new ListenOptions(this);
        }
    }
}
