package dev.reactor.sys;

import java.nio.ByteBuffer;

/**
 * Lays out what sendmsg(2) and recvmsg(2) take to pass fds: a {@code struct msghdr} with one
 * {@code struct iovec} and a control buffer of one {@code SCM_RIGHTS} message
 * ({@code struct cmsghdr} then the fds as ints), in one OS's {@link Layout}, at given offsets of
 * a native-order buffer whose native address is known. It reads back what recvmsg filled in:
 * the fds of every SCM_RIGHTS message, msg_controllen and msg_flags. The CMSG_* macros of the C
 * headers are here as arithmetic ({@link #cmsgLen}, {@link #cmsgSpace}, {@link #dataOffset}),
 * since their alignment differs: size_t (8) on Linux and FreeBSD, 4 bytes on macOS.
 */
public final class MsgHdr {
    /**
     * Where an OS puts each field (LP64). Linux (glibc bits/socket.h) has {@code size_t msg_iovlen},
     * {@code size_t msg_controllen} and {@code size_t cmsg_len}: a 56-byte msghdr and a 16-byte
     * cmsghdr. macOS (xnu bsd/sys/socket.h) and FreeBSD (sys/sys/socket.h) have
     * {@code int msg_iovlen}, {@code socklen_t msg_controllen} and {@code socklen_t cmsg_len}: 48
     * and 12 bytes. CMSG_DATA is {@code CMSG_ALIGN(sizeof(struct cmsghdr))} from the cmsghdr: 16
     * on Linux and FreeBSD (8-byte alignment), 12 on macOS ({@code __DARWIN_ALIGN32}).
     *
     * @param sizeofMsghdr sizeof(struct msghdr)
     * @param msgName offsetof(msghdr, msg_name)
     * @param msgNamelen offsetof(msghdr, msg_namelen)
     * @param msgIov offsetof(msghdr, msg_iov)
     * @param msgIovlen offsetof(msghdr, msg_iovlen)
     * @param msgIovlenSize sizeof(msg_iovlen): 8 (size_t) or 4 (int)
     * @param msgControl offsetof(msghdr, msg_control)
     * @param msgControllen offsetof(msghdr, msg_controllen)
     * @param msgControllenSize sizeof(msg_controllen): 8 (size_t) or 4 (socklen_t)
     * @param msgFlags offsetof(msghdr, msg_flags)
     * @param sizeofIovec sizeof(struct iovec)
     * @param iovBase offsetof(iovec, iov_base)
     * @param iovLen offsetof(iovec, iov_len)
     * @param sizeofCmsghdr sizeof(struct cmsghdr)
     * @param cmsgLen offsetof(cmsghdr, cmsg_len)
     * @param cmsgLenSize sizeof(cmsg_len): 8 (size_t) or 4 (socklen_t)
     * @param cmsgLevel offsetof(cmsghdr, cmsg_level)
     * @param cmsgType offsetof(cmsghdr, cmsg_type)
     * @param cmsgAlignment what CMSG_ALIGN rounds to: CMSG_SPACE(1) - CMSG_SPACE(0)
     * @param solSocket SOL_SOCKET, the level of SCM_RIGHTS
     * @param scmRights SCM_RIGHTS
     * @param msgCtrunc MSG_CTRUNC, set in msg_flags when the control buffer was too small
     */
    public record Layout(int sizeofMsghdr, int msgName, int msgNamelen, int msgIov, int msgIovlen, int msgIovlenSize,
                         int msgControl, int msgControllen, int msgControllenSize, int msgFlags,
                         int sizeofIovec, int iovBase, int iovLen,
                         int sizeofCmsghdr, int cmsgLen, int cmsgLenSize, int cmsgLevel, int cmsgType, int cmsgAlignment,
                         int solSocket, int scmRights, int msgCtrunc) { }

    private final Layout l;

    public MsgHdr(Layout layout) {
        this.l = layout;
    }

    /** {@return the layout this writes} */
    public Layout layout() {
        return l;
    }

    /** {@return n rounded up to the control messages' alignment: CMSG_ALIGN(n)} */
    public int align(int n) {
        int a = l.cmsgAlignment();
        return (n + a - 1) & -a;
    }

    /** {@return the offset of a control message's data from its cmsghdr: CMSG_DATA(cmsg) - cmsg} */
    public int dataOffset() {
        return align(l.sizeofCmsghdr());
    }

    /** {@return cmsg_len for dataBytes of data: CMSG_LEN(dataBytes)} */
    public int cmsgLen(int dataBytes) {
        return dataOffset() + dataBytes;
    }

    /** {@return the room a control message of dataBytes takes, padding included: CMSG_SPACE(dataBytes)} */
    public int cmsgSpace(int dataBytes) {
        return dataOffset() + align(dataBytes);
    }

    /** {@return the control buffer length for an SCM_RIGHTS message of fds fds: CMSG_SPACE(fds * sizeof(int))} */
    public int rightsSpace(int fds) {
        return cmsgSpace(fds * Integer.BYTES);
    }

    /** {@return where the control buffer starts after a msghdr and its iovec at offset 0, aligned for a cmsghdr (8)} */
    public int controlAt() {
        return (l.sizeofMsghdr() + l.sizeofIovec() + 7) & -8;
    }

    /**
     * Writes a msghdr at offset 0 of b (whose native address is base), its one iovec right after
     * it, no name, and msg_control at controlAt (NULL when controlLen is 0).
     *
     * @param b the native-order buffer, at least {@code controlAt + controlLen} bytes
     * @param base b's native address
     * @param data the native address of the data bytes
     * @param dataLen how many bytes
     * @param controlAt the control buffer's offset in b
     * @param controlLen its length; 0 for none
     */
    public void putMessage(ByteBuffer b, long base, long data, long dataLen, int controlAt, int controlLen) {
        int iov = l.sizeofMsghdr();
        for (int i = 0; i < iov + l.sizeofIovec(); i++) b.put(i, (byte) 0);
        b.putLong(iov + l.iovBase(), data);
        b.putLong(iov + l.iovLen(), dataLen);
        b.putLong(l.msgName(), 0L);
        b.putInt(l.msgNamelen(), 0);
        b.putLong(l.msgIov(), base + iov);
        putSize(b, l.msgIovlen(), l.msgIovlenSize(), 1);
        b.putLong(l.msgControl(), controlLen == 0 ? 0L : base + controlAt);
        putSize(b, l.msgControllen(), l.msgControllenSize(), controlLen);
        b.putInt(l.msgFlags(), 0);
    }

    /**
     * Writes one SCM_RIGHTS control message carrying fds at offset at of b, padding zeroed.
     * @return the control buffer's length: CMSG_SPACE(fds.length * 4)
     */
    public int putRights(ByteBuffer b, int at, int[] fds) {
        int space = rightsSpace(fds.length);
        for (int i = 0; i < space; i++) b.put(at + i, (byte) 0);
        putSize(b, at + l.cmsgLen(), l.cmsgLenSize(), cmsgLen(fds.length * Integer.BYTES));
        b.putInt(at + l.cmsgLevel(), l.solSocket());
        b.putInt(at + l.cmsgType(), l.scmRights());
        int data = at + dataOffset();
        for (int i = 0; i < fds.length; i++) b.putInt(data + i * Integer.BYTES, fds[i]);
        return space;
    }

    /** {@return msg_controllen of the msghdr at offset 0 of b: after recvmsg, how much control data came} */
    public long controlLength(ByteBuffer b) {
        return getSize(b, l.msgControllen(), l.msgControllenSize());
    }

    /** {@return whether recvmsg set MSG_CTRUNC in the msghdr at offset 0 of b: control data was lost} */
    public boolean controlTruncated(ByteBuffer b) {
        return (b.getInt(l.msgFlags()) & l.msgCtrunc()) != 0;
    }

    /**
     * The fds of every SCM_RIGHTS message in the control data {@code [at, at + length)} of b
     * (CMSG_FIRSTHDR, CMSG_NXTHDR), in order; other control messages are skipped. A cmsg_len that
     * claims more than the buffer holds (a truncated message) is read only as far as the buffer.
     *
     * @param out where the fds go, from index 0; fds past its end are counted but not stored
     * @return how many fds the control data holds
     */
    public int rights(ByteBuffer b, int at, long length, int[] out) {
        long end = at + Math.min(length, b.capacity() - at);
        int n = 0;
        long p = at;
        while (p + l.sizeofCmsghdr() <= end) {
            int h = (int) p;
            long len = getSize(b, h + l.cmsgLen(), l.cmsgLenSize());
            if (len < l.sizeofCmsghdr()) break;                 // malformed: CMSG_NXTHDR would stop too
            long dataEnd = Math.min(p + len, end);
            if (b.getInt(h + l.cmsgLevel()) == l.solSocket() && b.getInt(h + l.cmsgType()) == l.scmRights()) {
                for (long q = p + dataOffset(); q + Integer.BYTES <= dataEnd; q += Integer.BYTES) {
                    if (n < out.length) out[n] = b.getInt((int) q);
                    n++;
                }
            }
            p += align((int) Math.min(len, Integer.MAX_VALUE - 16));
        }
        return n;
    }

    private static void putSize(ByteBuffer b, int at, int size, long value) {
        if (size == 8) b.putLong(at, value);
        else b.putInt(at, (int) value);
    }

    private static long getSize(ByteBuffer b, int at, int size) {
        return size == 8 ? b.getLong(at) : b.getInt(at) & 0xFFFF_FFFFL;
    }
}
