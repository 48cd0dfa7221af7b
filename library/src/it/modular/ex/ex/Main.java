package ex;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

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
            System.out.println("module path ok: " + reactor.backend() + " in module "
                    + Reactor.class.getModule().getName());
        } finally {
            Fds.close(efd);
        }
    }
}
