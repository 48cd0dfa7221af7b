package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.Loop;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.Recorder;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fds the library did not make: from jnr-posix, from java.nio channels, from java.io streams. */
class ForeignFdTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    @Test
    void shouldDispatchAPipeMadeByJnrPosix() throws Exception {
        int[] pipe = new int[2];
        assertEquals(0, POSIX.pipe(pipe), "jnr-posix pipe");
        try (Reactor reactor = Reactor.open()) {
            // jnr-posix makes blocking fds; level-triggered dispatch only reads when data is there.
            StringBuilder got = new StringBuilder();
            Recorder ctx = new Recorder(pipe[0], Interest.READ, (r, ev) -> got.append(Io.readAvailableOnce(pipe[0])));
            reactor.register(ctx);
            POSIX.write(pipe[1], ByteBuffer.wrap("from jnr-posix".getBytes(StandardCharsets.UTF_8)), 14);
            Loop.until(reactor, () -> got.length() == 14);
            assertEquals("from jnr-posix", got.toString());
            assertEquals(Events.READABLE, ctx.events.get(0));
        } finally {
            POSIX.close(pipe[0]);
            POSIX.close(pipe[1]);
        }
    }

    @Test
    void shouldRejectARegularFileOpenedByJnrPosixWithEperm(@TempDir Path dir) throws Exception {
        PollerKind.assumeEpoll("epoll refuses a regular file (EPERM); kqueue takes one as always readable");
        Path file = Files.writeString(dir.resolve("plain.txt"), "not pollable");
        for (Path path : new Path[] {file, dir}) {                  // a regular file, then a directory
            int fd = POSIX.open(path.toString(), 0 /* O_RDONLY */, 0);
            assertTrue(fd >= 0, "jnr-posix open " + path);
            try (Reactor reactor = Reactor.open()) {
                ReactorException e = assertThrows(ReactorException.class,
                        () -> reactor.register(new Recorder(fd, Interest.READ)));
                assertEquals(Errno.EPERM, e.errno());
                assertEquals("epoll_ctl(ADD, fd=" + fd + "): EPERM (Operation not permitted): "
                        + dev.reactor.sys.linux.EpollPoller.NOT_POLLABLE, e.getMessage());
                assertTrue(e.getMessage().contains("regular file or a directory"), e.getMessage());
                assertNull(reactor.context(fd));
            } finally {
                POSIX.close(fd);
            }
        }
    }

    @Test
    void shouldDispatchAJavaNioPipe() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink();
             Reactor reactor = Reactor.open()) {
            source.configureBlocking(false);
            int fd = Fds.of(source);
            ByteBuffer got = ByteBuffer.allocate(64);
            Recorder ctx = new Recorder(fd, Interest.READ, (r, ev) -> source.read(got));
            reactor.register(ctx);
            sink.write(ByteBuffer.wrap("from java.nio".getBytes(StandardCharsets.UTF_8)));
            Loop.until(reactor, () -> got.position() == 13);
            assertEquals("from java.nio", new String(got.array(), 0, 13, StandardCharsets.UTF_8));
            // The channel still owns the fd: deregistering leaves it usable.
            assertEquals(ctx, reactor.deregister(fd));
            assertTrue(source.isOpen());
            assertTrue(Fds.isOpen(fd));
        }
    }

    @Test
    void shouldDispatchJavaNioSocketChannelsBothWays() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Reactor reactor = Reactor.open()) {
            server.configureBlocking(false);
            int listenFd = Fds.of(server);
            SocketChannel[] accepted = new SocketChannel[1];
            Recorder onAccept = new Recorder(listenFd, Interest.READ, (r, ev) -> accepted[0] = server.accept());
            reactor.register(onAccept);

            try (SocketChannel client = SocketChannel.open()) {
                client.configureBlocking(false);
                client.connect(server.getLocalAddress());
                int clientFd = Fds.of(client);
                Recorder onConnected = new Recorder(clientFd, Interest.WRITE | Interest.ONESHOT,
                        (r, ev) -> client.finishConnect());
                reactor.register(onConnected);
                Loop.until(reactor, () -> accepted[0] != null && client.isConnected());
                assertEquals(Events.READABLE, onAccept.events.get(0));
                assertTrue(Events.isWritable(onConnected.events.get(0)));

                try (SocketChannel peer = accepted[0]) {
                    peer.configureBlocking(false);
                    ByteBuffer got = ByteBuffer.allocate(64);
                    reactor.register(new Recorder(Fds.of(peer), Interest.READ, (r, ev) -> peer.read(got)));
                    client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                    Loop.until(reactor, () -> got.position() == 4);
                    assertEquals("ping", new String(got.array(), 0, 4, StandardCharsets.UTF_8));
                    reactor.deregister(Fds.of(peer));
                }
                reactor.deregister(clientFd);
            }
        }
    }

    @Test
    @LinuxOnly("/proc/self/fd")
    void shouldDispatchAFileDescriptorFromAFileInputStreamOnAPipe() throws Exception {
        int[] pipe = Fds.pipe();
        // Reopening the pipe through /proc gives a FileInputStream (and a new fd) on the same pipe.
        try (FileInputStream in = new FileInputStream("/proc/self/fd/" + pipe[0]);
             Reactor reactor = Reactor.open()) {
            int fd = Fds.of(in.getFD());
            assertTrue(fd >= 0 && fd != pipe[0], "a new fd for the stream: " + fd);
            StringBuilder got = new StringBuilder();
            reactor.register(new Recorder(fd, Interest.READ, (r, ev) -> {
                byte[] b = new byte[64];
                got.append(new String(b, 0, in.read(b), StandardCharsets.UTF_8));
            }));
            Io.write(pipe[1], "via java.io");
            Loop.until(reactor, () -> got.length() == 11);
            assertEquals("via java.io", got.toString());
        } finally {
            Io.closeAll(pipe);
        }
    }

    @Test
    void shouldRejectARegularFilesFileDescriptorWithEperm(@TempDir Path dir) throws Exception {
        PollerKind.assumeEpoll("epoll refuses a regular file (EPERM); kqueue takes one as always readable");
        Path file = Files.writeString(dir.resolve("plain.txt"), "not pollable");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
             Reactor reactor = Reactor.open()) {
            int fd = Fds.of(raf.getFD());
            ReactorException e = assertThrows(ReactorException.class,
                    () -> reactor.register(new Recorder(fd, Interest.READ)));
            assertEquals(Errno.EPERM, e.errno());
            assertEquals("epoll_ctl(ADD, fd=" + fd + ")", e.call());
            assertEquals(0, reactor.registrations());
            assertEquals('n', raf.read(), "the file is still usable");
        }
    }
}
