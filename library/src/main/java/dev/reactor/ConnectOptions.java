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

    /**
     * A builder with the defaults: a 30 s timeout, TCP_NODELAY on.
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a 30 s timeout and TCP_NODELAY: the options of {@link Reactor#connect(java.net.SocketAddress, ConnectionHandler)}} */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The defaults with another timeout.
     * @param timeout how long the connect may take; {@link Duration#ZERO}: no limit but the kernel's
     * @return the options
     * @throws IllegalArgumentException if timeout is negative
     * @throws NullPointerException if timeout is null
     */
    public static ConnectOptions timeout(Duration timeout) {
        return builder().timeout(timeout).build();
    }

    /**
     * {@return how long the connect may take} Then the fd is closed and onConnectFailed gets a
     * {@link ReactorException} with ETIMEDOUT. {@link Duration#ZERO}: no limit but the kernel's.
     */
    public Duration timeout() { return timeout; }

    /** {@return whether the socket gets TCP_NODELAY (TCP only)} */
    public boolean tcpNoDelay() { return tcpNoDelay; }

    @Override public String toString() {
        return "ConnectOptions{timeout=" + timeout + ", tcpNoDelay=" + tcpNoDelay + "}";
    }

    /**
     * Sets {@link ConnectOptions} up; each setter checks its value at once. Not thread-safe: one
     * thread builds.
     */
    public static final class Builder {
        private Duration timeout = Duration.ofSeconds(30);
        private boolean tcpNoDelay = true;

        private Builder() { }

        /**
         * How long the connect may take (default 30 s); then the fd is closed and
         * {@link ConnectionHandler#onConnectFailed} gets ETIMEDOUT.
         * @param timeout not negative; {@link Duration#ZERO}: no limit but the kernel's
         * @return this builder
         * @throws IllegalArgumentException if timeout is negative
         * @throws NullPointerException if timeout is null
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
            this.timeout = timeout;
            return this;
        }

        /**
         * TCP_NODELAY on the socket (default on; TCP only): small writes go out at once.
         * @param tcpNoDelay false to leave Nagle's algorithm on
         * @return this builder
         */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /** {@return immutable options with the values set so far} */
        public ConnectOptions build() {
            return new ConnectOptions(this);
        }
    }
}
