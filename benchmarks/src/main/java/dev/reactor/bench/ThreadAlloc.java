package dev.reactor.bench;

import java.lang.management.ManagementFactory;

/** Bytes allocated so far by the calling thread (HotSpot's per-thread counter); -1 where unsupported. */
public final class ThreadAlloc {
    private ThreadAlloc() { }

    private static final com.sun.management.ThreadMXBean BEAN = bean();

    private static com.sun.management.ThreadMXBean bean() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                && b.isThreadAllocatedMemorySupported() ? b : null;
    }

    public static long current() {
        return BEAN == null ? -1 : BEAN.getCurrentThreadAllocatedBytes();
    }
}
