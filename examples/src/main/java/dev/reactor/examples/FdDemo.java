package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One loop watching three kinds of fd: a pipe, an eventfd and a timerfd. The timerfd ticks every
 * 100 ms; on each tick the demo writes a line into the pipe and bumps the eventfd, and prints
 * what the reactor dispatches. Stops after {@code ticks} ticks (default 5).
 */
public final class FdDemo {
    public static void main(String[] args) throws Exception {
        int ticks = Usage.optional("FdDemo", "FdDemo [ticks]  (default 5)", args, 5, v -> Usage.count("ticks", v));
        int[] pipe = Fds.pipe();
        int eventFd = Fds.eventfd();
        int timerFd = Fds.timerfd(Duration.ofMillis(100), Duration.ofMillis(100));
        try (Reactor reactor = Reactor.open()) {
            System.out.println("reactor " + reactor.backend() + ": pipe=" + pipe[0] + " eventfd=" + eventFd
                    + " timerfd=" + timerFd);
            ByteBuffer buf = ByteBuffer.allocateDirect(256);
            int[] seen = {0};

            reactor.register(Context.of(timerFd, Interest.READ, (r, ev) -> {
                long expirations = Fds.timerfdRead(timerFd);
                seen[0]++;
                System.out.printf("timerfd %d: %s, %d expiration(s), tick %d%n",
                        timerFd, Events.toString(ev), expirations, seen[0]);
                Fds.write(pipe[1], ByteBuffer.wrap(("tick " + seen[0] + "\n").getBytes(StandardCharsets.UTF_8)));
                Fds.eventfdWrite(eventFd, seen[0]);
            }));
            reactor.register(Context.of(pipe[0], Interest.READ, (r, ev) -> {
                buf.clear();
                int n = Fds.read(pipe[0], buf);
                buf.flip();
                System.out.printf("pipe    %d: %s, %d bytes: %s", pipe[0], Events.toString(ev), n,
                        StandardCharsets.UTF_8.decode(buf));
            }));
            reactor.register(Context.of(eventFd, Interest.READ, (r, ev) -> {
                long counter = Fds.eventfdRead(eventFd);
                System.out.printf("eventfd %d: %s, counter %d%n", eventFd, Events.toString(ev), counter);
                // Not "counter == ticks": after a stall two ticks' bumps arrive summed, and the
                // counter would jump past it.
                if (seen[0] >= ticks) r.stop();
            }));

            reactor.run();
            System.out.println(reactor.stats());
        } finally {
            Fds.closeQuietly(pipe[0]);
            Fds.closeQuietly(pipe[1]);
            Fds.closeQuietly(eventFd);
            Fds.closeQuietly(timerFd);
        }
    }
}
