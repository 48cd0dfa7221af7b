package dev.reactor;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Reactor#connect(java.net.SocketAddress, ConnectOptions, ConnectionHandler)} connects.
 * Immutable: {@code ConnectOptions.builder().timeout(Duration.ofSeconds(2)).build()}, or
 * {@link #timeout(Duration)} for the common case.
 */
public final class ConnectOptions {
    private static final ConnectOptions DEFAULTS = builder().build();

    private final Duration timeout;
    private final boolean tcpNoDelay;

    private ConnectOptions(Builder b) {
        this.timeout = b.timeout;
        this.tcpNoDelay = b.tcpNoDelay;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A 30 s timeout and TCP_NODELAY. */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /** The defaults with another timeout. */
    public static ConnectOptions timeout(Duration timeout) {
        return builder().timeout(timeout).build();
    }

    /**
     * How long the connect may take; then the fd is closed and onConnectFailed gets a
     * {@link ReactorException} with ETIMEDOUT. {@link Duration#ZERO}: no limit but the kernel's.
     */
    public Duration timeout() { return timeout; }

    /** TCP_NODELAY on the socket (TCP only). */
    public boolean tcpNoDelay() { return tcpNoDelay; }

    @Override public String toString() {
        return "ConnectOptions{timeout=" + timeout + ", tcpNoDelay=" + tcpNoDelay + "}";
    }

    public static final class Builder {
        private Duration timeout = Duration.ofSeconds(30);
        private boolean tcpNoDelay = true;

        private Builder() { }

        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
            this.timeout = timeout;
            return this;
        }

        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        public ConnectOptions build() {
            return new ConnectOptions(this);
        }
    }
}
