package dev.reactor.ffi.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;

/**
 * The native address of a direct buffer without making garbage on each I/O call.
 * {@code MemorySegment.ofBuffer} is the only public way to get it, and it allocates a segment
 * and a session; escape analysis removes them only when every call in it happens to be inlined,
 * which varies from one JIT compilation to the next (measured: 0 to 600 bytes per ping-pong round
 * trip). A buffer's address never changes, so a small table indexed by identity hash remembers
 * it. Entries are immutable (safe to publish by a plain store) and hold the buffer weakly, so the
 * table keeps no buffer alive; a race or an eviction only costs a recomputation.
 *
 * <p>The table is 4-way set-associative: a buffer may sit in any of the 4 entries of its set,
 * and a miss takes a free entry of the set before it evicts one (round robin). With one entry per
 * hash, two buffers whose identity hashes agreed in their low 8 bits (one pair in 256) evicted
 * each other on every call, and every call paid for {@code ofBuffer} again: 56 B per call
 * (FdsAllocationTest), and DispatchAllocationTest's two buffers met so in one test order. Now it
 * takes 5 buffers in use in one set of 64.
 */
final class BufferAddresses {
    private static final int WAYS = 4;     // entries per set, a power of two
    private static final int SETS = 64;    // a power of two

    private record Entry(WeakReference<ByteBuffer> buffer, long base) { }

    private final Entry[] table = new Entry[SETS * WAYS];
    /** Per set, the way the next eviction takes (round robin; a lost update only moves the victim). */
    private final byte[] nextVictim = new byte[SETS];

    /** The address of byte 0 of direct (not of its position). */
    long base(ByteBuffer direct) {
        int first = firstWay(direct);
        for (int i = first; i < first + WAYS; i++) {
            Entry e = table[i];
            if (e != null && e.buffer.get() == direct) return e.base;
        }
        long base = MemorySegment.ofBuffer(direct).address() - direct.position();
        table[wayFor(first)] = new Entry(new WeakReference<>(direct), base);
        return base;
    }

    private static int firstWay(ByteBuffer direct) {
        return (System.identityHashCode(direct) & (SETS - 1)) * WAYS;
    }

    /** A free entry of the set (or one whose buffer was collected), else the set's next victim. */
    private int wayFor(int first) {
        for (int i = first; i < first + WAYS; i++) {
            Entry e = table[i];
            if (e == null || e.buffer.get() == null) return i;
        }
        int set = first / WAYS;
        int victim = nextVictim[set] & (WAYS - 1);
        nextVictim[set] = (byte) (victim + 1);
        return first + victim;
    }
}
