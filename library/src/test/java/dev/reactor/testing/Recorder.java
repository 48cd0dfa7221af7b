package dev.reactor.testing;

import dev.reactor.Context;
import dev.reactor.EventHandler;
import dev.reactor.Interest;
import dev.reactor.Reactor;

import java.util.ArrayList;
import java.util.List;

/**
 * A Context that records every event it is given (in order), then runs an optional action.
 * The default onError is kept, so tests of the default behaviour can use it too.
 */
public class Recorder implements Context {
    private final int fd;
    private final int interest;
    private final EventHandler action;
    public final List<Integer> events = new ArrayList<>();

    public Recorder(int fd, int interest) {
        this(fd, interest, (r, ev) -> { });
    }

    public Recorder(int fd, int interest, EventHandler action) {
        this.fd = fd;
        this.interest = interest;
        this.action = action;
    }

    @Override public int fd() { return fd; }
    @Override public int interest() { return interest; }

    @Override
    public void onEvent(Reactor reactor, int ev) throws Exception {
        events.add(ev);
        action.onEvent(reactor, ev);
    }

    public int count() {
        return events.size();
    }

    /** The bits of the latest event; fails when there was none. */
    public int last() {
        if (events.isEmpty()) throw new AssertionError("no event recorded on fd " + fd);
        return events.get(events.size() - 1);
    }

    @Override public String toString() {
        return "Recorder(fd=" + fd + ", " + Interest.toString(interest) + ", " + events.size() + " events)";
    }
}
