package dev.reactor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the loop did, counted as it goes (no allocation, no atomics on the loop side). Read from
 * the loop thread for exact values; from another thread the numbers may lag a little.
 */
public final class ReactorStats {
    long iterations;
    long eventsDispatched;
    long staleEventsDropped;
    long mutedEventsDropped;
    long pollerRebuilds;
    long timersFired;
    long timersDropped;
    long messagesDelivered;
    long messagesDropped;
    long waitsInterrupted;
    final AtomicLong wakeupsWritten = new AtomicLong();

    ReactorStats() { }

    /** {@return how many loop iterations (polls) ran} */
    public long iterations() { return iterations; }
    /** {@return how many onEvent calls ran} */
    public long eventsDispatched() { return eventsDispatched; }
    /** {@return how many events came for a registration that had ended (fd closed or reused within one batch)} */
    public long staleEventsDropped() { return staleEventsDropped; }
    /** {@return how many events came for a muted fd ({@code interest(fd, 0)}): at most one per mute, plus any already in the batch} */
    public long mutedEventsDropped() { return mutedEventsDropped; }
    /**
     * {@return how many times the kernel set was rebuilt to leave behind a registration it could no longer remove}
     * That happens to an fd closed behind the reactor's back while a dup kept its file open.
     */
    public long pollerRebuilds() { return pollerRebuilds; }
    /** {@return how many timer callbacks ran (handler or onTimeout)} */
    public long timersFired() { return timersFired; }
    /** {@return how many fd timers were cancelled because their registration ended before they expired} */
    public long timersDropped() { return timersDropped; }
    /** {@return how many onNotify calls and tasks ran} */
    public long messagesDelivered() { return messagesDelivered; }
    /**
     * {@return how many messages and tasks were accepted but never delivered} These are messages sent to an fd
     * whose registration had ended by delivery, and the messages and tasks still queued when the
     * reactor was released by close(): every accepted send and execute ends up delivered or
     * counted here.
     */
    public long messagesDropped() { return messagesDropped; }
    /**
     * {@return how many waits in the kernel a signal cut short (EINTR)} Each is resumed for the time
     * left. Only a blocking wait can be: a spinning loop's polls do not sleep.
     */
    public long waitsInterrupted() { return waitsInterrupted; }
    /** {@return how many eventfd (or EVFILT_USER) writes woke a blocked loop} Exact from any thread. */
    public long wakeupsWritten() { return wakeupsWritten.get(); }

    @Override public String toString() {
        return "ReactorStats{iterations=" + iterations + ", eventsDispatched=" + eventsDispatched
                + ", staleEventsDropped=" + staleEventsDropped + ", mutedEventsDropped=" + mutedEventsDropped + ", pollerRebuilds=" + pollerRebuilds + ", timersFired=" + timersFired
                + ", timersDropped=" + timersDropped + ", messagesDelivered=" + messagesDelivered
                + ", messagesDropped=" + messagesDropped + ", waitsInterrupted=" + waitsInterrupted
                + ", wakeupsWritten=" + wakeupsWritten() + "}";
    }
}
