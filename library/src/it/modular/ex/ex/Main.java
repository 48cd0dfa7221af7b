package ex;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

import java.io.FileDescriptor;

public class Main {
    public static void main(String[] args) throws Exception {
        int efd = Fds.eventfd();
        try (Reactor reactor = Reactor.open()) {
            reactor.register(Context.of(efd, Interest.READ, (r, events) -> {
                System.out.println("eventfd " + Events.toString(events) + " " + Fds.eventfdRead(efd));
                r.stop();
            }));
            Fds.eventfdWrite(efd, 7);
            reactor.run();
            // Needs --add-opens java.base/java.io=dev.reactor; without it, a message naming that flag.
            try {
                System.out.println("Fds.of(FileDescriptor.out) = " + Fds.of(FileDescriptor.out));
            } catch (UnsupportedOperationException e) {
                System.out.println("Fds.of(FileDescriptor.out) refused: " + e.getMessage());
            }
            System.out.println("module path ok: " + reactor.backend() + " in module "
                    + Reactor.class.getModule().getName());
        } finally {
            Fds.close(efd);
        }
    }
}
