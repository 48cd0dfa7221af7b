package dev.reactor.sys;

import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.ReactorException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Choosing the poller, and a kqueue library that cannot be loaded or fails without errno. */
class PollersTest {
    private static Path build(String name) {
        return Path.of(System.getProperty("dev.reactor.root", ".."), "native", "build", name).toAbsolutePath();
    }

    @Test
    void shouldRefuseAnUnknownPollerNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reactor.open(ReactorConfig.builder().poller("devpoll").build()));
        assertEquals("unknown poller 'devpoll' (auto, epoll, kqueue)", e.getMessage());
    }

    @Test
    void shouldOpenEpollWhenAskedOnLinux() throws Exception {
        assumeTrue(Platform.LINUX, "epoll is Linux's");
        try (Reactor r = Reactor.open(ReactorConfig.builder().poller("epoll").build())) {
            assertTrue(r.backend().startsWith("epoll/"), r.backend());
        }
    }

    @Test
    void shouldRefuseKqueueFromTheCLibraryOnLinuxSayingWhatToDo() {
        assumeTrue(Platform.LINUX, "Linux's C library has no kqueue");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Reactor.open(ReactorConfig.builder().poller("kqueue").kqueueLibrary(null).build()));
        assertEquals("kqueue is the BSDs'; on Linux name a library that has it (-Ddev.reactor.kqueue.library)", e.getMessage());
    }

    @Test
    void shouldRefuseAKqueueLibraryThatCannotBeLoadedNamingIt() {
        String missing = build("no-such-kqueue.so").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reactor.open(ReactorConfig.builder().poller("kqueue").kqueueLibrary(missing).build()));
        assertTrue(e.getMessage().startsWith("cannot load kqueue and kevent from " + missing), e.getMessage());
    }

    /** -1 with errno 0 from a foreign library: EIO, never taken for success (-0 would be fd 0). */
    @Test
    void shouldReportAFailureWithoutErrnoAsEio() {
        Path broken = build("libkqueue-broken.so");
        assumeTrue(Platform.LINUX && Platform.X86_64, "the test library is built for Linux x86_64 (scripts/kqueue-emu)");
        assertTrue(Files.exists(broken), broken + " is missing (scripts/native builds it)");
        ReactorException e = assertThrows(ReactorException.class,
                () -> Reactor.open(ReactorConfig.builder().poller("kqueue").kqueueLibrary(broken.toString()).build()));
        assertEquals(Errno.EIO, e.errno());
        assertEquals("kqueue(): EIO (Input/output error)", e.getMessage());
    }
}
