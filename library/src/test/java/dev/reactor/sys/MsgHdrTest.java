package dev.reactor.sys;

import dev.reactor.sys.bsd.Bsd;
import dev.reactor.sys.bsd.BsdOs;
import dev.reactor.sys.linux.Linux;
import dev.reactor.sys.linux.LinuxOs;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The msghdr, iovec and SCM_RIGHTS cmsghdr of sendmsg/recvmsg byte for byte, in Linux's layout
 * (size_t lengths, 8-byte CMSG_ALIGN; the probe checks it against glibc) and the BSDs' (int and
 * socklen_t lengths; CMSG_ALIGN 4 on macOS, 8 on FreeBSD), as xnu's and FreeBSD's
 * sys/socket.h lay them out: the CMSG_* arithmetic, what is written, and what is read back. The
 * BSD layouts are checked against the headers, not a BSD kernel (none here).
 */
class MsgHdrTest {
    private static final MsgHdr LINUX = new LinuxOs().msghdr();
    private static final MsgHdr MACOS = new BsdOs(true).msghdr();
    private static final MsgHdr FREEBSD = new BsdOs(false).msghdr();

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);   // x86_64 and arm64 are little-endian
    }

    private static byte[] bytes(ByteBuffer b, int from, int to) {
        byte[] r = new byte[to - from];
        b.get(from, r);
        return r;
    }

    private static byte[] le(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) b.putInt(w);
        return b.array();
    }

    @Test
    void shouldDoTheCmsgArithmeticOfEachOs() {
        // CMSG_LEN(0) = CMSG_DATA's offset; CMSG_SPACE(n * 4) = room for n fds with padding
        assertEquals(Linux.CMSG_DATA_OFFSET, LINUX.dataOffset());
        assertEquals(16, LINUX.dataOffset());
        assertEquals(20, LINUX.cmsgLen(4));
        assertEquals(24, LINUX.rightsSpace(1));        // 16 + ALIGN8(4)
        assertEquals(32, LINUX.rightsSpace(3));        // 16 + ALIGN8(12)
        assertEquals(Bsd.CMSG_DATA_OFFSET_MACOS, MACOS.dataOffset());
        assertEquals(12, MACOS.dataOffset());          // a 12-byte cmsghdr, 4-aligned: data right after it
        assertEquals(16, MACOS.cmsgLen(4));
        assertEquals(16, MACOS.rightsSpace(1));        // 12 + ALIGN4(4): no padding on macOS
        assertEquals(24, MACOS.rightsSpace(3));
        assertEquals(Bsd.CMSG_DATA_OFFSET_FREEBSD, FREEBSD.dataOffset());
        assertEquals(16, FREEBSD.dataOffset());        // the same cmsghdr rounded up to 8 (_ALIGN)
        assertEquals(20, FREEBSD.cmsgLen(4));
        assertEquals(24, FREEBSD.rightsSpace(1));
        assertEquals(32, FREEBSD.rightsSpace(3));
        assertEquals(16 + 1016, LINUX.rightsSpace(253));
        assertEquals(12 + 1012, MACOS.rightsSpace(253));
    }

    @Test
    void shouldLayOutAnScmRightsMessagePerOs() {
        int[] fds = {7, 9};
        ByteBuffer b = buffer();
        assertEquals(24, LINUX.putRights(b, 0, fds));
        // cmsg_len (size_t) 24, cmsg_level SOL_SOCKET 1, cmsg_type SCM_RIGHTS 1, the fds
        assertArrayEquals(le(24, 0, 1, 1, 7, 9), bytes(b, 0, 24));

        b = buffer();
        assertEquals(20, MACOS.putRights(b, 0, fds));
        // cmsg_len (socklen_t) 20, SOL_SOCKET 0xffff, SCM_RIGHTS 1, the fds at 12
        assertArrayEquals(le(20, 0xffff, 1, 7, 9), bytes(b, 0, 20));

        b = buffer();
        assertEquals(24, FREEBSD.putRights(b, 0, fds));
        // cmsg_len 24 (16 + 8), SOL_SOCKET, SCM_RIGHTS, 4 bytes of padding, the fds at 16
        assertArrayEquals(le(24, 0xffff, 1, 0, 7, 9), bytes(b, 0, 24));
    }

    @Test
    void shouldLayOutTheMsghdrAndItsIovecPerOs() {
        long base = 0x1000;
        ByteBuffer b = buffer();
        LINUX.putMessage(b, base, 0x2000, 5, LINUX.controlAt(), 24);
        assertEquals(72, LINUX.controlAt(), "56-byte msghdr + 16-byte iovec");
        assertEquals(0, b.getLong(0), "msg_name NULL");
        assertEquals(0, b.getInt(8), "msg_namelen");
        assertEquals(base + 56, b.getLong(16), "msg_iov: the iovec right after the msghdr");
        assertEquals(1, b.getLong(24), "msg_iovlen, a size_t");
        assertEquals(base + 72, b.getLong(32), "msg_control");
        assertEquals(24, b.getLong(40), "msg_controllen, a size_t");
        assertEquals(0, b.getInt(48), "msg_flags");
        assertEquals(0x2000, b.getLong(56), "iov_base");
        assertEquals(5, b.getLong(64), "iov_len");

        for (MsgHdr bsd : new MsgHdr[] {MACOS, FREEBSD}) {
            b = buffer();
            for (int i = 0; i < b.capacity(); i++) b.put(i, (byte) 0x55);   // every byte of the msghdr is written
            bsd.putMessage(b, base, 0x2000, 5, bsd.controlAt(), 16);
            assertEquals(64, bsd.controlAt(), "48-byte msghdr + 16-byte iovec");
            assertEquals(0, b.getLong(0));
            assertEquals(0, b.getInt(8));
            assertEquals(0, b.getInt(12), "padding after msg_namelen");
            assertEquals(base + 48, b.getLong(16));
            assertEquals(1, b.getInt(24), "msg_iovlen, an int");
            assertEquals(0, b.getInt(28), "padding after msg_iovlen");
            assertEquals(base + 64, b.getLong(32));
            assertEquals(16, b.getInt(40), "msg_controllen, a socklen_t");
            assertEquals(0, b.getInt(44), "msg_flags at 44");
            assertEquals(0x2000, b.getLong(48));
            assertEquals(5, b.getLong(56));
        }

        b = buffer();
        LINUX.putMessage(b, base, 0x2000, 5, LINUX.controlAt(), 0);
        assertEquals(0, b.getLong(32), "no control buffer: msg_control NULL");
    }

    @Test
    void shouldReadBackTheFdsOfEveryScmRightsMessageAndTheFlags() {
        for (MsgHdr m : new MsgHdr[] {LINUX, MACOS, FREEBSD}) {
            ByteBuffer b = buffer();
            int at = m.controlAt();
            // another control message first (SCM_TIMESTAMP-like: type 2, 8 bytes), then the fds
            int first = m.putRights(b, at, new int[] {99, 98});
            b.putInt(at + m.layout().cmsgType(), 2);
            int second = m.putRights(b, at + first, new int[] {3, 4, 5});
            int[] out = new int[8];
            assertEquals(3, m.rights(b, at, first + second, out), m.layout().toString());
            assertArrayEquals(new int[] {3, 4, 5}, java.util.Arrays.copyOf(out, 3));
            // a cmsg_len claiming more than came (a truncated message): read only what the buffer holds
            m.putRights(b, at, new int[] {6, 7, 8});
            int oneFd = m.cmsgLen(4);
            assertEquals(1, m.rights(b, at, oneFd, out));
            assertEquals(6, out[0]);
            // counted past the end of out, stored only as far as it goes
            assertEquals(3, m.rights(b, at, m.rightsSpace(3), new int[1]));
            // nothing at all
            assertEquals(0, m.rights(b, at, 0, out));
        }
        ByteBuffer b = buffer();
        LINUX.putMessage(b, 0, 0, 1, 0, 0);
        assertFalse(LINUX.controlTruncated(b));
        b.putInt(48, Linux.MSG_CTRUNC);
        assertTrue(LINUX.controlTruncated(b));
        b.putLong(40, 24);
        assertEquals(24, LINUX.controlLength(b));
        b = buffer();
        MACOS.putMessage(b, 0, 0, 1, 0, 0);
        b.putInt(44, Bsd.MSG_CTRUNC);
        assertTrue(MACOS.controlTruncated(b));
        b.putInt(40, 16);
        assertEquals(16, MACOS.controlLength(b));
    }
}
