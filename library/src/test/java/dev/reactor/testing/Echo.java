package dev.reactor.testing;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

import java.nio.ByteBuffer;

/** A minimal echo Context for tests: writes back what it reads (small messages), closes at end of stream. */
public final class Echo implements Context {
    private final int fd;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    public long bytes;

    public Echo(int fd) {
        this.fd = fd;
    }

    @Override public int fd() { return fd; }

    @Override public int interest() { return Interest.READ; }

    @Override
    public void onEvent(Reactor reactor, int events) throws Exception {
        buf.clear();
        int n = Fds.read(fd, buf);
        if (n < 0 || (n == 0 && Events.isHangup(events))) {
            reactor.close(fd);
            return;
        }
        bytes += n;
        buf.flip();
        while (buf.hasRemaining()) {
            if (Fds.write(fd, buf) == 0) throw new AssertionError("test echo: socket buffer full");
        }
    }
}
