package dev.reactor.io;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.nio.channels.SelectableChannel;

/**
 * Reads the fd number the JDK keeps in private fields. Reflection works when the module is
 * opened ({@code --add-opens java.base/java.io=dev.reactor}, {@code java.base/sun.nio.ch}); without
 * that, sun.misc.Unsafe reads the field (jdk.unsupported, present on every JDK we target).
 */
final class JdkFds {
    private JdkFds() { }

    static int channelFd(SelectableChannel channel) {
        for (Class<?> c = channel.getClass(); c != null; c = c.getSuperclass()) {
            Field f = field(c, "fd");
            if (f != null && f.getType() == FileDescriptor.class) {
                return Fds.of((FileDescriptor) readObject(channel, f));
            }
        }
        throw new UnsupportedOperationException("Fds.of: no fd found in " + channel.getClass().getName());
    }

    static int intField(Object o, Class<?> declaring, String name) {
        Field f = field(declaring, name);
        if (f == null) throw new UnsupportedOperationException("no field " + name + " in " + declaring.getName());
        try {
            f.setAccessible(true);
            return f.getInt(o);
        } catch (RuntimeException | IllegalAccessException e) {
            return UnsafeAccess.getInt(o, f);
        }
    }

    private static Object readObject(Object o, Field f) {
        try {
            f.setAccessible(true);
            return f.get(o);
        } catch (RuntimeException | IllegalAccessException e) {
            return UnsafeAccess.getObject(o, f);
        }
    }

    private static Field field(Class<?> c, String name) {
        try {
            return c.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static final class UnsafeAccess {
        private static final sun.misc.Unsafe U;
        static {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                U = (sun.misc.Unsafe) f.get(null);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("deprecation")
        static int getInt(Object o, Field f) {
            return U.getInt(o, U.objectFieldOffset(f));
        }

        @SuppressWarnings("deprecation")
        static Object getObject(Object o, Field f) {
            return U.getObject(o, U.objectFieldOffset(f));
        }
    }
}
