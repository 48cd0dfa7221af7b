package dev.reactor.io;

import dev.reactor.ReactorException;
import dev.reactor.ffi.Errno;
import dev.reactor.ffi.Linux;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link SocketAddress} as a {@code struct sockaddr_in/in6/un} and decodes one back,
 * at offset 0 of a native-order buffer. Offsets come from {@link Linux}, which the probe checks.
 * Ports and IPv4/IPv6 addresses are in network byte order; the family and scope id are not.
 */
final class SockAddr {
    private SockAddr() { }

    /** The longest Unix socket path: sun_path holds it plus the terminating NUL. */
    static final int MAX_UNIX_PATH = Linux.SIZEOF_SOCKADDR_UN - Linux.OFFSETOF_SOCKADDR_UN_SUN_PATH - 1;

    /** The address family for socket(2). */
    static int family(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return inet(address, "socket").getAddress() instanceof Inet6Address ? Linux.AF_INET6 : Linux.AF_INET;
        }
        if (address instanceof UnixDomainSocketAddress) return Linux.AF_UNIX;
        throw unsupported(address);
    }

    /** Writes address at offset 0 of b; returns its length (the socklen_t to pass). */
    static int encode(ByteBuffer b, SocketAddress address, String call, int fd) throws ReactorException {
        for (int i = 0; i < Linux.SIZEOF_SOCKADDR_STORAGE; i++) b.put(i, (byte) 0);
        if (address instanceof UnixDomainSocketAddress) {
            byte[] path = ((UnixDomainSocketAddress) address).getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length > MAX_UNIX_PATH) {
                throw new ReactorException(call + "(fd=" + fd + ", " + address + ")", Errno.ENAMETOOLONG,
                        "Unix socket path is " + path.length + " bytes; the limit is " + MAX_UNIX_PATH);
            }
            b.putShort(0, (short) Linux.AF_UNIX);
            for (int i = 0; i < path.length; i++) b.put(Linux.OFFSETOF_SOCKADDR_UN_SUN_PATH + i, path[i]);
            // An empty path means "unnamed": bind(2) then autobinds (unix(7)).
            return Linux.OFFSETOF_SOCKADDR_UN_SUN_PATH + (path.length == 0 ? 0 : path.length + 1);
        }
        InetSocketAddress inet = inet(address, call);
        InetAddress ip = inet.getAddress();
        int port = inet.getPort();
        if (ip instanceof Inet4Address) {
            b.putShort(0, (short) Linux.AF_INET);
            putPort(b, Linux.OFFSETOF_SOCKADDR_IN_SIN_PORT, port);
            byte[] a = ip.getAddress();
            for (int i = 0; i < 4; i++) b.put(Linux.OFFSETOF_SOCKADDR_IN_SIN_ADDR + i, a[i]);
            return Linux.SIZEOF_SOCKADDR_IN;
        }
        b.putShort(0, (short) Linux.AF_INET6);
        putPort(b, Linux.OFFSETOF_SOCKADDR_IN6_SIN6_PORT, port);
        byte[] a = ip.getAddress();
        for (int i = 0; i < 16; i++) b.put(Linux.OFFSETOF_SOCKADDR_IN6_SIN6_ADDR + i, a[i]);
        b.putInt(Linux.OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID, ((Inet6Address) ip).getScopeId());
        return Linux.SIZEOF_SOCKADDR_IN6;
    }

    /** Reads the sockaddr of length len at offset 0 of b. */
    static SocketAddress decode(ByteBuffer b, int len) {
        int family = b.getShort(0) & 0xFFFF;
        if (family == Linux.AF_UNIX) {
            int start = Linux.OFFSETOF_SOCKADDR_UN_SUN_PATH;
            int end = start;
            // Unnamed sockets have no path; abstract ones start with NUL, which a Path cannot hold.
            while (end < len && end < Linux.SIZEOF_SOCKADDR_UN && b.get(end) != 0) end++;
            byte[] path = new byte[end - start];
            for (int i = 0; i < path.length; i++) path[i] = b.get(start + i);
            return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
        }
        try {
            if (family == Linux.AF_INET) {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) a[i] = b.get(Linux.OFFSETOF_SOCKADDR_IN_SIN_ADDR + i);
                return new InetSocketAddress(InetAddress.getByAddress(a), getPort(b, Linux.OFFSETOF_SOCKADDR_IN_SIN_PORT));
            }
            if (family == Linux.AF_INET6) {
                byte[] a = new byte[16];
                for (int i = 0; i < 16; i++) a[i] = b.get(Linux.OFFSETOF_SOCKADDR_IN6_SIN6_ADDR + i);
                int scope = b.getInt(Linux.OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID);
                int port = getPort(b, Linux.OFFSETOF_SOCKADDR_IN6_SIN6_PORT);
                // getByAddress turns ::ffff:a.b.c.d (a v4 peer of a dual-stack socket) into an Inet4Address.
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(a) : Inet6Address.getByAddress(null, a, scope);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("impossible: a raw address of the right length", e);
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }

    private static InetSocketAddress inet(SocketAddress address, String call) {
        if (!(address instanceof InetSocketAddress)) throw unsupported(address);
        InetSocketAddress inet = (InetSocketAddress) address;
        if (inet.isUnresolved()) {
            // Resolving would block the loop on DNS; the caller resolves first.
            throw new IllegalArgumentException(call + ": unresolved address " + inet + " (resolve it before, off the loop)");
        }
        return inet;
    }

    private static IllegalArgumentException unsupported(SocketAddress address) {
        return new IllegalArgumentException("unsupported address " + address
                + " (" + (address == null ? "null" : address.getClass().getName())
                + "): use InetSocketAddress or UnixDomainSocketAddress");
    }

    private static void putPort(ByteBuffer b, int offset, int port) {
        b.put(offset, (byte) (port >>> 8));
        b.put(offset + 1, (byte) port);
    }

    private static int getPort(ByteBuffer b, int offset) {
        return ((b.get(offset) & 0xFF) << 8) | (b.get(offset + 1) & 0xFF);
    }
}
