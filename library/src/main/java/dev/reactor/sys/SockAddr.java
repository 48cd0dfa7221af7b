package dev.reactor.sys;

import dev.reactor.ReactorException;

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
 * at offset 0 of a native-order buffer, in one OS's {@link Layout} (which its probe checks).
 * Ports and IPv4/IPv6 addresses are in network byte order; the family and scope id are not.
 */
public final class SockAddr {
    /**
     * Where an OS puts each field. The BSDs start every sockaddr with a length byte and a
     * one-byte family ({@code sin_len}, {@code sin_family}); Linux has a two-byte family and no length.
     *
     * @param lengthByte true where byte 0 is the sockaddr's length and byte 1 its family (BSD)
     * @param afUnix AF_UNIX
     * @param afInet AF_INET
     * @param afInet6 AF_INET6
     * @param sizeofIn sizeof(struct sockaddr_in)
     * @param inPort offsetof(sockaddr_in, sin_port)
     * @param inAddr offsetof(sockaddr_in, sin_addr)
     * @param sizeofIn6 sizeof(struct sockaddr_in6)
     * @param in6Port offsetof(sockaddr_in6, sin6_port)
     * @param in6Addr offsetof(sockaddr_in6, sin6_addr)
     * @param in6ScopeId offsetof(sockaddr_in6, sin6_scope_id)
     * @param sizeofUn sizeof(struct sockaddr_un)
     * @param unPath offsetof(sockaddr_un, sun_path)
     * @param sizeofStorage sizeof(struct sockaddr_storage)
     */
    public record Layout(boolean lengthByte, int afUnix, int afInet, int afInet6,
                         int sizeofIn, int inPort, int inAddr,
                         int sizeofIn6, int in6Port, int in6Addr, int in6ScopeId,
                         int sizeofUn, int unPath, int sizeofStorage) { }

    private final Layout l;

    public SockAddr(Layout layout) {
        this.l = layout;
    }

    /** {@return the layout this encodes} */
    public Layout layout() {
        return l;
    }

    /** {@return sizeof(struct sockaddr_storage): room for any address} */
    public int storageSize() {
        return l.sizeofStorage();
    }

    /** {@return the longest Unix socket path: sun_path holds it plus the terminating NUL} */
    public int maxUnixPath() {
        return l.sizeofUn() - l.unPath() - 1;
    }

    /** The address family for socket(2). */
    public int family(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return inet(address, "socket").getAddress() instanceof Inet6Address ? l.afInet6() : l.afInet();
        }
        if (address instanceof UnixDomainSocketAddress) return l.afUnix();
        throw unsupported(address);
    }

    /** "AF_INET", "AF_INET6", "AF_UNIX", or "family N". */
    public String familyName(int family) {
        if (family == l.afInet()) return "AF_INET";
        if (family == l.afInet6()) return "AF_INET6";
        if (family == l.afUnix()) return "AF_UNIX";
        return "family " + family;
    }

    /** Writes address at offset 0 of b; returns its length (the socklen_t to pass). */
    public int encode(ByteBuffer b, SocketAddress address, String call, int fd) throws ReactorException {
        for (int i = 0; i < l.sizeofStorage(); i++) b.put(i, (byte) 0);
        if (address instanceof UnixDomainSocketAddress) {
            byte[] path = ((UnixDomainSocketAddress) address).getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length > maxUnixPath()) {
                throw new ReactorException(call + "(fd=" + fd + ", " + address + ")", Errno.ENAMETOOLONG,
                        "Unix socket path is " + path.length + " bytes; the limit is " + maxUnixPath());
            }
            for (int i = 0; i < path.length; i++) b.put(l.unPath() + i, path[i]);
            // An empty path means "unnamed": bind(2) then autobinds (unix(7)).
            int len = l.unPath() + (path.length == 0 ? 0 : path.length + 1);
            putFamily(b, l.afUnix(), len);
            return len;
        }
        InetSocketAddress inet = inet(address, call);
        InetAddress ip = inet.getAddress();
        int port = inet.getPort();
        if (ip instanceof Inet4Address) {
            putFamily(b, l.afInet(), l.sizeofIn());
            putPort(b, l.inPort(), port);
            byte[] a = ip.getAddress();
            for (int i = 0; i < 4; i++) b.put(l.inAddr() + i, a[i]);
            return l.sizeofIn();
        }
        putFamily(b, l.afInet6(), l.sizeofIn6());
        putPort(b, l.in6Port(), port);
        byte[] a = ip.getAddress();
        for (int i = 0; i < 16; i++) b.put(l.in6Addr() + i, a[i]);
        b.putInt(l.in6ScopeId(), ((Inet6Address) ip).getScopeId());
        return l.sizeofIn6();
    }

    private void putFamily(ByteBuffer b, int family, int len) {
        if (l.lengthByte()) {
            b.put(0, (byte) len);
            b.put(1, (byte) family);
        } else {
            b.putShort(0, (short) family);
        }
    }

    /** Reads the sockaddr of length len at offset 0 of b. */
    public SocketAddress decode(ByteBuffer b, int len) {
        int family = l.lengthByte() ? b.get(1) & 0xFF : b.getShort(0) & 0xFFFF;
        if (family == l.afUnix()) {
            int start = l.unPath();
            int end = start;
            // Unnamed sockets have no path; abstract ones start with NUL, which a Path cannot hold.
            while (end < len && end < l.sizeofUn() && b.get(end) != 0) end++;
            byte[] path = new byte[end - start];
            for (int i = 0; i < path.length; i++) path[i] = b.get(start + i);
            return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
        }
        try {
            if (family == l.afInet()) {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) a[i] = b.get(l.inAddr() + i);
                return new InetSocketAddress(InetAddress.getByAddress(a), getPort(b, l.inPort()));
            }
            if (family == l.afInet6()) {
                byte[] a = new byte[16];
                for (int i = 0; i < 16; i++) a[i] = b.get(l.in6Addr() + i);
                int scope = b.getInt(l.in6ScopeId());
                int port = getPort(b, l.in6Port());
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
