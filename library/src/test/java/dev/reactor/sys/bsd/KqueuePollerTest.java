package dev.reactor.sys.bsd;

import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.ReactorException;
import dev.reactor.ffi.LibC;
import dev.reactor.io.Fds;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Os;
import dev.reactor.sys.Platform;
import dev.reactor.sys.Poller;
import dev.reactor.testing.Io;
import dev.reactor.testing.Loop;
import dev.reactor.testing.NativeBuild;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kqueue poller on the Linux emulator (native/kqueue-emu.c, macOS and FreeBSD ABIs), through
 * the suite's FFI backend: what only kqueue needs to show. One onEvent per fd per batch with read
 * and write merged (kqueue reports them as two entries); a READ|WRITE oneshot disarmed whole; a bad
 * fd refused at register through its receipt; the 64-byte FreeBSD stride; the EVFILT_USER wakeup.
 */
class KqueuePollerTest {
    private static Path macos;
    private static Path freebsd;

    @BeforeAll
    static void emulator() {
        assumeTrue(Platform.LINUX, "the kqueue emulator is Linux's (scripts/kqueue-emu)");
        macos = NativeBuild.path("libkqueue-emu.so");
        freebsd = NativeBuild.path("libkqueue-emu-freebsd.so");
        assertTrue(Files.exists(macos) && Files.exists(freebsd), "the emulator is missing from " + NativeBuild.dir() + " (scripts/native builds it)");
    }

    /** A reactor on the emulator of the ABI this suite's reactors speak (-Ddev.reactor.kqueue.abi, macOS by default). */
    private static Reactor open() throws Exception {
        Path lib = "freebsd".equals(System.getProperty("dev.reactor.kqueue.abi")) ? freebsd : macos;
        return Reactor.open(ReactorConfig.builder().poller("kqueue").kqueueLibrary(lib.toString()).build());
    }

    @Test
    void shouldNameTheKqueuePollerAndDispatchAPipe() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = open()) {
            assertTrue(reactor.backend().startsWith("kqueue/"), reactor.backend());
            Recorder r = new Recorder(pipe[0], Interest.READ, (re, ev) -> Io.readAvailable(pipe[0]));
            reactor.register(r);
            Io.write(pipe[1], "x");
            Loop.until(reactor, () -> r.count() > 0);
            assertEquals(List.of(Events.READABLE), r.events);
        } finally {
            Fds.closeQuietly(pipe[0]);
            Fds.closeQuietly(pipe[1]);
        }
    }

    @Test
    void shouldMergeReadAndWriteIntoOneDispatch() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = open()) {
            Io.write(pair[1], "ready to read");        // and pair[0] is writable: two kqueue entries
            Recorder r = new Recorder(pair[0], Interest.READ | Interest.WRITE | Interest.EDGE);
            reactor.register(r);
            Loop.until(reactor, () -> r.count() > 0);
            for (int i = 0; i < 3; i++) reactor.runOnce(Duration.ZERO);
            assertEquals(List.of(Events.READABLE | Events.WRITABLE), r.events, "one onEvent with both bits");
        } finally {
            Fds.closeQuietly(pair[0]);
            Fds.closeQuietly(pair[1]);
        }
    }

    @Test
    void shouldDisarmBothFiltersOfAReadWriteOneshotUntilReArmed() throws Exception {
        int[] pair = Fds.socketpair();
        try (Reactor reactor = open()) {
            int oneshot = Interest.READ | Interest.WRITE | Interest.ONESHOT;
            Recorder r = new Recorder(pair[0], oneshot);
            reactor.register(r);
            Loop.until(reactor, () -> r.count() > 0);          // writable at once: only the write filter fired
            assertEquals(List.of(Events.WRITABLE), r.events);
            Io.write(pair[1], "now readable too");
            for (int i = 0; i < 5; i++) reactor.runOnce(Duration.ofMillis(10));
            assertEquals(1, r.count(), "disarmed: the read filter was disabled with the write one");
            reactor.interest(pair[0], oneshot);
            Loop.until(reactor, () -> r.count() > 1);
            assertEquals(Events.READABLE | Events.WRITABLE, r.events.get(1));
        } finally {
            Fds.closeQuietly(pair[0]);
            Fds.closeQuietly(pair[1]);
        }
    }

    @Test
    void shouldRefuseABadFdAtRegisterThroughItsReceipt() throws Exception {
        try (Reactor reactor = open()) {
            int[] pipe = Fds.pipe();        // after open: the kqueue cannot take the number
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
            ReactorException e = assertThrows(ReactorException.class,
                    () -> reactor.register(new Recorder(pipe[0], Interest.READ)));
            assertEquals(Errno.EBADF, e.errno());
            assertTrue(e.getMessage().contains("kevent(EV_ADD, fd=" + pipe[0] + ")"), e.getMessage());
            assertEquals(null, reactor.context(pipe[0]), "not registered");
        }
    }

    @Test
    void shouldWakeABlockedLoopFromAnotherThread() throws Exception {
        try (Reactor reactor = open()) {
            boolean[] ran = new boolean[1];
            Thread other = new Thread(() -> reactor.execute(() -> ran[0] = true));
            other.start();
            Loop.until(reactor, Duration.ofSeconds(30), () -> ran[0]);   // each runOnce blocks until woken
            other.join();
        }
    }

    /**
     * A change the kernel refuses half-way (the faulty emulator refuses EVFILT_WRITE on a pipe,
     * as a kernel refuses a filter an fd lacks): interest() fails with that errno, and the
     * registration keeps working as it was — READ still dispatched, mute still silences it,
     * deregister leaves no knote reporting (the loop does not spin on a forgotten one).
     */
    @Test
    void shouldLeaveTheKernelAsItWasWhenAModifyFailsHalfWay() throws Exception {
        boolean freebsdAbi = "freebsd".equals(System.getProperty("dev.reactor.kqueue.abi"));
        Path faulty = macos.resolveSibling(freebsdAbi ? "libkqueue-faulty-freebsd.so" : "libkqueue-faulty.so");
        assertTrue(Files.exists(faulty), faulty + " is missing (scripts/kqueue-emu builds it)");
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open(ReactorConfig.builder().poller("kqueue").kqueueLibrary(faulty.toString()).build())) {
            Recorder r = new Recorder(pipe[0], Interest.READ, (re, ev) -> Io.readAvailable(pipe[0]));
            reactor.register(r);
            ReactorException e = assertThrows(ReactorException.class,
                    () -> reactor.interest(pipe[0], Interest.READ | Interest.WRITE));
            assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
            assertEquals("kevent(modify, fd=" + pipe[0] + ")", e.call());
            // From READ to READ|EDGE deletes the read knote, then the add succeeds: no failure here,
            // but from READ|EDGE to WRITE|EDGE deletes READ and the add of WRITE fails: READ is back.
            reactor.interest(pipe[0], Interest.READ | Interest.EDGE);
            assertThrows(ReactorException.class, () -> reactor.interest(pipe[0], Interest.WRITE | Interest.EDGE));
            Io.write(pipe[1], "still read");
            Loop.until(reactor, () -> r.count() > 0);
            assertEquals(List.of(Events.READABLE), r.events, "READ kept working");
            reactor.interest(pipe[0], 0);
            Io.write(pipe[1], "muted");
            for (int i = 0; i < 5; i++) reactor.runOnce(Duration.ofMillis(10));
            assertEquals(1, r.count(), "mute still silences it");
            reactor.deregister(pipe[0]);
            long iterations = reactor.stats().iterations();
            assertEquals(0, reactor.runOnce(Duration.ofMillis(50)), "no knote left reporting");
            assertEquals(iterations + 1, reactor.stats().iterations());
        } finally {
            Fds.closeQuietly(pipe[0]);
            Fds.closeQuietly(pipe[1]);
        }
    }

    /** Both ABIs, at the poller: the 64-byte FreeBSD stride reads the same tokens and bits as macOS's 32. */
    @Test
    void shouldReadTokensAndEventsWithEitherStride() throws Exception {
        LibC c = Os.libc();
        for (Kqueue.Abi abi : Kqueue.Abi.values()) {
            Path lib = abi == Kqueue.Abi.MACOS ? macos : freebsd;
            int[] pipes = new int[6];
            for (int i = 0; i < 3; i++) {
                int[] p = Fds.pipe();
                pipes[2 * i] = p[0];
                pipes[2 * i + 1] = p[1];
            }
            try (KqueuePoller poller = new KqueuePoller(c, Os.kevent(c.name(), lib.toString()), abi, 16)) {
                assertEquals(abi.sizeofKevent, poller.keventSize());
                for (int i = 0; i < 3; i++) poller.add(pipes[2 * i], ((long) (i + 1) << 32) | pipes[2 * i], Poller.READ);
                Io.write(pipes[1], "a");
                Io.write(pipes[5], "c");
                int n = poller.poll(System.nanoTime() + 10_000_000_000L);
                assertEquals(2, n, abi + ": the two readable pipes");
                long t0 = poller.token(0);
                long t1 = poller.token(1);
                assertEquals(List.of((1L << 32) | pipes[0], (3L << 32) | pipes[4]), List.of(Math.min(t0, t1), Math.max(t0, t1)), abi.toString());
                assertEquals(Poller.READABLE, poller.events(0));
                assertEquals(Poller.READABLE, poller.events(1));
            } finally {
                for (int fd : pipes) Fds.closeQuietly(fd);
            }
        }
    }
}
