package dev.reactor.ffi.ffm;

import dev.reactor.ffi.BufferCheck;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * {@link BufferCheck} through the buffer's segment: it says whether the memory is still there
 * (its scope is alive) and which thread may touch it. FfmLibC checks so before each buffer downcall (the
 * downcall would refuse too, in words that name neither the call nor the fd); JnrLibC, which
 * passes addresses, has no other protection. Uses no restricted method: loading it needs no
 * native access, so jnr users on JDK 22+ get it as well.
 */
public final class ArenaBufferCheck implements BufferCheck {
    private final BufferSegments segments = new BufferSegments();

    @Override public void check(ByteBuffer direct, String call, int fd) {
        check(segments.whole(direct), call, fd);
    }

    /** Throws unless this thread may touch the memory of segment now; the message names the call and fd. */
    static void check(MemorySegment segment, String call, int fd) {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(call + "(fd=" + fd + "): the buffer's memory is already freed (its Arena was closed)");
        }
        Thread current = Thread.currentThread();
        if (!segment.isAccessibleBy(current)) {
            throw new WrongThreadException(call + "(fd=" + fd + "): the buffer belongs to a confined Arena of "
                    + owner(segment) + ", not \"" + current.getName() + "\"");
        }
    }

    /**
     * For the message only (an error path): a segment does not name its owner, so the live
     * platform threads are asked one by one. An owner that is a virtual thread is not found.
     */
    private static String owner(MemorySegment segment) {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            if (segment.isAccessibleBy(threads[i])) return "thread \"" + threads[i].getName() + "\"";
        }
        return "another thread";
    }
}
