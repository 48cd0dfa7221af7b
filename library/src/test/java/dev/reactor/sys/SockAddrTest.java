package dev.reactor.sys;

import dev.reactor.sys.bsd.BsdOs;
import dev.reactor.sys.linux.LinuxOs;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Socket addresses byte for byte, in Linux's layout (two-byte family, no length) and the BSDs'
 * (sin_len, sin_family: one byte each), as <netinet/in.h>, <netinet6/in6.h> and <sys/un.h> lay
 * them out; and back. The BSD layout is checked against the headers' layout, not a BSD kernel.
 */
class SockAddrTest {
    private static final SockAddr LINUX = new LinuxOs().sockaddr();
    private static final SockAddr MACOS = new BsdOs(true).sockaddr();
    private static final SockAddr FREEBSD = new BsdOs(false).sockaddr();

    private static byte[] encode(SockAddr codec, SocketAddress address) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(codec.storageSize()).order(ByteOrder.LITTLE_ENDIAN);
        int len = codec.encode(b, address, "test", -1);
        byte[] bytes = new byte[len];
        b.get(0, bytes);
        assertEquals(address, codec.decode(b, len), "decodes back");
        return bytes;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void shouldLayOutAnIpv4AddressPerOs() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 8080);
        // family, port 8080 = 0x1f90 in network order, 127.0.0.1, 8 bytes of zero
        assertArrayEquals(bytes(2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), encode(LINUX, a));
        assertArrayEquals(bytes(16, 2, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), encode(MACOS, a));
        assertArrayEquals(bytes(16, 2, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), encode(FREEBSD, a));
    }

    @Test
    void shouldLayOutAnIpv6AddressPerOs() throws Exception {
        byte[] ip = new byte[16];
        ip[15] = 1;
        InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, ip, 3), 443);
        byte[] tail = new byte[24];           // flowinfo 0, ::1, scope id 3 (host order, little-endian here)
        tail[4 + 15] = 1;
        tail[20] = 3;
        assertArrayEquals(concat(bytes(10, 0, 0x01, 0xbb), tail), encode(LINUX, a));
        assertArrayEquals(concat(bytes(28, 30, 0x01, 0xbb), tail), encode(MACOS, a));    // AF_INET6 30 on macOS
        assertArrayEquals(concat(bytes(28, 28, 0x01, 0xbb), tail), encode(FREEBSD, a));  // and 28 on FreeBSD
    }

    @Test
    void shouldLayOutAUnixAddressPerOs() throws Exception {
        UnixDomainSocketAddress a = UnixDomainSocketAddress.of("/tmp/s");
        byte[] path = bytes('/', 't', 'm', 'p', '/', 's', 0);
        assertArrayEquals(concat(bytes(1, 0), path), encode(LINUX, a));
        assertArrayEquals(concat(bytes(9, 1), path), encode(MACOS, a));   // sun_len: 2 + path + NUL
        assertEquals(107, LINUX.maxUnixPath(), "sun_path[108] on Linux");
        assertEquals(103, MACOS.maxUnixPath(), "sun_path[104] on the BSDs");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
