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
 * table keeps no buffer alive; a collision or a race only costs a recomputation.
 */
final class BufferAddresses {
    private static final int SIZE = 256;   // a power of two

    private record Entry(WeakReference<ByteBuffer> buffer, long base) { }

    private final Entry[] table = new Entry[SIZE];

    /** The address of byte 0 of direct (not of its position). */
    long base(ByteBuffer direct) {
        int slot = System.identityHashCode(direct) & (SIZE - 1);
        Entry e = table[slot];
        if (e != null && e.buffer.get() == direct) return e.base;
        long base = MemorySegment.ofBuffer(direct).address() - direct.position();
        table[slot] = new Entry(new WeakReference<>(direct), base);
        return base;
    }
}
