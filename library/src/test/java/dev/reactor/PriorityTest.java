package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Loop;
import dev.reactor.testing.PollerKind;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interest.PRIORITY is EPOLLPRI: TCP urgent data (the sender's MSG_OOB byte) makes the receiving
 * socket report Events.PRIORITY, and PRIORITY alone is a valid interest (PSI and cgroup files
 * need nothing else). On kqueue it is refused, saying so, and nothing is registered.
 */
class PriorityTest {
    @Test
    void shouldReportTcpUrgentDataAsPriority() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
             SocketChannel accepted = server.accept();
             Reactor reactor = Reactor.open()) {
            accepted.configureBlocking(false);
            int fd = Fds.of(accepted);
            AtomicInteger seen = new AtomicInteger();
            Context ctx = Context.of(fd, Interest.PRIORITY, (r, events) -> {
                seen.set(events);
                r.deregister(fd);                // the urgent byte stays pending: level-triggered, it would report again
            });
            if (PollerKind.kqueue()) {
                ReactorException e = assertThrows(ReactorException.class, () -> reactor.register(ctx));
                assertEquals(Errno.EOPNOTSUPP, e.errno());
                assertEquals("kevent(EV_ADD, fd=" + fd + "): " + Errno.describe(Errno.EOPNOTSUPP) + ": Interest.PRIORITY"
                        + " (EPOLLPRI) is epoll's; kqueue has no filter for it here (EVFILT_EXCEPT/NOTE_OOB, TCP urgent"
                        + " data only, is not implemented)", e.getMessage());
                assertEquals(null, reactor.context(fd), "nothing registered");
                return;
            }
            reactor.register(ctx);
            assertEquals(0, reactor.runOnce(Duration.ZERO), "no urgent data yet");
            client.sendUrgentData(0x21);
            for (int i = 0; i < 1000 && seen.get() == 0; i++) reactor.runOnce(Loop.DEFAULT_DEADLINE);
            assertTrue(Events.isPriority(seen.get()), "events: " + Events.toString(seen.get()));
            assertEquals("PRIORITY", Events.toString(seen.get() & ~Events.READABLE), Events.toString(seen.get()));
        }
    }

    @Test
    void shouldNamePriorityInInterestAndEvents() {
        assertEquals("READ|PRIORITY", Interest.toString(Interest.READ | Interest.PRIORITY));
        assertEquals("PRIORITY", Events.toString(Events.PRIORITY));
    }

    /** interest() adds and drops PRIORITY like any other bit on epoll (MOD with EPOLLPRI), and kqueue refuses it there too. */
    @Test
    void shouldTakePriorityThroughInterestAsThroughRegister() throws Exception {
        int[] pipe = Fds.pipe();
        try (Reactor reactor = Reactor.open()) {
            reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> { }));
            if (PollerKind.kqueue()) {
                ReactorException e = assertThrows(ReactorException.class, () -> reactor.interest(pipe[0], Interest.READ | Interest.PRIORITY));
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                assertTrue(reactor.context(pipe[0]) != null, "the registration stays, with its old interest");
                reactor.interest(pipe[0], Interest.READ);
            } else {
                reactor.interest(pipe[0], Interest.READ | Interest.PRIORITY);
                reactor.interest(pipe[0], 0);
                reactor.interest(pipe[0], Interest.PRIORITY);
            }
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }
}
