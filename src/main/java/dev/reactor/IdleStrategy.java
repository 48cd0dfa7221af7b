package dev.reactor;

import java.time.Duration;

/**
 * How the loop waits when it has nothing to do. {@link #block()} sleeps in the kernel (a send
 * from another thread then costs one eventfd write to wake it); {@link #spin()} polls without
 * blocking and never needs a wakeup, at the price of a busy core; {@link #spinThenBlock(Duration)}
 * spins for a while after the last work, then blocks.
 */
public sealed interface IdleStrategy permits IdleStrategy.Spinning {

    /** Block in epoll_wait/kevent until an event, a timer or a wakeup. The default. */
    static IdleStrategy block() {
        return Spinning.BLOCK;
    }

    /** Poll with a zero timeout and {@link Thread#onSpinWait()} between empty polls; never block. */
    static IdleStrategy spin() {
        return Spinning.SPIN;
    }

    /** Spin while work arrived within the last {@code spinFor}, block after that. */
    static IdleStrategy spinThenBlock(Duration spinFor) {
        long nanos = spinFor.toNanos();
        if (nanos < 0) throw new IllegalArgumentException("spinThenBlock: negative duration " + spinFor);
        return new Spinning(nanos);
    }

    /** How long the loop keeps spinning after its last work: 0 blocks at once, Long.MAX_VALUE never blocks. */
    long spinForNanos();

    /** The one implementation: a spin window. */
    record Spinning(long spinForNanos) implements IdleStrategy {
        static final Spinning BLOCK = new Spinning(0);
        static final Spinning SPIN = new Spinning(Long.MAX_VALUE);

        @Override public String toString() {
            if (spinForNanos == 0) return "block";
            if (spinForNanos == Long.MAX_VALUE) return "spin";
            return "spinThenBlock(" + Duration.ofNanos(spinForNanos) + ")";
        }
    }
}
