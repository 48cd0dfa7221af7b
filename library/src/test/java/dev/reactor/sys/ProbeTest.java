package dev.reactor.sys;

import dev.reactor.sys.bsd.Bsd;
import dev.reactor.sys.bsd.BsdErrno;
import dev.reactor.sys.bsd.Kqueue;
import dev.reactor.sys.linux.Epoll;
import dev.reactor.sys.linux.Linux;
import dev.reactor.sys.linux.LinuxErrno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every constant and layout the Java code uses, compared with what the C compiler says
 * (native/probe.c, built and run by the Makefile into native/build/probe.txt).
 */
class ProbeTest {
    /** The binding classes: each public static final int field must have a probe line of the same name. */
    private static final List<Class<?>> LINUX = List.of(Epoll.class, Linux.class, LinuxErrno.class);
    /** The macOS/FreeBSD tables: the probe compiled there checks them. */
    private static final List<Class<?>> BSD = List.of(Bsd.class, BsdErrno.class, Kqueue.class);
    /** Fields of the other BSD's ABI (EVFILT_USER_FREEBSD on macOS): no probe line there, by design. */
    private static final String OTHER_FLAVOUR = Platform.MACOS ? "_FREEBSD" : "_MACOS";
    private static final List<Class<?>> BINDINGS = Platform.BSD ? BSD : LINUX;

    private static Map<String, Long> probe;
    /** The architecture the probe was compiled for: its "# arch NAME" line. */
    private static String probeArch;

    @BeforeAll
    static void readProbe() throws IOException {
        assumeTrue(Platform.LINUX || Platform.BSD, "the probe covers Linux, macOS and FreeBSD");
        Path file = Path.of(System.getProperty("dev.reactor.probe", "native/build/probe.txt"));
        assertTrue(Files.exists(file), "probe output missing: " + file + " (run `make native`)");
        probe = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("# arch ")) probeArch = line.substring("# arch ".length()).trim();
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) probe.put(kv[0], Long.parseLong(kv[1]));
        }
        assertTrue(probe.size() > 50, "probe printed only " + probe.size() + " lines");
    }

    private static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> values = new LinkedHashMap<>();
        for (Class<?> c : BINDINGS) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                boolean integer = f.getType() == int.class || f.getType() == short.class;
                if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && integer
                        && !(Platform.BSD && f.getName().endsWith(OTHER_FLAVOUR))) {
                    values.put(f.getName(), (long) f.getInt(null));
                }
            }
        }
        return values;
    }

    @Test
    void shouldMatchCForEveryJavaConstantAndLayout() throws IllegalAccessException {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Long> e : javaConstants().entrySet()) {
            Long c = probe.get(e.getKey());
            if (c == null) wrong.add(e.getKey() + ": not checked by the probe");
            else if (c.longValue() != e.getValue()) wrong.add(e.getKey() + ": java " + e.getValue() + ", C " + c);
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void shouldUseEveryProbedValue() throws IllegalAccessException {
        Map<String, Long> java = javaConstants();
        List<String> unused = new ArrayList<>();
        for (String name : probe.keySet()) {
            if (!java.containsKey(name)) unused.add(name);
        }
        assertEquals(List.of(), unused, "probe lines with no Java constant");
    }

    /** Says so in the report: the other OS's tables are only checked where its probe runs. */
    @Test
    void shouldCheckTheBsdTablesOnlyWhereTheirProbeRuns() {
        assumeTrue(Platform.BSD, "not checked here: the macOS/FreeBSD tables (" + names(BSD) + ") are checked by the"
                + " probe compiled on macOS or FreeBSD; this is " + System.getProperty("os.name"));
        assertEquals(BSD, BINDINGS);
    }

    private static String names(List<Class<?>> classes) {
        StringBuilder b = new StringBuilder();
        for (Class<?> c : classes) b.append(b.length() == 0 ? "" : ", ").append(c.getSimpleName());
        return b.toString();
    }

    /** A probe of another build (the x86_64 one read by the aarch64 suite) would check nothing. */
    @Test
    void shouldBeTheProbeOfThisJvmsArchitecture() {
        String arch = Platform.X86_64 ? "x86_64" : Platform.AARCH64 ? "aarch64" : System.getProperty("os.arch");
        assertEquals(arch, probeArch, "the probe was compiled for another architecture than this JVM's");
    }

    @Test
    void shouldKnowEpollEventIsPackedOnX86() {
        assumeTrue(Platform.X86_64, "x86_64 only: struct epoll_event is packed there");
        assertEquals(12, probe.get("SIZEOF_EPOLL_EVENT"));
        assertEquals(4, probe.get("OFFSETOF_EPOLL_EVENT_DATA"));
    }

    @Test
    void shouldKnowEpollEventIsPaddedOnAarch64() {
        assumeTrue(Platform.AARCH64, "aarch64 only: struct epoll_event is naturally aligned there");
        assertEquals(16, probe.get("SIZEOF_EPOLL_EVENT"));
        assertEquals(8, probe.get("OFFSETOF_EPOLL_EVENT_DATA"));
        assertEquals(63, probe.get("SYS_read"));
    }
}
