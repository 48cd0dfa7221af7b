package dev.reactor.testing;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * java.lang.foreign's Arenas for tests, reached through method handles: the tests compile with
 * release 17 and also run on JDK 17, where {@link #AVAILABLE} is false and such tests are skipped.
 * An Arena is handed around as the {@link AutoCloseable} it is.
 */
public final class Arenas {
    private Arenas() { }

    /** True on JDK 22+, where Arena is final API. */
    public static final boolean AVAILABLE = Runtime.version().feature() >= 22;

    private static final MethodHandle OF_CONFINED;
    private static final MethodHandle OF_SHARED;
    private static final MethodHandle OF_AUTO;
    private static final MethodHandle ALLOCATE;        // (Arena, long) -> MemorySegment
    private static final MethodHandle AS_SLICE;        // (MemorySegment, long, long) -> MemorySegment
    private static final MethodHandle AS_BYTE_BUFFER;  // (MemorySegment) -> ByteBuffer

    static {
        MethodHandle confined = null, shared = null, auto = null, allocate = null, slice = null, asBuffer = null;
        if (AVAILABLE) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                confined = lookup.findStatic(arena, "ofConfined", MethodType.methodType(arena));
                shared = lookup.findStatic(arena, "ofShared", MethodType.methodType(arena));
                auto = lookup.findStatic(arena, "ofAuto", MethodType.methodType(arena));
                allocate = lookup.findVirtual(arena, "allocate", MethodType.methodType(segment, long.class));
                slice = lookup.findVirtual(segment, "asSlice", MethodType.methodType(segment, long.class, long.class));
                asBuffer = lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        OF_CONFINED = confined;
        OF_SHARED = shared;
        OF_AUTO = auto;
        ALLOCATE = allocate;
        AS_SLICE = slice;
        AS_BYTE_BUFFER = asBuffer;
    }

    /** Arena.ofConfined(): usable by this thread only, freed by close(). */
    public static AutoCloseable ofConfined() {
        return (AutoCloseable) call(OF_CONFINED);
    }

    /** Arena.ofShared(): usable by any thread, freed by close(). */
    public static AutoCloseable ofShared() {
        return (AutoCloseable) call(OF_SHARED);
    }

    /** Arena.ofAuto(): usable by any thread, freed by the GC (close() throws). */
    public static AutoCloseable ofAuto() {
        return (AutoCloseable) call(OF_AUTO);
    }

    /** arena.allocate(bytes).asByteBuffer(): a direct buffer over new memory of the arena. */
    public static ByteBuffer buffer(AutoCloseable arena, int bytes) {
        return (ByteBuffer) call(AS_BYTE_BUFFER, call(ALLOCATE, arena, (long) bytes));
    }

    /**
     * arena.allocate(bytes).asSlice(offset, length).asByteBuffer(): a buffer whose byte 0 is
     * {@code offset} bytes into its segment.
     */
    public static ByteBuffer sliceBuffer(AutoCloseable arena, int bytes, int offset, int length) {
        Object segment = call(ALLOCATE, arena, (long) bytes);
        return (ByteBuffer) call(AS_BYTE_BUFFER, call(AS_SLICE, segment, (long) offset, (long) length));
    }

    private static Object call(MethodHandle handle, Object... args) {
        if (!AVAILABLE) throw new UnsupportedOperationException("java.lang.foreign needs JDK 22+");
        try {
            return handle.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
