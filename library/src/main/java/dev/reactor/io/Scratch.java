package dev.reactor.io;

import dev.reactor.ffi.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native scratch memory for the utilities: small structs (an fd pair, an itimerspec,
 * a sockaddr), a bounce buffer for heap ByteBuffers and C strings (paths), and room for one
 * sendmsg/recvmsg (a msghdr, its iovec and an SCM_RIGHTS control buffer). Allocated once per
 * thread, never per call; the bounce and message buffers only when a thread first needs them.
 */
final class Scratch {
    static final int SMALL = 256;
    static final int BOUNCE = 64 * 1024;
    /** A msghdr, an iovec and the control buffer for {@link Sockets#MAX_FDS} fds, with room to spare. */
    static final int MESSAGE = 2048;

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    final ByteBuffer small = ByteBuffer.allocateDirect(SMALL).order(ByteOrder.nativeOrder());
    final long smallAddress;
    private ByteBuffer bounce;
    private long bounceAddress;
    private ByteBuffer message;
    private long messageAddress;
    private int[] received;

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

    ByteBuffer message() {
        if (message == null) {
            message = ByteBuffer.allocateDirect(MESSAGE).order(ByteOrder.nativeOrder());
            messageAddress = Fds.libc().address(message);
        }
        return message;
    }

    /** The fds recvmsg delivered, before they go to the caller: as many as fit in the message buffer. */
    int[] received() {
        if (received == null) received = new int[MESSAGE / Integer.BYTES];
        return received;
    }

    long messageAddress() {
        message();
        return messageAddress;
    }
}
