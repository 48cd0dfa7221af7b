package dev.reactor.io;

import dev.reactor.ffi.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native scratch memory for the utilities: small structs (an fd pair, an itimerspec,
 * a sockaddr) and a bounce buffer for heap ByteBuffers. Allocated once per thread, never per call.
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

    long bounceAddress() {
        bounce();
        return bounceAddress;
    }
}
