package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.sys.Platform;
import dev.reactor.sys.bsd.BsdErrno;
import dev.reactor.sys.linux.LinuxErrno;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public errno names: the running OS's values, one name on every OS, each OS's table complete. */
class ErrnoTest {
    @Test
    void shouldGiveTheRunningOsValues() throws Exception {
        Map<String, Integer> running = fields(Platform.LINUX ? LinuxErrno.class : BsdErrno.class);
        Map<String, Integer> published = fields(Errno.class);
        assertFalse(published.isEmpty());
        published.forEach((name, value) -> assertEquals(running.get(name), value, name));
        if (Platform.LINUX) {
            assertEquals(11, Errno.EAGAIN);
            assertEquals(115, Errno.EINPROGRESS);
        }
    }

    /** The same names as the OS layer's own list, so the two cannot drift apart. */
    @Test
    void shouldPublishExactlyTheOsLayersNames() throws Exception {
        assertEquals(fields(dev.reactor.sys.Errno.class).keySet(), fields(Errno.class).keySet());
    }

    /** On macOS and FreeBSD the class initialises from BsdErrno: every name must be there, and differ where the headers do. */
    @Test
    void shouldFindEveryNameInEveryOsTable() throws Exception {
        Map<String, Integer> linux = fields(LinuxErrno.class);
        Map<String, Integer> bsd = fields(BsdErrno.class);
        for (String name : fields(Errno.class).keySet()) {
            assertTrue(linux.containsKey(name), name + " is missing from LinuxErrno");
            assertTrue(bsd.containsKey(name), name + " is missing from BsdErrno");
        }
        assertEquals(35, bsd.get("EAGAIN"), "EAGAIN in <sys/errno.h> of macOS and FreeBSD");
        assertEquals(36, bsd.get("EINPROGRESS"));
        assertEquals(61, bsd.get("ECONNREFUSED"));
    }

    @Test
    void shouldNameTheErrnoOfAFailedCallTheSameOnEveryOs() throws Exception {
        int neverOpen = 1_000_000;   // above any fd limit here (20,000), so no other thread's fd
        ReactorException closed = assertThrows(ReactorException.class, () -> Fds.read(neverOpen, ByteBuffer.allocateDirect(8)));
        assertEquals(Errno.EBADF, closed.errno());
        assertEquals("EBADF", closed.errnoName());
        assertEquals("errno 4095", new ReactorException("call()", 4095).errnoName());
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
    }

    private static Map<String, Integer> fields(Class<?> table) throws IllegalAccessException {
        Map<String, Integer> values = new TreeMap<>();
        for (Field f : table.getFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == int.class) values.put(f.getName(), f.getInt(null));
        }
        return values;
    }
}
