package dev.reactor.ffi.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;

/**
 * A segment over all the bytes of a direct buffer (byte 0 to its capacity), in the scope of the
 * buffer's memory, without making garbage on each I/O call. The scope is an Arena's for a buffer
 * made by {@code MemorySegment.asByteBuffer()}, and one that keeps the buffer reachable for an
 * {@code allocateDirect} buffer. {@code MemorySegment.ofBuffer} is the only public way to get it,
 * and it allocates a segment and a session; escape analysis removes them only when every call in
 * it happens to be inlined, which varies from one JIT compilation to the next (measured: 0 to 600
 * bytes per ping-pong round trip). A buffer's memory never moves, so a small table indexed by
 * identity hash remembers it.
 *
 * <p>The table is 4-way set-associative: a buffer may sit in any of the 4 entries of its set,
 * and a miss takes a free entry of the set before it evicts one (round robin). With one entry per
 * hash, two buffers whose identity hashes agreed in their low 8 bits (one pair in 256) evicted
 * each other on every call, and every call paid for {@code ofBuffer} again: 56 B per call
 * (FdsAllocationTest), and DispatchAllocationTest's two buffers met so in one test order. Now it
 * takes 5 buffers in use in one set of 64.
 *
 * <p>Entries are immutable and published by a plain store (a racing reader may see an entry's
 * buffer as cleared: a miss). They hold the buffer and the segment weakly: the segment of an
 * {@code allocateDirect} buffer references the buffer, and the one of an {@code Arena.ofAuto()}
 * buffer keeps its memory, so a strong reference would keep both alive. So a GC costs each
 * buffer in use one recomputation, as a race or an eviction does.
 */
final class BufferSegments {
    private static final int WAYS = 4;     // entries per set, a power of two
    private static final int SETS = 64;    // a power of two

    private static final class Entry extends WeakReference<ByteBuffer> {
        final long base;
        final WeakReference<MemorySegment> whole;

        Entry(ByteBuffer buffer, MemorySegment whole) {
            super(buffer);
            this.base = whole.address();
            this.whole = new WeakReference<>(whole);
        }
    }

    private final Entry[] table = new Entry[SETS * WAYS];
    /** Per set, the way the next eviction takes (round robin; a lost update only moves the victim). */
    private final byte[] nextVictim = new byte[SETS];

    /** The address of byte 0 of direct (not of its position). */
    long base(ByteBuffer direct) {
        Entry e = find(direct);
        return e != null ? e.base : remember(direct).address();
    }

    /** The segment of direct's bytes 0 to capacity; its scope is that of direct's memory. */
    MemorySegment whole(ByteBuffer direct) {
        Entry e = find(direct);
        if (e != null) {
            MemorySegment whole = e.whole.get();
            if (whole != null) return whole;
        }
        return remember(direct);
    }

    private static int firstWay(ByteBuffer direct) {
        return (System.identityHashCode(direct) & (SETS - 1)) * WAYS;
    }

    private Entry find(ByteBuffer direct) {
        int first = firstWay(direct);
        for (int i = first; i < first + WAYS; i++) {
            Entry e = table[i];
            if (e != null && e.get() == direct) return e;
        }
        return null;
    }

    private MemorySegment remember(ByteBuffer direct) {
        if (!direct.isDirect()) throw new IllegalArgumentException("not a direct buffer");
        MemorySegment whole = MemorySegment.ofBuffer(direct.duplicate().clear());
        int first = firstWay(direct);
        table[wayFor(direct, first)] = new Entry(direct, whole);
        return whole;
    }

    /** direct's own entry (its segment was collected), else a free or collected one, else the set's next victim. */
    private int wayFor(ByteBuffer direct, int first) {
        int free = -1;
        for (int i = first; i < first + WAYS; i++) {
            Entry e = table[i];
            ByteBuffer b = e == null ? null : e.get();
            if (b == direct) return i;
            if (b == null && free < 0) free = i;
        }
        if (free >= 0) return free;
        int set = first / WAYS;
        int victim = nextVictim[set] & (WAYS - 1);
        nextVictim[set] = (byte) (victim + 1);
        return first + victim;
    }
}
