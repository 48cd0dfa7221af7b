package dev.reactor;

import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One reactor, five kinds of fd, each dispatched to its own Context and to no other. */
class MixedFdDispatchTest {

    @Test
    @LinuxOnly("eventfd")
    void shouldDispatchPipeEventfdTimerfdSocketpairAndTcpEachToItsOwnContext() throws Exception {
        int[] pipe = Fds.pipe();
        int eventFd = Fds.eventfd();
        int timerFd = Fds.timerfd(Duration.ofMillis(5), Duration.ZERO);
        int[] unix = Fds.socketpair();
        try (ServerSocketChannel server = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             Reactor reactor = Reactor.open()) {
            accepted.configureBlocking(false);
            int tcp = Fds.of(accepted);

            // Each Context reads its own fd: if it were called for another fd's readiness, its
            // own read would come back empty and the recorded data would show it.
            List<String> pipeData = new ArrayList<>();
            List<Long> eventfdData = new ArrayList<>();
            List<Long> timerfdData = new ArrayList<>();
            List<String> unixData = new ArrayList<>();
            List<String> tcpData = new ArrayList<>();
            Recorder onPipe = new Recorder(pipe[0], Interest.READ, (r, ev) -> pipeData.add(Io.readAvailable(pipe[0])));
            Recorder onEventfd = new Recorder(eventFd, Interest.READ, (r, ev) -> eventfdData.add(Fds.eventfdRead(eventFd)));
            Recorder onTimerfd = new Recorder(timerFd, Interest.READ, (r, ev) -> timerfdData.add(Fds.timerfdRead(timerFd)));
            Recorder onUnix = new Recorder(unix[0], Interest.READ, (r, ev) -> unixData.add(Io.readAvailable(unix[0])));
            Recorder onTcp = new Recorder(tcp, Interest.READ, (r, ev) -> tcpData.add(Io.readAvailable(tcp)));
            for (Recorder ctx : List.of(onPipe, onEventfd, onTimerfd, onUnix, onTcp)) reactor.register(ctx);

            Io.write(pipe[1], "through the pipe");
            Fds.eventfdWrite(eventFd, 42);
            Io.write(unix[1], "through the socketpair");
            client.write(java.nio.ByteBuffer.wrap("through tcp".getBytes()));

            Loop.until(reactor, () -> onPipe.count() > 0 && onEventfd.count() > 0 && onTimerfd.count() > 0
                    && onUnix.count() > 0 && !String.join("", tcpData).isEmpty());
            // A few more idle iterations: nothing is readable any more, so nobody may be called again.
            for (int i = 0; i < 3; i++) reactor.runOnce(Duration.ZERO);

            assertEquals(List.of("through the pipe"), pipeData);
            assertEquals(List.of(42L), eventfdData);
            assertEquals(List.of(1L), timerfdData);
            assertEquals(List.of("through the socketpair"), unixData);
            assertEquals("through tcp", String.join("", tcpData));
            for (Recorder ctx : List.of(onPipe, onEventfd, onTimerfd, onUnix, onTcp)) {
                for (int ev : ctx.events) assertEquals("READABLE", Events.toString(ev), ctx.toString());
            }
            assertEquals(5, reactor.registrations());
        } finally {
            Io.closeAll(pipe[0], pipe[1], eventFd, timerFd, unix[0], unix[1]);
        }
    }

    @Test
    void shouldDispatchWritableAndReadableToTheSameContextOfASocketpairEnd() throws Exception {
        int[] unix = Fds.socketpair();
        try (Reactor reactor = Reactor.open()) {
            Recorder both = new Recorder(unix[0], Interest.READ | Interest.WRITE);
            reactor.register(both);
            Io.write(unix[1], "x");
            Loop.until(reactor, () -> both.count() > 0);
            assertEquals("READABLE|WRITABLE", Events.toString(both.last()));
        } finally {
            Io.closeAll(unix);
        }
    }
}
