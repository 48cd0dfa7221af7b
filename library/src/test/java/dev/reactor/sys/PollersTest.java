package dev.reactor.sys;

import dev.reactor.Context;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.ReactorConfig;
import dev.reactor.ReactorException;
import dev.reactor.testing.NativeBuild;
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
        return NativeBuild.path(name);
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

    /** The kqueue ABI from the config, not only the property: each emulator build read in its own layout. */
    @Test
    void shouldTakeTheKqueueAbiFromTheConfig() throws Exception {
        assumeTrue(Platform.LINUX, "the kqueue emulator is Linux's (scripts/kqueue-emu)");
        for (String[] lib : new String[][] {{"libkqueue-emu.so", "macos"}, {"libkqueue-emu-freebsd.so", "freebsd"}}) {
            Path so = build(lib[0]);
            assertTrue(Files.exists(so), so + " is missing (scripts/native builds it)");
            ReactorConfig config = ReactorConfig.builder().poller("kqueue").kqueueLibrary(so.toString()).kqueueAbi(lib[1]).build();
            assertTrue(config.toString().contains("kqueueAbi=" + lib[1]), config.toString());
            try (Reactor r = Reactor.open(config)) {
                int[] pipe = dev.reactor.io.Fds.pipe();
                try {
                    int[] seen = {0};
                    r.register(Context.of(pipe[0], Interest.READ, (reactor, events) -> seen[0] = pipe[0]));
                    dev.reactor.io.Fds.write(pipe[1], java.nio.ByteBuffer.wrap(new byte[] {1}));
                    for (int i = 0; i < 100 && seen[0] == 0; i++) r.runOnce(java.time.Duration.ofSeconds(5));
                    assertEquals(pipe[0], seen[0], lib[0] + " read as " + lib[1] + ": the event's token");
                } finally {
                    dev.reactor.io.Fds.close(pipe[0]);
                    dev.reactor.io.Fds.close(pipe[1]);
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reactor.open(ReactorConfig.builder()
                .poller("kqueue").kqueueLibrary(build("libkqueue-emu.so").toString()).kqueueAbi("netbsd").build()));
        assertEquals("unknown kqueue ABI 'netbsd' (macos, freebsd; -Ddev.reactor.kqueue.abi or ReactorConfig.kqueueAbi)", e.getMessage());
    }

    /** -1 with errno 0 from a foreign library: EIO, never taken for success (-0 would be fd 0). */
    @Test
    void shouldReportAFailureWithoutErrnoAsEio() {
        Path broken = build("libkqueue-broken.so");
        assumeTrue(Platform.LINUX, "the test library is built on Linux (scripts/kqueue-emu)");
        assertTrue(Files.exists(broken), broken + " is missing (scripts/native builds it)");
        ReactorException e = assertThrows(ReactorException.class,
                () -> Reactor.open(ReactorConfig.builder().poller("kqueue").kqueueLibrary(broken.toString()).build()));
        assertEquals(Errno.EIO, e.errno());
        assertEquals("kqueue(): EIO (Input/output error)", e.getMessage());
    }
}
