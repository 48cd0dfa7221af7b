package dev.reactor.testing;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds tests that reach something only Linux has without saying so with {@link LinuxOnly}: on
 * macOS such a test would fail instead of being skipped with a reason. Read from the bytecode
 * (ArchUnit): from each unmarked test method, and from each unmarked class's set-up code, every
 * call is followed through the test code (helpers, lambdas, the anonymous Contexts a test makes)
 * until it reaches one of these:
 * <ul>
 *   <li>anything in {@code dev.reactor.sys.linux} (epoll, Linux's tables);</li>
 *   <li>{@code Fds.eventfd*}, {@code Fds.timerfd*}, {@code Fds.signalfd*}, {@code Fds.pidfd} and {@code Fds.inotify};</li>
 *   <li>{@code Inotify}, but for {@code describe} (names of bits, on any OS);</li>
 *   <li>test code marked {@link LinuxOnly} (the helpers that read /proc or call tgkill).</li>
 * </ul>
 * A helper that takes the Linux way only on Linux says so with {@link LinuxOnly.ByOs}, and is not
 * looked into. What it cannot see: a path string. A test that reads /proc itself must carry the mark;
 * {@code LinuxOnlyGuardTest} also checks that in the sources.
 */
public final class LinuxOnlyGuard {
    private static final Set<String> TEST_ANNOTATIONS = Set.of(
            "org.junit.jupiter.api.Test", "org.junit.jupiter.params.ParameterizedTest",
            "org.junit.jupiter.api.RepeatedTest", "org.junit.jupiter.api.TestFactory",
            "net.jqwik.api.Property", "net.jqwik.api.Example");
    private static final Set<String> SET_UP = Set.of(
            "org.junit.jupiter.api.BeforeAll", "org.junit.jupiter.api.BeforeEach",
            "org.junit.jupiter.api.AfterEach", "org.junit.jupiter.api.AfterAll",
            "net.jqwik.api.lifecycle.BeforeContainer", "net.jqwik.api.lifecycle.BeforeProperty",
            "net.jqwik.api.lifecycle.AfterProperty", "net.jqwik.api.lifecycle.AfterContainer",
            "net.jqwik.api.lifecycle.BeforeTry", "net.jqwik.api.lifecycle.AfterTry");

    private final JavaClasses classes;
    private final Map<JavaCodeUnit, Optional<String>> memo = new HashMap<>();

    private LinuxOnlyGuard(JavaClasses classes) {
        this.classes = classes;
    }

    /** One line per unmarked test (or set-up) that reaches Linux-only code, with the path to it. */
    public static List<String> unmarked(JavaClasses classes) {
        LinuxOnlyGuard guard = new LinuxOnlyGuard(classes);
        List<String> found = new ArrayList<>();
        for (JavaClass c : classes) {
            if (marked(c)) continue;
            for (JavaCodeUnit u : c.getCodeUnits()) {
                boolean test = TEST_ANNOTATIONS.stream().anyMatch(u::isAnnotatedWith);
                boolean setUp = SET_UP.stream().anyMatch(u::isAnnotatedWith) || u.getName().equals("<clinit>")
                        || (u.getName().equals("<init>") && c.getCodeUnits().stream().anyMatch(
                                m -> TEST_ANNOTATIONS.stream().anyMatch(m::isAnnotatedWith)));
                if (!test && !setUp) continue;
                if (test && u.isAnnotatedWith(LinuxOnly.class)) continue;
                guard.path(u).ifPresent(p -> found.add((setUp ? "set-up of " + c.getName() + " (mark the class): " : "")
                        + describe(u) + " -> " + p));
            }
        }
        return found;
    }

    /**
     * The test sources that name a /proc path outside comments without any {@code @LinuxOnly}:
     * a path is a string, which the bytecode check cannot follow. Per file, so the mark must
     * then be on the method that reads it (the bytecode check takes it from there).
     */
    public static List<String> unmarkedProcPaths(Path sources) throws IOException {
        List<String> unmarked = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                if (code.contains("\"/proc/") && !code.contains("@LinuxOnly")) unmarked.add(sources.relativize(f).toString());
            }
        }
        return unmarked;
    }

    private static boolean marked(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (k.isAnnotatedWith(LinuxOnly.class)) return true;
        }
        return false;
    }

    /** The path from u to Linux-only code, or empty. Depth-first over the calls, memoised. */
    private Optional<String> path(JavaCodeUnit start) {
        Optional<String> known = memo.get(start);
        if (known != null) return known;
        memo.put(start, Optional.empty());              // a cycle adds nothing
        Optional<String> result = Optional.empty();
        for (JavaAccess<?> access : accessesOf(start)) {
            AccessTarget target = access.getTarget();
            String owner = target.getOwner().getName();
            String reason = linuxOnly(owner, target.getName());
            if (reason != null) {
                result = Optional.of(shortName(owner) + "." + target.getName() + " (" + reason + ")");
                break;
            }
            for (JavaCodeUnit next : codeReachedBy(target)) {
                if (next.isAnnotatedWith(LinuxOnly.ByOs.class)) continue;
                if (next.isAnnotatedWith(LinuxOnly.class) || next.getOwner().isAnnotatedWith(LinuxOnly.class)) {
                    result = Optional.of(describe(next) + " (marked Linux only)");
                    break;
                }
                Optional<String> deeper = path(next);
                if (deeper.isPresent()) {
                    result = Optional.of(describe(next) + " -> " + deeper.get());
                    break;
                }
            }
            if (result.isPresent()) break;
        }
        // A nested class handed on as a class object (ChildJvm.command(..., Child.class, ...))
        // runs its main in a child JVM: that main is reached too.
        for (var ref : result.isPresent() ? List.<com.tngtech.archunit.core.domain.ReferencedClassObject>of() : start.getReferencedClassObjects()) {
            String name = ref.getRawType().getName();
            if (!classes.contain(name) || classes.get(name).getEnclosingClass().isEmpty()) continue;
            for (JavaCodeUnit main : classes.get(name).getCodeUnits()) {
                if (!main.getName().equals("main")) continue;
                Optional<String> deeper = main.isAnnotatedWith(LinuxOnly.class) ? Optional.of("(marked Linux only)") : path(main);
                if (deeper.isPresent()) {
                    result = Optional.of(describe(main) + " (a child JVM) -> " + deeper.get());
                    break;
                }
            }
            if (result.isPresent()) break;
        }
        memo.put(start, result);
        return result;
    }

    private static List<JavaAccess<?>> accessesOf(JavaCodeUnit u) {
        List<JavaAccess<?>> all = new ArrayList<>();
        all.addAll(u.getMethodCallsFromSelf());
        all.addAll(u.getConstructorCallsFromSelf());
        all.addAll(u.getMethodReferencesFromSelf());
        all.addAll(u.getConstructorReferencesFromSelf());
        return all;
    }

    /**
     * The imported code a call can run: the method itself, and for a constructor, every method of
     * the class it makes (an anonymous Context's onEvent runs later, from the loop).
     */
    private List<JavaCodeUnit> codeReachedBy(AccessTarget target) {
        String owner = target.getOwner().getName();
        if (!classes.contain(owner)) return List.of();
        JavaClass c = classes.get(owner);
        List<JavaCodeUnit> reached = new ArrayList<>();
        if (target.getName().equals("<init>")) {
            boolean callback = c.isAnonymousClass() || c.isLocalClass() || c.getAllRawInterfaces().stream()
                    .anyMatch(i -> !classes.contain(i.getName()) && (i.getPackageName().startsWith("dev.reactor")
                            || i.getName().equals("java.lang.Runnable") || i.getName().startsWith("java.util.concurrent.")));
            for (JavaCodeUnit u : c.getCodeUnits()) {
                if (u.getName().equals("<init>") || (callback && !u.getModifiers().contains(JavaModifier.STATIC))) reached.add(u);
            }
        } else {
            for (JavaCodeUnit u : c.getCodeUnits()) if (u.getName().equals(target.getName())) reached.add(u);
        }
        return reached;
    }

    private static String linuxOnly(String owner, String method) {
        // Linux's tables (LinuxOs's constructor, its sockaddr and msghdr layouts, its CPU check) are
        // plain Java, read on any OS by the table tests; the rest of sys.linux calls Linux.
        if (owner.equals("dev.reactor.sys.linux.LinuxOs")
                && Set.of("<init>", "sockaddr", "msghdr", "unsupported", "name").contains(method)) {
            return null;
        }
        if (owner.startsWith("dev.reactor.sys.linux.")) return "Linux's OS layer";
        if (owner.equals("dev.reactor.io.Fds") && (method.startsWith("eventfd") || method.startsWith("timerfd")
                || method.equals("pidfd") || method.startsWith("signalfd") || method.equals("inotify"))) {
            return method.startsWith("eventfd") ? "eventfd" : method.startsWith("timerfd") ? "timerfd"
                    : method.startsWith("signalfd") ? "signalfd" : method;
        }
        if (owner.startsWith("dev.reactor.io.Inotify") && !method.equals("describe")) return "inotify";
        return null;
    }

    private static String describe(JavaCodeUnit u) {
        return shortName(u.getOwner().getName()) + "." + u.getName();
    }

    private static String shortName(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
