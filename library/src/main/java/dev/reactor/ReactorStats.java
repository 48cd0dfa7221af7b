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

    /** Loop iterations (polls). */
    public long iterations() { return iterations; }
    /** onEvent calls. */
    public long eventsDispatched() { return eventsDispatched; }
    /** Events for a registration that had ended (fd closed or reused within one batch). */
    public long staleEventsDropped() { return staleEventsDropped; }
    /** Events for a muted fd ({@code interest(fd, 0)}): at most one per mute, plus any already in the batch. */
    public long mutedEventsDropped() { return mutedEventsDropped; }
    /**
     * Times the kernel set was rebuilt to leave behind a registration it could no longer remove
     * (an fd closed behind the reactor's back while a dup kept its file open).
     */
    public long pollerRebuilds() { return pollerRebuilds; }
    /** Timer callbacks run (handler or onTimeout). */
    public long timersFired() { return timersFired; }
    /** fd timers whose registration ended before they expired (cancelled with it). */
    public long timersDropped() { return timersDropped; }
    /** onNotify calls and executed tasks. */
    public long messagesDelivered() { return messagesDelivered; }
    /**
     * Messages sent to an fd whose registration had ended by delivery, and the messages and tasks
     * still queued when the reactor was released by close(): every accepted send and execute ends
     * up delivered or counted here.
     */
    public long messagesDropped() { return messagesDropped; }
    /**
     * Waits in the kernel that a signal cut short (EINTR), each resumed for the time left. Only a
     * blocking wait can be: a spinning loop's polls do not sleep.
     */
    public long waitsInterrupted() { return waitsInterrupted; }
    /** eventfd (or EVFILT_USER) writes made to wake a blocked loop. */
    public long wakeupsWritten() { return wakeupsWritten.get(); }

    @Override public String toString() {
        return "ReactorStats{iterations=" + iterations + ", eventsDispatched=" + eventsDispatched
                + ", staleEventsDropped=" + staleEventsDropped + ", mutedEventsDropped=" + mutedEventsDropped + ", pollerRebuilds=" + pollerRebuilds + ", timersFired=" + timersFired
                + ", timersDropped=" + timersDropped + ", messagesDelivered=" + messagesDelivered
                + ", messagesDropped=" + messagesDropped + ", waitsInterrupted=" + waitsInterrupted
                + ", wakeupsWritten=" + wakeupsWritten() + "}";
    }
}
