package dev.reactor.sys.linux;

import dev.reactor.sys.Errno;
import dev.reactor.ffi.LibC;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@link LibC} behind a proxy, except that the next {@link #interruptNextWaits} blocking
 * epoll waits really wait for {@link #interruptAfterMillis} (time passes, as before a signal
 * arrives) and then return -EINTR. Every wait's timeout is recorded; the timespec epoll_pwait2
 * receives is read back through a pipe (write its native bytes, read them into a buffer), so no
 * raw memory access is needed. A proxy, so a syscall added to LibC needs no change here.
 */
final class InterruptingLibC {
    /** One wait call: epoll_wait's timeout in ms, or epoll_pwait2's timespec in ns; and when (nanoTime) it was made. */
    record Wait(String call, long timeout, long atNanos) {
        @Override public String toString() { return call + "(" + timeout + ")"; }
    }

    private final LibC real;
    final LibC libc;
    private final int[] pipe = new int[2];
    private final ByteBuffer bytes = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final long bytesAddress;

    final List<Wait> waits = new ArrayList<>();
    int interruptNextWaits;
    int interruptAfterMillis;

    InterruptingLibC(LibC real) {
        this.real = real;
        this.bytesAddress = real.address(bytes);
        if (real.pipe(bytesAddress) != 0) throw new IllegalStateException("pipe");
        pipe[0] = bytes.getInt(0);
        pipe[1] = bytes.getInt(4);
        this.libc = (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[] {LibC.class},
                (proxy, method, args) -> intercept(method, args));
    }

    void closePipe() {
        real.close(pipe[0]);
        real.close(pipe[1]);
    }

    private Object intercept(Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "epoll_wait": {
                int timeoutMillis = (Integer) args[3];
                waits.add(new Wait("epoll_wait", timeoutMillis, System.nanoTime()));
                if (interruptNextWaits > 0 && timeoutMillis != 0) return interrupted(args);
                break;
            }
            case "epoll_pwait2": {
                waits.add(new Wait("epoll_pwait2", timespecNanos((Long) args[3]), System.nanoTime()));
                if (interruptNextWaits > 0) return interrupted(args);
                break;
            }
            default:
                break;
        }
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private long timespecNanos(long timespec) {
        if (real.write(pipe[1], timespec, 16) != 16 || real.read(pipe[0], bytesAddress, 16) != 16) {
            throw new IllegalStateException("copying the timespec through the pipe");
        }
        return bytes.getLong(0) * 1_000_000_000L + bytes.getLong(8);
    }

    private int interrupted(Object[] args) {
        interruptNextWaits--;
        real.epoll_wait((Integer) args[0], (Long) args[1], (Integer) args[2], interruptAfterMillis);
        return -Errno.EINTR;
    }
}
