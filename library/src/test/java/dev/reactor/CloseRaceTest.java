package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * close() from another thread while the loop thread is between runOnce calls, busy registering:
 * the loop thread must see IllegalStateException, never an epoll_ctl on an epoll fd that close()
 * already released (EBADF, or worse, a number reused by someone else's fd).
 */
class CloseRaceTest {

    @Test
    @LinuxOnly("eventfd")
    void shouldNeverLetARegistrationTouchAReleasedPoller() throws Exception {
        int fd = Fds.eventfd();
        try {
            FdSnapshot before = FdSnapshot.take();
            for (int round = 0; round < 200; round++) {
                Reactor reactor = Reactor.open(ReactorConfig.builder().queueCapacity(16).build());
                AtomicBoolean started = new AtomicBoolean();
                CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                    Loop.await(java.time.Duration.ofSeconds(10), started::get);
                    reactor.close();
                });
                Throwable failure = null;
                try {
                    for (int i = 0; ; i++) {
                        reactor.register(Context.of(fd, Interest.READ, (r, ev) -> { }));
                        if (i == 10) started.set(true);
                        reactor.deregister(fd);
                    }
                } catch (IllegalStateException expected) {
                    // closed under our feet: the only acceptable way to stop
                } catch (Throwable t) {
                    failure = t;
                }
                closer.get(10, TimeUnit.SECONDS);
                if (failure != null) throw new AssertionError("round " + round + ": " + failure, failure);
            }
            before.assertNoneOpened("after 200 rounds");
        } finally {
            Fds.close(fd);
        }
    }
}
