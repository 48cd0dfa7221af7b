package dev.reactor;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Hands a connected socket (accepted or connected) to the user's {@link ConnectionHandler} and
 * registers the Context it returns as {@link Ownership#OWNED}. The fd is the reactor's from the
 * moment it exists: a handler that registers its Context itself (to arm a timeout on it, say)
 * gets that registration made owned too. Whatever goes wrong costs that one fd only, and never
 * leaks it: a null Context, a throwing handler (an Error included, which then goes on up) or a
 * Context that cannot be registered closes it. It runs in a callback, where close(fd) works even
 * while a close() of the reactor is pending.
 */
final class Handover {
    private Handover() { }


    /** True when the connection is registered and in the user's hands. */
    static boolean open(Reactor reactor, ConnectionHandler handler, int fd, SocketAddress peer) {
        Context ctx = null;
        boolean returned = false;
        try {
            ctx = handler.onConnection(reactor, fd, peer);
            returned = true;
        } catch (Exception e) {
            Logs.warning(() -> "fd " + fd + " (" + peer + "): onConnection threw; closed", e);
        } finally {
            if (!returned) reactor.close(fd);     // an Error passes on up, but not with the fd
        }
        if (!returned) return false;
        if (ctx == null || reactor.isClosed()) {   // refused, or the handler closed the reactor
            reactor.close(fd);
            return false;
        }
        if (reactor.context(fd) == ctx) {          // the handler registered it itself
            reactor.adopt(fd);
            return true;
        }
        if (ctx.fd() != fd) {
            Context wrong = ctx;
            Logs.warning(() -> "fd " + fd + " (" + peer + "): onConnection returned a Context"
                    + " for fd " + wrong.fd() + "; closed");
            reactor.close(fd);
            return false;
        }
        try {
            reactor.register(ctx, Ownership.OWNED);
        } catch (IOException | RuntimeException e) {
            Context refused = ctx;
            Logs.warning(() -> "fd " + fd + " (" + peer + "): cannot register " + refused + "; closed", e);
            reactor.close(fd);
            return false;
        }
        return true;
    }
}
