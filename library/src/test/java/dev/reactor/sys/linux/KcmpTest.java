package dev.reactor.sys.linux;

import dev.reactor.ffi.LibC;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.Platform;
import dev.reactor.sys.Os;
import dev.reactor.io.Fds;
import dev.reactor.testing.LinuxOnly;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kcmp(KCMP_EPOLL_TFD) through the suite's binding: it tells a file still registered under a
 * number from a new file at that number, which is what lets the poller rebuild its set safely.
 * On jnr it goes through syscall(2) with six arguments, the case jnr-ffi#181 corrupts.
 */
@LinuxOnly("kcmp(2)")
class KcmpTest {
    @Test
    void shouldTellTheRegisteredFileFromANewOneAtTheSameNumber() throws Exception {
        assumeTrue(Platform.LINUX, "Linux only");
        LibC c = Os.libc();
        int pid = c.getpid();
        assertEquals(ProcessHandle.current().pid(), pid);
        int probe = LinuxOs.kcmp(c, pid, pid, 2 /* KCMP_FILES: the same fd table */, 0, 0);
        assumeTrue(probe != -Errno.ENOSYS && probe != -Errno.EPERM, "kcmp is not available here");
        assertEquals(0, probe);

        int epfd = (int) Errors.check(c.epoll_create1(0), "epoll_create1");
        int[] pipe = Fds.pipe();
        ByteBuffer mem = ByteBuffer.allocateDirect(Linux.SIZEOF_KCMP_EPOLL_SLOT + 16).order(ByteOrder.nativeOrder());
        long slot = c.address(mem);
        try {
            mem.putLong(0, 0).putLong(8, 0);   // an epoll_event: no events, data 0
            Errors.check(c.epoll_ctl(epfd, 1 /* ADD */, pipe[0], slot), "epoll_ctl", "ADD", pipe[0]);
            mem.putInt(Linux.OFFSETOF_KCMP_EPOLL_SLOT_EFD, epfd);
            mem.putInt(Linux.OFFSETOF_KCMP_EPOLL_SLOT_TFD, pipe[0]);
            mem.putInt(Linux.OFFSETOF_KCMP_EPOLL_SLOT_TOFF, 0);
            assertEquals(0, LinuxOs.kcmp(c, pid, pid, Linux.KCMP_EPOLL_TFD, pipe[0], slot), "the registered file");
            int dup = c.dup(pipe[0]);
            assertEquals(0, LinuxOs.kcmp(c, pid, pid, Linux.KCMP_EPOLL_TFD, dup, slot), "a dup is the same file");
            c.close(pipe[0]);
            int other = Fds.eventfd();
            try {
                assertNotEquals(0, LinuxOs.kcmp(c, pid, pid, Linux.KCMP_EPOLL_TFD, other, slot), "another file");
            } finally {
                c.close(other);
                c.close(dup);
            }
        } finally {
            c.close(epfd);
            c.close(pipe[1]);
        }
    }
}
