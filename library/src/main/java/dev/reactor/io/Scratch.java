package dev.reactor.io;

import dev.reactor.ffi.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native scratch memory for the utilities: small structs (an fd pair, an itimerspec,
 * a sockaddr) and a bounce buffer for heap ByteBuffers and C strings (paths). Allocated once per
 * thread, never per call; freed with the thread's Scratch (direct buffers, released by the GC).
 */
final class Scratch {
    static final int SMALL = 256;
    static final int BOUNCE = 64 * 1024;

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    final ByteBuffer small = ByteBuffer.allocateDirect(SMALL).order(ByteOrder.nativeOrder());
    final long smallAddress;
    private ByteBuffer bounce;
    private long bounceAddress;

    private Scratch() {
        smallAddress = Fds.libc().address(small);
    }

    static Scratch get() {
        return PER_THREAD.get();
    }

    ByteBuffer bounce() {
        if (bounce == null) {
            LibC c = Fds.libc();
            bounce = ByteBuffer.allocateDirect(BOUNCE).order(ByteOrder.nativeOrder());
            bounceAddress = c.address(bounce);
        }
        return bounce;
    }

    /**
     * Copies bytes and a terminating NUL into the bounce buffer: the address of a C string, valid
     * until this thread's next use of the bounce buffer. bytes must be shorter than {@link #BOUNCE}.
     */
    long cString(byte[] bytes) {
        ByteBuffer b = bounce();
        b.put(0, bytes);
        b.put(bytes.length, (byte) 0);
        return bounceAddress;
    }

    long bounceAddress() {
        bounce();
        return bounceAddress;
    }
}
