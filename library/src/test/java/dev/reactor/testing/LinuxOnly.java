package dev.reactor.testing;

import dev.reactor.sys.Platform;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;

/**
 * Marks a test (class or method), or a test helper, that needs something only Linux has:
 * eventfd, timerfd, /proc, tgkill, epoll itself. Elsewhere (macOS, FreeBSD) the test is skipped
 * with the reason given here. {@link LinuxOnlyGuard} checks that every test reaching such a thing
 * carries the mark, so that a macOS run skips, saying why, instead of failing.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
@ExtendWith(LinuxOnly.Condition.class)
public @interface LinuxOnly {
    /** What Linux-only thing this needs, e.g. "eventfd" or "/proc/self/fd". */
    String value();

    /**
     * Marks a test helper that takes a Linux-only way on Linux and another elsewhere (a branch on
     * the OS): {@link LinuxOnlyGuard} does not look inside it.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface ByOs { }

    /** Runs the marked test on Linux only; elsewhere it is skipped with the annotation's reason. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<AnnotatedElement> element = context.getElement();
            return evaluate(element.flatMap(e -> AnnotationSupport.findAnnotation(e, LinuxOnly.class)),
                    Platform.LINUX, System.getProperty("os.name"));
        }

        static ConditionEvaluationResult evaluate(Optional<LinuxOnly> mark, boolean linux, String os) {
            if (mark.isEmpty() || linux) return ConditionEvaluationResult.enabled("Linux, or not marked");
            return ConditionEvaluationResult.disabled("Linux only: " + mark.get().value() + " (this is " + os + ")");
        }
    }
}
