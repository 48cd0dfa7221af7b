package dev.reactor.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The heavy tier: runs once, in the default suite (panama on the newest JDK); every variant suite
 * (jnr, panama-spin, no-pwait2, jnr-jdk17, and those to come) runs only the core tier, with
 * {@code <excludedGroups>heavy</excludedGroups>}.
 *
 * <p>A test is heavy when it is expensive <em>and</em> one run says all it can: what it checks
 * does not change with the backend, the JDK, the idle strategy or the kernel path, or a core test
 * checks that part on every variant. Tagged so far, with what each cost per suite here
 * (surefire-reports, 2-core VM): a child JVM (AcceptUnderEmfileTest, ~2.8 s; the loop's survival
 * of an EMFILE pause stays core in TimerfdFallbackUnderEmfileTest); real servers and clients
 * (RealClientsTest: curl, and two 5 s wrk runs, ~11 s; OneLoopAppTest's two redis-server tests,
 * ~0.5 s; where those tools are missing they are skipped); 1,000
 * connections (EchoServerTest, ~0.5 s); as many connections as the fd limit allows, between two
 * child JVMs (LoadTest, ~6-10 s); a million timers or timer pairs in plain Java
 * (TimersTest, TimeoutTest and TimerAllocationTest's million-timer tests, ~3 s together).
 *
 * <p>Not heavy, though slow: DispatchAllocationTest (~2 s; whether a dispatch allocates depends
 * on the backend and on the JDK's JIT), SendTest's million messages (~1 s; the cross-thread
 * wakeup protocol is what the idle strategies and backends change), ReadmeExampleTest (~0.8 s;
 * the README must compile on JDK 17 too), SignalStormTest (~2.5 s, up to ~8 s on a busy
 * machine; where EINTR comes back differs by backend and kernel path: epoll_pwait2, or epoll_wait
 * with the timerfd), and the race tests (CloseRaceTest, LifecycleTest):
 * the more variants run them, the likelier a race shows.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag("heavy")
public @interface Heavy {
}
