package dev.reactor;

import dev.reactor.io.Sockets;
import dev.reactor.sys.linux.EpollPoller;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.LogCapture;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.Echo;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Net;
import dev.reactor.testing.OutOfFds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without epoll_pwait2 a timerfd carries the loop's deadlines; a loop out of fds must still wait
 * with one. Issue 8, point 9: the timerfd was made on the first timed wait; the Acceptor's EMFILE
 * pause is such a wait, made when no fd is left, so timerfd_create() failed with EMFILE and the
 * reactor died. In-process: {@link OutOfFds} fills the fd table below a lowered soft limit. The
 * fallback is the kernel's in the no-pwait2 suite, {@link EpollPoller#disablePwait2()} elsewhere.
 */
@LinuxOnly("epoll's timerfd fallback")
class TimerfdFallbackUnderEmfileTest {
    private static final Duration PAUSE = Duration.ofMillis(10);

    /**
     * Out of fds, no class can be read from a classpath directory: run every path the tests
     * take once, on another reactor, while fds are plenty. Logging too: its first line opens files.
     */
    @BeforeAll
    static void rehearse() throws Exception {
        PollerKind.assumeEpoll("the timerfd fallback is epoll's; kqueue waits with kevent's own timespec");
        System.getLogger("dev.reactor").log(System.Logger.Level.INFO, "TimerfdFallbackUnderEmfileTest: logging set up before the fds run out");
        try (Reactor reactor = Reactor.open()) {
            useTheFallback(reactor);
            boolean[] fired = {false};
            reactor.timeout(Duration.ofMillis(1), (r, id) -> fired[0] = true);
            Loop.until(reactor, () -> fired[0]);
            AtomicInteger accepted = new AtomicInteger();
            try (Socket client = connect(listen(reactor, accepted))) {
                Loop.until(reactor, () -> accepted.get() == 1);
                assertEquals(42, echo(reactor, client));
            }
        }
    }

    @Test
    void shouldWaitAndFireATimeoutOnTheFallbackWhenNoFdIsLeft() throws Exception {
        try (Reactor reactor = Reactor.open()) {
            useTheFallback(reactor);
            boolean[] fired = {false};
            long waitedNanos = -1;
            Throwable failure = null;
            int dups;
            try (OutOfFds none = OutOfFds.exhaust()) {
                dups = none.dups();
                try {
                    long start = System.nanoTime();
                    reactor.runOnce(Duration.ofMillis(5));              // a timed wait, nothing due
                    waitedNanos = System.nanoTime() - start;
                    reactor.timeout(Duration.ofMillis(2), (r, id) -> fired[0] = true);
                    for (int i = 0; i < 100 && !fired[0]; i++) reactor.runOnce(Duration.ofMillis(5));
                } catch (Throwable t) {
                    failure = t;                                        // reported once fds are back
                }
            }
            if (failure != null) throw new AssertionError("the loop failed while out of fds (" + dups + " dups)", failure);
            assertTrue(waitedNanos >= 5_000_000, "runOnce(5 ms) returned after " + waitedNanos + " ns");
            assertTrue(fired[0], "the timeout never fired");
            assertFalse(reactor.isClosed());
        }
    }

    @Test
    void shouldKeepTheLoopThroughTheAcceptorsEmfilePauseOnTheFallback() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (Reactor reactor = Reactor.open(); LogCapture log = LogCapture.start()) {
            useTheFallback(reactor);
            try (Socket client = connect(listen(reactor, accepted))) {   // the kernel completes it; the loop has not run
                Throwable failure = null;
                try (OutOfFds none = OutOfFds.exhaust()) {
                    try {
                        // accept4() fails with EMFILE and the acceptor pauses on a timer: timed waits follow.
                        for (int i = 0; i < 10; i++) reactor.runOnce(Duration.ofMillis(5));
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                if (failure != null) throw new AssertionError("the loop failed while out of fds", failure);
                assertFalse(reactor.isClosed());
                assertEquals(0, accepted.get(), "nothing can be accepted without a free fd");
                assertTrue(log.records.stream().anyMatch(r -> r.getMessage().contains("EMFILE (Too many open files); accepting pauses")),
                        "the pause is logged: " + log.records);

                Loop.until(reactor, () -> accepted.get() == 1);         // fds are back: the pause ends
                assertEquals(42, echo(reactor, client), "the connection accepted after the pause is served");
            }
        }
    }

    /** The no-pwait2 suite's reactors are on the fallback already; elsewhere take pwait2 away. */
    private static void useTheFallback(Reactor reactor) throws Exception {
        if (!reactor.timerSource().equals("timerfd")) ((EpollPoller) reactor.poller()).disablePwait2();
        assertEquals("timerfd", reactor.timerSource());
    }

    /** An echo listener on loopback that pauses {@link #PAUSE} at a time when accept fails; returns its port. */
    private static int listen(Reactor reactor, AtomicInteger accepted) throws IOException {
        int listener = reactor.listen(Net.loopback4(), ListenOptions.builder().acceptPause(PAUSE).build(), (r, fd, peer) -> {
            accepted.incrementAndGet();
            return new Echo(fd);
        });
        return Sockets.localPort(listener);
    }

    private static Socket connect(int port) throws IOException {
        Socket client = new Socket();
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return client;
    }

    /** Writes one byte and returns what comes back, running the loop on this thread meanwhile. */
    private static int echo(Reactor reactor, Socket client) throws IOException {
        client.getOutputStream().write(42);
        client.setSoTimeout(10);
        InputStream in = client.getInputStream();
        long end = System.nanoTime() + Loop.DEFAULT_DEADLINE.toNanos();
        while (System.nanoTime() - end < 0) {
            reactor.runOnce(Duration.ofMillis(10));
            try {
                return in.read();
            } catch (SocketTimeoutException notYet) {
                // not echoed yet: run the loop again
            }
        }
        throw new AssertionError("no echo within " + Loop.DEFAULT_DEADLINE);
    }
}
