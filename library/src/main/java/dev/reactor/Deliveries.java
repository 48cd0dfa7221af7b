package dev.reactor;

/**
 * What the loop delivers besides I/O events: expired timers and the messages and tasks other
 * threads queued. Each pass is bounded (by the timers pending on entry, by the queue's capacity),
 * so neither can starve I/O. A timer or message meant for a registration that has ended, even if its fd number was reused since, is
 * dropped and counted. Loop thread only.
 */
final class Deliveries {

    private final Reactor reactor;
    private final FdTable table;
    private final Timers timers;
    private final Mailbox mailbox;
    private final ReactorStats stats;

    Deliveries(Reactor reactor, FdTable table, Timers timers, Mailbox mailbox, ReactorStats stats) {
        this.reactor = reactor;
        this.table = table;
        this.timers = timers;
        this.mailbox = mailbox;
        this.stats = stats;
    }

    /** Runs the timers due now; returns how many callbacks ran. */
    int expireTimers() {
        if (timers.size() == 0) return 0;
        long now = System.nanoTime();
        int fired = 0;
        int slot;
        // At most the timers pending on entry: one that a callback schedules with delay 0 waits
        // for the next iteration, so a self-rescheduling timer cannot starve I/O.
        for (int budget = timers.size(); budget > 0; budget--) {
            if ((slot = timers.pollExpired(now)) < 0) break;
            long id = timers.id(slot);
            Object handler = timers.handler(slot);
            int fd = timers.fd(slot);
            int generation = timers.fdGeneration(slot);
            timers.release(slot);           // before the callback: it may schedule or cancel
            if (handler != null) {
                fired++;
                try {
                    ((TimeoutHandler) handler).onTimeout(reactor, id);
                } catch (Exception e) {
                    Logs.warning(() -> "timer " + id + " failed", e);
                }
                continue;
            }
            Context ctx = table.get(fd, generation);
            if (ctx == null) {
                stats.timersDropped++;
                continue;
            }
            fired++;
            try {
                ctx.onTimeout(reactor, id);
            } catch (Exception e) {
                reactor.failed(ctx, fd, generation, e);
            }
        }
        stats.timersFired += fired;
        return fired;
    }

    /** Delivers queued messages and runs queued tasks; returns how many. */
    int drainMailbox() {
        int delivered = 0;
        // Bounded by the capacity, so producers faster than the loop cannot starve I/O.
        for (int budget = mailbox.capacity(); budget > 0; budget--) {
            Mailbox.Message m = mailbox.poll();
            if (m == null) break;
            int fd = m.fd;
            int generation = m.generation;
            Object payload = m.payload;
            mailbox.recycle(m);
            if (fd == Mailbox.TASK) {
                delivered++;
                try {
                    ((Task) payload).run();
                } catch (Exception e) {
                    Logs.warning(() -> "execute: task failed", e);
                }
                continue;
            }
            Context ctx = table.get(fd, generation);
            if (ctx == null) {
                stats.messagesDropped++;
                continue;
            }
            delivered++;
            try {
                ctx.onNotify(reactor, payload);
            } catch (Exception e) {
                reactor.failed(ctx, fd, generation, e);
            }
        }
        stats.messagesDelivered += delivered;
        return delivered;
    }
}
