package dev.reactor.examples;

import dev.reactor.*;
import dev.reactor.io.Fds;
import java.nio.ByteBuffer;
import java.time.Duration;

public class ReadmeExample {
    public static void main(String[] args) throws Exception {
        int[] pipe = Fds.pipe();                      // any fd: pipe, eventfd, socket, a C library's...
        int timer = Fds.timerfd(Duration.ofMillis(20), Duration.ZERO);
        try (Reactor reactor = Reactor.open()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            reactor.register(Context.of(pipe[0], Interest.READ, (r, events) -> {
                buf.clear();
                int n = Fds.read(pipe[0], buf);
                System.out.println("pipe: " + Events.toString(events) + ", " + n + " bytes");
                r.stop();
            }));
            reactor.register(Context.of(timer, Interest.READ, (r, events) -> {
                System.out.println("timerfd fired after " + Fds.timerfdRead(timer) + " expiration");
                Fds.write(pipe[1], ByteBuffer.wrap("hello".getBytes()));
            }));
            reactor.run();                            // until stop() or close()
            System.out.println("ran on " + reactor.backend());
        } finally {
            for (int fd : new int[] {pipe[0], pipe[1], timer}) Fds.close(fd);
        }
    }
}
