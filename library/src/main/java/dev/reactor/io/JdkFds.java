package dev.reactor.io;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fd number the JDK keeps in private fields: {@code java.io.FileDescriptor.fd}, and the
 * {@code FileDescriptor fd} of sun.nio.ch's channels. The JDK offers no supported way to read an
 * fd, so this is deep reflection, which the JDK allows only where java.base opens the package to
 * this module: {@code --add-opens java.base/java.io=dev.reactor} (or {@code =ALL-UNNAMED} on the
 * class path), and {@code java.base/sun.nio.ch} too for channels. Without them the call fails
 * with a message naming the flags. No sun.misc.Unsafe: it warns on JDK 24+ and a later JDK denies
 * it (JEP 471, JEP 498).
 */
final class JdkFds {
    private JdkFds() { }

    private static final String OF_FD = "Fds.of(FileDescriptor)";
    private static final String OF_CHANNEL = "Fds.of(SelectableChannel)";

    static int fd(FileDescriptor fd) {
        Field f = declared(FileDescriptor.class, "fd", int.class);
        if (f == null) throw new UnsupportedOperationException(OF_FD + ": no int fd field in java.io.FileDescriptor");
        try {
            return accessible(f, OF_FD).getInt(fd);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(OF_FD + ": " + e.getMessage(), e);   // setAccessible succeeded
        }
    }

    static int channelFd(SelectableChannel channel) {
        for (Class<?> c = channel.getClass(); c != null; c = c.getSuperclass()) {
            Field f = declared(c, "fd", FileDescriptor.class);
            if (f == null) continue;
            try {
                // Both packages are checked first, so one message names every flag the call needs.
                FileDescriptor fd = (FileDescriptor) accessible(f, OF_CHANNEL, FileDescriptor.class).get(channel);
                return fd.valid() ? fd(fd) : -1;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(OF_CHANNEL + ": " + e.getMessage(), e);
            }
        }
        throw new UnsupportedOperationException(OF_CHANNEL + ": no fd found in " + channel.getClass().getName());
    }

    /** f made accessible, or an exception naming the --add-opens that call lacks (for f and alsoRead). */
    private static Field accessible(Field f, String call, Class<?>... alsoRead) {
        Module self = JdkFds.class.getModule();
        String target = self.isNamed() ? self.getName() : "ALL-UNNAMED";
        List<String> packages = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        List<Class<?>> classes = new ArrayList<>(List.of(f.getDeclaringClass()));
        classes.addAll(List.of(alsoRead));
        for (Class<?> c : classes) {
            Module m = c.getModule();
            if (m.isOpen(c.getPackageName(), self) || packages.contains(c.getPackageName())) continue;
            packages.add(c.getPackageName());
            flags.add("--add-opens " + m.getName() + "/" + c.getPackageName() + "=" + target);
        }
        if (flags.isEmpty()) {
            try {
                f.setAccessible(true);
                return f;
            } catch (InaccessibleObjectException | SecurityException e) {
                throw new UnsupportedOperationException(call + ": " + e.getMessage(), e);
            }
        }
        throw new UnsupportedOperationException(call + ": the JDK has no supported way to read an fd, and "
                + f.getDeclaringClass().getModule().getName() + " does not open " + String.join(", ", packages)
                + " to " + target + " for reflection; run java with " + String.join(" ", flags));
    }

    private static Field declared(Class<?> c, String name, Class<?> type) {
        try {
            Field f = c.getDeclaredField(name);
            return f.getType() == type ? f : null;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }
}
