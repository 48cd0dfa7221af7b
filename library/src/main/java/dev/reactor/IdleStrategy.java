package dev.reactor;

import java.time.Duration;

/**
 * How the loop waits when it has nothing to do. {@link #block()} sleeps in the kernel (a send
 * from another thread then costs one eventfd write to wake it); {@link #spin()} polls without
 * blocking and never needs a wakeup, at the price of a busy core; {@link #spinThenBlock(Duration)}
 * spins for a while after the last work, then blocks.
 */
public sealed interface IdleStrategy permits IdleStrategy.Spinning {

    /**
     * Block in epoll_wait/kevent until an event, a timer or a wakeup. The default.
     * @return the blocking strategy
     */
    static IdleStrategy block() {
        return Spinning.BLOCK;
    }

    /**
     * Poll with a zero timeout and {@link Thread#onSpinWait()} between empty polls; never block.
     * @return the busy-polling strategy
     */
    static IdleStrategy spin() {
        return Spinning.SPIN;
    }

    /**
     * Spin while work arrived within the last {@code spinFor}, block after that.
     * @param spinFor how long to keep spinning after the last callback; zero is {@link #block()}
     * @return a strategy with that spin window
     * @throws IllegalArgumentException if spinFor is negative
     */
    static IdleStrategy spinThenBlock(Duration spinFor) {
        long nanos = spinFor.toNanos();
        if (nanos < 0) throw new IllegalArgumentException("spinThenBlock: negative duration " + spinFor);
        return new Spinning(nanos);
    }

    /**
     * Reads a strategy from text, as {@code -Ddev.reactor.idle} gives it: {@code block},
     * {@code spin}, or {@code spinThenBlock:<amount><unit>} with unit ns, us, ms or s
     * (e.g. {@code spinThenBlock:100us}). Case-insensitive.
     *
     * @param text the strategy as text
     * @return the strategy it names
     * @throws IllegalArgumentException if text is none of these; the message lists what is accepted
     */
    static IdleStrategy parse(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("block")) return block();
        if (s.equals("spin")) return spin();
        String prefix = "spinthenblock:";
        if (s.startsWith(prefix)) {
            long nanos = Spinning.parseNanos(s.substring(prefix.length()).trim());
            if (nanos >= 0) return spinThenBlock(Duration.ofNanos(nanos));
        }
        throw new IllegalArgumentException("idle strategy '" + text
                + "': expected block, spin or spinThenBlock:<n>(ns|us|ms|s), e.g. spinThenBlock:100us");
    }

    /** {@return how long the loop keeps spinning after its last work: 0 blocks at once, Long.MAX_VALUE never blocks} */
    long spinForNanos();

    /**
     * The one implementation: a spin window. Get one from {@link #block()}, {@link #spin()},
     * {@link #spinThenBlock(Duration)} or {@link #parse(String)}.
     *
     * @param spinForNanos how long the loop keeps spinning after its last work, in nanoseconds
     */
    record Spinning(long spinForNanos) implements IdleStrategy {
        static final Spinning BLOCK = new Spinning(0);
        static final Spinning SPIN = new Spinning(Long.MAX_VALUE);

        private static final String[] UNITS = {"ns", "us", "ms", "s"};
        private static final long[] UNIT_NANOS = {1, 1_000, 1_000_000, 1_000_000_000};

        /** "100us" to nanoseconds; -1 when it is not a non-negative amount with a unit. */
        static long parseNanos(String amount) {
            for (int i = 0; i < UNITS.length; i++) {
                if (!amount.endsWith(UNITS[i])) continue;
                try {
                    long n = Long.parseLong(amount.substring(0, amount.length() - UNITS[i].length()).trim());
                    return n < 0 ? -1 : Math.multiplyExact(n, UNIT_NANOS[i]);
                } catch (NumberFormatException | ArithmeticException e) {
                    return -1;
                }
            }
            return -1;
        }

        @Override public String toString() {
            if (spinForNanos == 0) return "block";
            if (spinForNanos == Long.MAX_VALUE) return "spin";
            return "spinThenBlock(" + Duration.ofNanos(spinForNanos) + ")";
        }
    }
}
