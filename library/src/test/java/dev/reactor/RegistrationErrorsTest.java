package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.testing.Io;
import dev.reactor.testing.LinuxOnly;
import dev.reactor.testing.PollerKind;
import dev.reactor.testing.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to register/interest/deregister: a ReactorException naming the call, the fd and
 * errno; never a crash, never a half-made registration. After each one, a healthy Context on
 * the same reactor is still dispatched.
 */
@LinuxOnly("eventfd")
class RegistrationErrorsTest {
    private Reactor reactor;
    private int healthyFd;
    private Recorder healthy;

    @BeforeEach
    void openReactorWithOneHealthyFd() throws Exception {
        reactor = Reactor.open();
        healthyFd = Fds.eventfd(1, false);
        healthy = new Recorder(healthyFd, Interest.READ);
        reactor.register(healthy);
    }

    @AfterEach
    void close() throws Exception {
        reactor.close();
        Fds.close(healthyFd);
    }

    /** The call fails with errno and exactly this message, and the reactor still dispatches the healthy fd. */
    private ReactorException assertFails(int errno, String message, Executable call) throws Exception {
        int registered = reactor.registrations();
        ReactorException e = assertThrows(ReactorException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(message, e.getMessage());
        assertTrue(e.getMessage().startsWith(e.call() + ": "), "message starts with the call: " + e.getMessage());
        assertEquals(registered, reactor.registrations(), "a failed call changed the registrations");
        int before = healthy.count();
        assertEquals(1, reactor.runOnce(Duration.ZERO), "the reactor stopped dispatching after: " + e.getMessage());
        assertEquals(before + 1, healthy.count());
        return e;
    }

    @Test
    void shouldRejectAClosedFdWithEbadf() throws Exception {
        int fd = Fds.eventfd();
        Fds.close(fd);
        assertFalse(Fds.isOpen(fd));
        ReactorException e = assertFails(Errno.EBADF, PollerKind.add(fd) + ": EBADF (Bad file descriptor)",
                () -> reactor.register(new Recorder(fd, Interest.READ)));
        assertEquals(PollerKind.add(fd), e.call());
        assertNull(reactor.context(fd));
    }

    @Test
    void shouldRejectAnFdNumberFarBeyondAnyOpenFdWithEbadf() throws Exception {
        assertFails(Errno.EBADF, PollerKind.add(19999) + ": EBADF (Bad file descriptor)",
                () -> reactor.register(new Recorder(19_999, Interest.READ)));
        assertFails(Errno.EBADF, PollerKind.add(Integer.MAX_VALUE) + ": EBADF (Bad file descriptor)",
                () -> reactor.register(new Recorder(Integer.MAX_VALUE, Interest.READ)));
    }

    @Test
    void shouldRejectARegularFileWithEperm(@TempDir Path dir) throws Exception {
        PollerKind.assumeEpoll("epoll refuses a regular file (EPERM); kqueue takes one as always readable");
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            int fd = Fds.of(raf.getFD());
            assertFails(Errno.EPERM, "epoll_ctl(ADD, fd=" + fd + "): EPERM (Operation not permitted): epoll cannot poll"
                    + " this kind of fd: a regular file or a directory is always ready, so read it directly (to watch"
                    + " files for changes, use inotify)",
                    () -> reactor.register(new Recorder(fd, Interest.READ)));
        }
    }

    @Test
    void shouldRejectAnFdRegisteredTwiceWithEexistAndKeepTheFirstContext() throws Exception {
        ReactorException e = assertFails(Errno.EEXIST,
                "register(fd=" + healthyFd + "): EEXIST (File exists): already registered to " + healthy,
                () -> reactor.register(new Recorder(healthyFd, Interest.READ)));
        assertEquals("register(fd=" + healthyFd + ")", e.call());
        assertSame(healthy, reactor.context(healthyFd));
    }

    @Test
    void shouldRejectANegativeFdWithEbadf() throws Exception {
        assertFails(Errno.EBADF, "register(fd=-1): EBADF (Bad file descriptor)",
                () -> reactor.register(new Recorder(-1, Interest.READ)));
    }

    @Test
    void shouldRejectInterestZeroAtRegistrationWithEinval() throws Exception {
        int fd = Fds.eventfd();
        try {
            assertFails(Errno.EINVAL, "register(fd=" + fd + ", interest=0x0): EINVAL (Invalid argument): "
                            + "interest needs READ, WRITE and/or PRIORITY, plus optional EDGE|ONESHOT; got 0",
                    () -> reactor.register(new Recorder(fd, 0)));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldRejectUnknownInterestBitsWithEinval() throws Exception {
        int fd = Fds.eventfd();
        try {
            assertFails(Errno.EINVAL, "register(fd=" + fd + ", interest=0x21): EINVAL (Invalid argument): "
                            + "interest needs READ, WRITE and/or PRIORITY, plus optional EDGE|ONESHOT; got READ|0x20",
                    () -> reactor.register(new Recorder(fd, Interest.READ | 0x20)));
            assertFails(Errno.EINVAL, "interest(fd=" + healthyFd + ", interest=0x80000000): EINVAL (Invalid argument): "
                            + "interest needs READ, WRITE and/or PRIORITY, plus optional EDGE|ONESHOT; got 0x80000000",
                    () -> reactor.interest(healthyFd, Integer.MIN_VALUE));
            assertFails(Errno.EINVAL, "interest(fd=" + healthyFd + ", interest=0x4): EINVAL (Invalid argument): "
                            + "interest needs READ, WRITE and/or PRIORITY, plus optional EDGE|ONESHOT; got EDGE",
                    () -> reactor.interest(healthyFd, Interest.EDGE));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldRejectInterestOnAnUnregisteredFdWithEnoent() throws Exception {
        int fd = Fds.eventfd();
        try {
            assertFails(Errno.ENOENT, "interest(fd=" + fd + "): ENOENT (No such file or directory): not registered",
                    () -> reactor.interest(fd, Interest.READ));
            assertFails(Errno.ENOENT, "interest(fd=-5): ENOENT (No such file or directory): not registered",
                    () -> reactor.interest(-5, Interest.READ));
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void shouldReturnNullWhenDeregisteringAnUnknownFd() throws Exception {
        assertNull(reactor.deregister(12_345));
        assertNull(reactor.deregister(-1));
        assertNull(reactor.context(12_345));
        assertNull(reactor.context(-1));
        assertEquals(1, reactor.runOnce(Duration.ZERO));
    }

    @Test
    void shouldReportEbadfFromInterestWhenTheFdWasClosedBehindTheReactorsBack() throws Exception {
        int fd = Fds.eventfd();
        Recorder ctx = new Recorder(fd, Interest.READ);
        reactor.register(ctx);
        Fds.close(fd);    // the owner closed it without deregistering: epoll forgot it by itself
        ReactorException e = assertThrows(ReactorException.class, () -> reactor.interest(fd, Interest.WRITE));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("interest(fd=" + fd + ")", e.call());
        assertTrue(e.getMessage().contains(PollerKind.modify(fd) + " finds the fd closed"), e.getMessage());
        assertEquals(PollerKind.modify(fd) + ": EBADF (Bad file descriptor)", e.getCause().getMessage());
        assertNull(reactor.context(fd), "the dead registration is removed");
        assertNull(reactor.deregister(fd), "and deregister finds nothing left to do");
    }

    @Test
    void shouldCloseAnUnregisteredFdWithoutComplaint() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            reactor.close(pipe[0]);
            assertFalse(Fds.isOpen(pipe[0]));
            reactor.close(-1);
            assertEquals(1, reactor.runOnce(Duration.ZERO));
        } finally {
            Io.closeAll(pipe[1]);
        }
    }

    @Test
    void shouldRejectANullContext() {
        assertThrows(NullPointerException.class, () -> reactor.register(null));
    }
}
