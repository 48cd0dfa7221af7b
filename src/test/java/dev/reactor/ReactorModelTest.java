package dev.reactor;

import dev.reactor.ffi.Errno;
import dev.reactor.io.Fds;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LogCapture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Model-based: random sequences of operations on a real reactor and real pipes, each checked
 * against a plain Java model of what must be dispatched. A few pipes ("slots") are registered,
 * muted, deregistered, closed by the reactor or behind its back and reopened (so fd numbers are
 * reused, also under registrations that outlived their file); timers of both kinds are set and
 * cancelled, messages sent, tasks executed, and every runOnce is compared with the model: which
 * registration gets an event, a timeout, a message — and nothing more. jqwik prints the seed and
 * shrinks a failing sequence. {@code -Djqwik.tries.default=N} runs more ({@code make soak}).
 */
class ReactorModelTest {
    private static final int SLOTS = 4;

    // ---- operations -----------------------------------------------------------------------------

    sealed interface Op permits Register, Write, Drain, CloseWriter, Mute, Unmute, Deregister, CloseByReactor,
            CloseBehindBack, Reopen, FdTimeout, HandlerTimeout, Cancel, Send, Execute, RunOnce { }
    record Register(int slot) implements Op { }
    record Write(int slot) implements Op { }
    record Drain(int slot) implements Op { }
    record CloseWriter(int slot) implements Op { }
    record Mute(int slot) implements Op { }
    record Unmute(int slot) implements Op { }
    record Deregister(int slot) implements Op { }
    record CloseByReactor(int slot) implements Op { }
    record CloseBehindBack(int slot) implements Op { }
    record Reopen(int slot) implements Op { }
    record FdTimeout(int slot, boolean now) implements Op { }
    record HandlerTimeout(boolean now) implements Op { }
    record Cancel(int nth) implements Op { }
    record Send(int slot) implements Op { }
    record Execute() implements Op { }
    record RunOnce() implements Op { }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> slot = Arbitraries.integers().between(0, SLOTS - 1);
        Arbitrary<Boolean> now = Arbitraries.of(true, false);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, slot.map(Register::new)),
                net.jqwik.api.Tuple.of(5, slot.map(Write::new)),
                net.jqwik.api.Tuple.of(2, slot.map(Drain::new)),
                net.jqwik.api.Tuple.of(1, slot.map(CloseWriter::new)),
                net.jqwik.api.Tuple.of(3, slot.map(Mute::new)),
                net.jqwik.api.Tuple.of(3, slot.map(Unmute::new)),
                net.jqwik.api.Tuple.of(2, slot.map(Deregister::new)),
                net.jqwik.api.Tuple.of(2, slot.map(CloseByReactor::new)),
                net.jqwik.api.Tuple.of(2, slot.map(CloseBehindBack::new)),
                net.jqwik.api.Tuple.of(3, slot.map(Reopen::new)),
                net.jqwik.api.Tuple.of(3, net.jqwik.api.Combinators.combine(slot, now).as(FdTimeout::new)),
                net.jqwik.api.Tuple.of(2, now.map(HandlerTimeout::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 50).map(Cancel::new)),
                net.jqwik.api.Tuple.of(3, slot.map(Send::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Execute())),
                net.jqwik.api.Tuple.of(8, Arbitraries.just(new RunOnce())));
    }

    @Property(shrinking = net.jqwik.api.ShrinkingMode.FULL)
    void shouldDispatchWhatTheModelSays(@ForAll @Size(max = 80) List<@From("ops") Op> ops) throws Exception {
        FdSnapshot before = FdSnapshot.take();
        try (LogCapture quiet = LogCapture.start()) {   // closing behind the back is logged, on purpose
            new Run().execute(ops);
        }
        // Only what a sequence makes: pipes, and the reactor's epoll, eventfd and timerfd (the JDK
        // and jqwik open random sources and /proc listings of their own on first use).
        assertEquals(List.of(), before.opened().stream()
                .filter(fd -> fd.contains("pipe:") || fd.contains("anon_inode:")).toList(), "leaked: " + ops);
    }

    // ---- the model ------------------------------------------------------------------------------

    /** A pipe the test made: its ends may be closed one by one. */
    static final class Pipe {
        final int r;
        final int w;
        int pending;
        boolean readOpen = true;
        boolean writeOpen = true;

        Pipe() throws IOException {
            int[] p = Fds.pipe();
            r = p[0];
            w = p[1];
        }

        /** What epoll reports for the read end: data, or the writer gone (HUP). */
        boolean ready() {
            return readOpen && (pending > 0 || !writeOpen);
        }
    }

    /** One registration, as the model sees it, and the Context that records what the reactor gave it. */
    static final class Reg implements Context {
        final int fd;
        final Pipe pipe;                 // the file it was registered on
        boolean muted;
        int events;
        int timeouts;
        int messages;
        int expectedEvents;
        int expectedTimeouts;
        int expectedMessages;

        Reg(int fd, Pipe pipe) {
            this.fd = fd;
            this.pipe = pipe;
        }

        @Override public int fd() { return fd; }
        @Override public int interest() { return Interest.READ; }
        @Override public void onEvent(Reactor reactor, int ev) { events++; }
        @Override public void onTimeout(Reactor reactor, long timerId) { timeouts++; }
        @Override public void onNotify(Reactor reactor, Object message) {
            assertSame(this, message, "a message reached another registration");
            messages++;
        }
        @Override public void onError(Reactor reactor, Exception error) {
            throw new AssertionError("no callback here throws", error);
        }
        @Override public String toString() { return "Reg(fd=" + fd + (muted ? ", muted" : "") + ")"; }
    }

    /** One sequence against one reactor. */
    static final class Run {
        final Reactor reactor;
        final Pipe[] slots = new Pipe[SLOTS];
        final List<Pipe> allPipes = new ArrayList<>();
        final Map<Integer, Reg> table = new HashMap<>();     // fd number -> registration
        final List<Reg> everRegistered = new ArrayList<>();
        final List<Long> timerIds = new ArrayList<>();     // every id handed out, for Cancel to pick from
        final Set<Long> pending = new HashSet<>();          // not fired, not cancelled
        final Set<Long> due = new HashSet<>();              // zero delay: fire at the next runOnce
        final Map<Long, Reg> target = new HashMap<>();      // fd timers -> their registration
        final List<Reg> queued = new ArrayList<>();          // messages sent, in order
        int tasksQueued;
        int tasksRun;
        int handlerTimeouts;
        int expectedHandlerTimeouts;

        Run() throws IOException {
            reactor = Reactor.open();
            for (int i = 0; i < SLOTS; i++) slots[i] = newPipe();
        }

        Pipe newPipe() throws IOException {
            Pipe p = new Pipe();
            allPipes.add(p);
            return p;
        }

        void execute(List<Op> ops) throws Exception {
            try {
                for (Op op : ops) apply(op);
                apply(new RunOnce());
            } finally {
                reactor.close();
                for (Pipe p : allPipes) {
                    if (p.readOpen) Fds.close(p.r);
                    if (p.writeOpen) Fds.close(p.w);
                }
            }
        }

        void apply(Op op) throws Exception {
            if (op instanceof Register o) {
                register(slots[o.slot()]);
            } else if (op instanceof Write o) {
                Pipe p = slots[o.slot()];
                if (!p.writeOpen || !p.readOpen) return;     // no reader: EPIPE, nothing to model
                assertEquals(1, Fds.write(p.w, ByteBuffer.wrap(new byte[] {1})));
                p.pending++;
            } else if (op instanceof Drain o) {
                Pipe p = slots[o.slot()];
                if (!p.readOpen) return;
                ByteBuffer b = ByteBuffer.allocate(4096);
                int total = 0;
                int n;
                while ((n = Fds.read(p.r, b.clear())) > 0) total += n;
                assertEquals(p.pending, total, "bytes in the pipe");
                p.pending = 0;
            } else if (op instanceof CloseWriter o) {
                Pipe p = slots[o.slot()];
                if (!p.writeOpen) return;
                Fds.close(p.w);
                p.writeOpen = false;
            } else if (op instanceof Mute o) {
                interest(slots[o.slot()].r, 0);
            } else if (op instanceof Unmute o) {
                interest(slots[o.slot()].r, Interest.READ);
            } else if (op instanceof Deregister o) {
                int fd = slots[o.slot()].r;
                Reg reg = table.get(fd);
                assertSame(reg, reactor.deregister(fd), "deregister(" + fd + ")");
                ended(reg);
            } else if (op instanceof CloseByReactor o) {
                Pipe p = slots[o.slot()];
                if (!p.readOpen) return;          // its number may be another pipe's by now
                Reg reg = table.get(p.r);
                reactor.close(p.r);
                p.readOpen = false;
                ended(reg);
            } else if (op instanceof CloseBehindBack o) {
                Pipe p = slots[o.slot()];
                if (!p.readOpen) return;
                Fds.close(p.r);                   // the registration, if any, outlives its file
                p.readOpen = false;
            } else if (op instanceof Reopen o) {
                Pipe p = slots[o.slot()];
                if (p.readOpen) return;           // only a closed slot gets a new pipe (maybe at the old number)
                if (p.writeOpen) {
                    Fds.close(p.w);
                    p.writeOpen = false;
                }
                slots[o.slot()] = newPipe();
            } else if (op instanceof FdTimeout o) {
                int fd = slots[o.slot()].r;
                Reg reg = table.get(fd);
                if (reg == null) {
                    assertThrowsArgument(() -> reactor.timeout(Duration.ZERO, fd));
                    return;
                }
                long id = reactor.timeout(o.now() ? Duration.ZERO : Duration.ofHours(1), fd);
                timerIds.add(id);
                pending.add(id);
                target.put(id, reg);
                if (o.now()) due.add(id);
            } else if (op instanceof HandlerTimeout o) {
                long id = reactor.timeout(o.now() ? Duration.ZERO : Duration.ofHours(1), (r, tid) -> handlerTimeouts++);
                timerIds.add(id);
                pending.add(id);
                if (o.now()) due.add(id);
            } else if (op instanceof Cancel o) {
                if (timerIds.isEmpty()) return;
                long id = timerIds.get(o.nth() % timerIds.size());
                assertEquals(pending.remove(id), reactor.cancel(id), "cancel(" + id + ")");
                due.remove(id);
            } else if (op instanceof Send o) {
                int fd = slots[o.slot()].r;
                Reg reg = table.get(fd);
                boolean sent = reactor.send(fd, reg == null ? "nobody" : reg);
                if (reg != null) {
                    assertTrue(sent);
                    queued.add(reg);
                }
            } else if (op instanceof Execute) {
                assertTrue(reactor.execute(() -> tasksRun++));
                tasksQueued++;
            } else if (op instanceof RunOnce) {
                runOnce();
            } else {
                throw new AssertionError("unknown op " + op);
            }
        }

        void register(Pipe p) throws IOException {
            if (!p.readOpen) return;             // its number may be another pipe's
            Reg existing = table.get(p.r);
            Reg reg = new Reg(p.r, p);
            if (existing != null) {
                ReactorException e = assertThrowsReactor(() -> reactor.register(reg));
                assertEquals(Errno.EEXIST, e.errno());
                return;
            }
            reactor.register(reg);
            table.put(p.r, reg);
            everRegistered.add(reg);
        }

        /** MOD finds the registration only if its file is still the one at that number. */
        void interest(int fd, int interest) throws IOException {
            Reg reg = table.get(fd);
            if (reg == null) {
                assertEquals(Errno.ENOENT, assertThrowsReactor(() -> reactor.interest(fd, interest)).errno());
                return;
            }
            boolean alive = reg.pipe.readOpen;   // a closed read end's number is free, or another pipe's
            if (!alive) {
                int errno = assertThrowsReactor(() -> reactor.interest(fd, interest)).errno();
                assertTrue(errno == Errno.ENOENT || errno == Errno.EBADF, "errno " + errno);
                assertNull(reactor.context(fd), "a registration whose file is gone is removed");
                ended(reg);
                return;
            }
            reactor.interest(fd, interest);
            reg.muted = interest == 0;
        }

        /** A registration ends (null: there was none): its pending timers go with it. */
        void ended(Reg reg) {
            if (reg == null) return;
            assertSame(reg, table.remove(reg.fd));
            for (Map.Entry<Long, Reg> e : target.entrySet()) {
                if (e.getValue() == reg) {
                    pending.remove(e.getKey());
                    due.remove(e.getKey());
                }
            }
        }

        void runOnce() throws IOException {
            // What must happen in this iteration, decided before it runs.
            for (Reg reg : table.values()) {
                if (!reg.muted && reg.pipe.r == reg.fd && reg.pipe.ready()) reg.expectedEvents++;
            }
            for (long id : due) {
                Reg reg = target.get(id);
                if (reg == null) expectedHandlerTimeouts++;
                else reg.expectedTimeouts++;       // pending, so its registration is still the current one
                pending.remove(id);
            }
            due.clear();
            for (Reg reg : queued) {
                if (table.get(reg.fd) == reg) reg.expectedMessages++;
            }
            queued.clear();
            int tasksExpected = tasksQueued;

            reactor.runOnce(Duration.ZERO);

            for (Reg reg : everRegistered) {
                assertEquals(reg.expectedEvents, reg.events, "events of " + reg);
                assertEquals(reg.expectedTimeouts, reg.timeouts, "timeouts of " + reg);
                assertEquals(reg.expectedMessages, reg.messages, "messages of " + reg);
            }
            assertEquals(expectedHandlerTimeouts, handlerTimeouts, "handler timeouts");
            assertEquals(tasksExpected, tasksRun, "tasks");
            for (Map.Entry<Integer, Reg> e : table.entrySet()) {
                assertSame(e.getValue(), reactor.context(e.getKey()), "the table at fd " + e.getKey());
            }
            assertEquals(table.size(), reactor.registrations(), "registrations");
            assertEquals(pending.size(), reactor.pendingTimers(), "pending timers");
        }

        static void assertThrowsArgument(Runnable call) {
            try {
                call.run();
            } catch (IllegalArgumentException expected) {
                return;
            }
            fail("expected IllegalArgumentException");
        }

        interface IoCall {
            void run() throws IOException;
        }

        static ReactorException assertThrowsReactor(IoCall call) {
            try {
                call.run();
            } catch (ReactorException expected) {
                return expected;
            } catch (IOException e) {
                throw new AssertionError("expected a ReactorException", e);
            }
            throw new AssertionError("expected a ReactorException");
        }
    }
}
