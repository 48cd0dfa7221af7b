package dev.reactor;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Hands a connected socket (accepted or connected) to the user's {@link ConnectionHandler} and
 * registers the Context it returns as reactor-owned. Whatever goes wrong costs that one fd only:
 * a null Context, a throwing handler or a Context that cannot be registered closes it.
 */
final class Handover {
    private Handover() { }

    private static final System.Logger LOG = System.getLogger("dev.reactor");

    /** True when the connection is registered and in the user's hands. */
    static boolean open(Reactor reactor, ConnectionHandler handler, int fd, SocketAddress peer) {
        Context ctx;
        try {
            ctx = handler.onConnection(reactor, fd, peer);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, () -> "fd " + fd + " (" + peer + "): onConnection threw; closed", e);
            close(reactor, fd);
            return false;
        }
        if (ctx == null) {
            close(reactor, fd);
            return false;
        }
        if (reactor.isClosed()) {          // the handler closed the reactor: nothing to register into
            close(reactor, fd);
            return false;
        }
        if (reactor.context(fd) == ctx) return true;   // the handler registered it itself
        if (ctx.fd() != fd) {
            LOG.log(System.Logger.Level.WARNING, () -> "fd " + fd + " (" + peer + "): onConnection returned a Context"
                    + " for fd " + ctx.fd() + "; closed");
            close(reactor, fd);
            return false;
        }
        try {
            reactor.register(ctx, true);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "fd " + fd + " (" + peer + "): cannot register " + ctx + "; closed", e);
            close(reactor, fd);
            return false;
        }
        return true;
    }

    static void close(Reactor reactor, int fd) {
        if (reactor.isClosed()) reactor.libc().close(fd);
        else reactor.close(fd);
    }
}
