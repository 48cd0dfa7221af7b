package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.sys.linux.EpollPoller;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.Io;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * close() gives back every fd the reactor opened (its epoll, wakeup eventfd, fallback timerfd,
 * and the fds it owns) and leaves the user's fds open: they are only deregistered.
 */
class ReactorCloseTest {

    @Test
    @LinuxOnly("eventfd")
    void shouldCloseEveryFdItOpenedAndNoUserFd() throws Exception {
        int[] pipe = Fds.pipe();
        int eventFd = Fds.eventfd(1, false);
        try {
            FdSnapshot before = FdSnapshot.take();
            Reactor reactor = Reactor.open();
            assertFalse(before.opened().isEmpty(), "the reactor opened its epoll and wakeup fds");
            reactor.register(new Recorder(pipe[0], Interest.READ));
            reactor.register(new Recorder(eventFd, Interest.READ | Interest.EDGE));
            reactor.timeout(Duration.ofMillis(1), (r, id) -> { });
            reactor.runOnce(Duration.ofMillis(5));
            reactor.close();

            before.assertNoneOpened("the reactor's own fds are closed");
            assertTrue(Fds.isOpen(pipe[0]) && Fds.isOpen(pipe[1]) && Fds.isOpen(eventFd), "user fds stay open");
            assertEquals(1, Fds.eventfdRead(eventFd), "and usable");
        } finally {
            Io.closeAll(pipe[0], pipe[1], eventFd);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldNotLeakOver200OpenRegisterCloseCycles() throws Exception {
        int[] pair = Fds.socketpair();
        int eventFd = Fds.eventfd(1, false);
        try {
            FdSnapshot before = FdSnapshot.take();
            for (int i = 0; i < 200; i++) {
                try (Reactor reactor = Reactor.open(ReactorConfig.builder().queueCapacity(16).build())) {
                    reactor.register(new Recorder(pair[0], Interest.READ | Interest.WRITE));
                    reactor.register(new Recorder(eventFd, Interest.READ));
                    assertEquals(2, reactor.runOnce(Duration.ZERO));
                    if (i % 2 == 0) reactor.deregister(eventFd);
                }
            }
            before.assertNoneOpened("after 200 cycles");
            assertTrue(Fds.isOpen(pair[0]) && Fds.isOpen(eventFd));
        } finally {
            Io.closeAll(pair[0], pair[1], eventFd);
        }
    }

    @Test
    @LinuxOnly("epoll's timerfd fallback")
    void shouldCloseTheFallbackTimerfd() throws Exception {
        PollerKind.assumeEpoll("the timerfd fallback is epoll's; kqueue waits with kevent's own timespec");
        FdSnapshot before = FdSnapshot.take();
        for (int i = 0; i < 20; i++) {
            try (Reactor reactor = Reactor.open()) {
                ((EpollPoller) reactor.poller()).disablePwait2();
                boolean[] fired = {false};
                reactor.timeout(Duration.ofMillis(1), (r, id) -> fired[0] = true);
                Loop.until(reactor, () -> fired[0]);
                assertEquals("timerfd", reactor.timerSource());
            }
        }
        before.assertNoneOpened("the fallback timerfd is closed with the reactor");
    }

    @Test
    void shouldCloseTheFdsItOwns() throws Exception {
        int[] pair = Fds.socketpair();
        try {
            Reactor reactor = Reactor.open();
            reactor.register(new Recorder(pair[0], Interest.READ), Ownership.OWNED);
            reactor.close();
            assertFalse(Fds.isOpen(pair[0]), "an owned fd is closed with the reactor");
            assertTrue(Fds.isOpen(pair[1]));
        } finally {
            Io.closeAll(pair[0], pair[1]);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldLetTheUserFdBeRegisteredWithAnotherReactorAfterClose() throws Exception {
        int eventFd = Fds.eventfd(1, false);
        try {
            Reactor first = Reactor.open();
            first.register(new Recorder(eventFd, Interest.READ));
            first.close();
            try (Reactor second = Reactor.open()) {
                Recorder ctx = new Recorder(eventFd, Interest.READ);
                second.register(ctx);
                assertEquals(1, second.runOnce(Duration.ZERO));
            }
        } finally {
            Fds.close(eventFd);
        }
    }

    @Test
    @LinuxOnly("eventfd")
    void shouldCloseAfterTheIterationWhenClosedFromACallback() throws Exception {
        int a = Fds.eventfd(1, false);
        int b = Fds.eventfd(1, false);
        try {
            FdSnapshot before = FdSnapshot.take();
            Reactor reactor = Reactor.open();
            int[] calls = {0};
            EventHandler closeIt = (r, ev) -> {
                calls[0]++;
                r.close();
                assertTrue(r.isClosed());
            };
            reactor.register(Context.of(a, Interest.READ, closeIt));
            reactor.register(Context.of(b, Interest.READ, closeIt));
            reactor.run();   // returns: close() from a callback ends the loop
            assertEquals(2, calls[0], "the rest of the batch is still dispatched");
            before.assertNoneOpened("released at the end of the iteration");
            assertTrue(Fds.isOpen(a) && Fds.isOpen(b));
        } finally {
            Io.closeAll(a, b);
        }
    }

    @Test
    void shouldWaitForTheLoopWhenClosedFromAnotherThread() throws Exception {
        FdSnapshot before = FdSnapshot.take();
        Reactor reactor = Reactor.open();
        CompletableFuture<Void> loopRunning = new CompletableFuture<>();
        reactor.execute(() -> loopRunning.complete(null));
        CompletableFuture<java.util.List<String>> openedAfterClose = loopRunning.thenApplyAsync(v -> {
            reactor.close();             // returns only once the loop has let go of everything
            return before.opened();
        });
        reactor.run();                   // blocks until the other thread's close() wakes it
        assertEquals(java.util.List.of(), openedAfterClose.get(10, TimeUnit.SECONDS));
        assertTrue(reactor.isClosed());
    }
}
