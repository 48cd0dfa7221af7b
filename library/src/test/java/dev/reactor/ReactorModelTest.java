package dev.reactor;

import dev.reactor.sys.Errno;
import dev.reactor.io.Fds;
import dev.reactor.testing.FdSnapshot;
import dev.reactor.testing.LogCapture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Model-based: random sequences of operations on a real reactor, real pipes and real Unix-domain
 * connections, each checked against a plain Java model of what must be dispatched. A few pipes
 * ("slots") are registered, muted, deregistered, closed by the reactor or behind its back and
 * reopened (so fd numbers are reused, also under registrations that outlived their file); a
 * listener is opened and closed, connections are made to it (or refused), and both ends of each
 * become slots too, registered by the reactor's own accept and connect; timers of both kinds are
 * set and cancelled, messages sent, tasks executed, and every runOnce is compared with the model:
 * which registration gets an event, a timeout, a message, a connection — and nothing more. jqwik
 * prints the seed and shrinks a failing sequence. {@code -Djqwik.tries.default=N} runs more
 * ({@code make soak}).
 *
 * <p>Unix-domain sockets because their connect completes inside connect(2) and their accept
 * queue is first in, first out: the model knows, without timing, which connection is ready at
 * the next runOnce and which accepted end is whose peer.
 */
class ReactorModelTest {
    private static final int SLOTS = 4;
    /** The ends of up to MAX_CONNECTS connections, in the order they were made. */
    private static final int MAX_CONNECTS = 3;
    private static final int SOCKET_SLOTS = 2 * MAX_CONNECTS;

    // ---- operations -----------------------------------------------------------------------------

    sealed interface Op permits Register, Write, Drain, CloseWriter, Mute, Unmute, Deregister, CloseByReactor,
            CloseBehindBack, Reopen, FdTimeout, HandlerTimeout, Cancel, Send, Execute, RunOnce,
            Listen, StopListening, Connect { }
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
    record Listen() implements Op { }
    record StopListening() implements Op { }
    record Connect() implements Op { }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> slot = Arbitraries.integers().between(0, SLOTS + SOCKET_SLOTS - 1);
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
                net.jqwik.api.Tuple.of(8, Arbitraries.just(new RunOnce())),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new Listen())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new StopListening())),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new Connect())));
    }

    /** Lengths spread evenly up to 80 (jqwik's default favours short lists); failures still shrink short. */
    @Provide
    Arbitrary<List<Op>> sequences() {
        return ops().list().ofMaxSize(80).withSizeDistribution(RandomDistribution.uniform());
    }

    @Property(shrinking = net.jqwik.api.ShrinkingMode.FULL)
    void shouldDispatchWhatTheModelSays(@ForAll("sequences") List<Op> ops) throws Exception {
        FdSnapshot before = FdSnapshot.take();
        try (LogCapture quiet = LogCapture.start()) {   // closing behind the back is logged, on purpose
            new Run().execute(ops);
        }
        // Only what a sequence makes: pipes, sockets, and the reactor's epoll, eventfd and timerfd (the JDK
        // and jqwik open random sources and /proc listings of their own on first use).
        assertEquals(List.of(), before.opened().stream()
                .filter(fd -> fd.contains("pipe:") || fd.contains("socket:") || fd.contains("anon_inode:")).toList(), "leaked: " + ops);
    }

    /** One sequence through every connection op, so the socket half of the model runs in every suite. */
    @Example
    void shouldFollowConnectionsFromConnectToHangup() throws Exception {
        int server = SLOTS;
        int client = SLOTS + 1;
        shouldDispatchWhatTheModelSays(List.of(
                new Connect(), new RunOnce(),                        // nobody listening: refused
                new Listen(), new Connect(), new Connect(), new RunOnce(),
                new Write(server), new FdTimeout(client, true), new Send(client), new RunOnce(),
                new Drain(client), new Mute(SLOTS + 2), new CloseByReactor(server), new RunOnce(),
                new Deregister(client), new Register(client), new RunOnce(),
                new StopListening(), new Connect(), new RunOnce()));
    }

    // ---- the model ------------------------------------------------------------------------------

    /** What the test can register: a pipe's read end, or one end of a connection. */
    abstract static class End {
        final int fd;
        boolean open = true;
        int pending;                     // bytes to read

        End(int fd) {
            this.fd = fd;
        }

        /** The writer, or the peer, is gone: epoll reports the end readable (EOF, HUP). */
        abstract boolean hungUp();

        boolean ready() {
            return open && (pending > 0 || hungUp());
        }
    }

    /** A pipe the test made: its ends may be closed one by one. */
    static final class Pipe extends End {
        final int w;
        boolean writeOpen = true;

        private Pipe(int[] p) {
            super(p[0]);
            w = p[1];
        }

        static Pipe open() throws IOException {
            return new Pipe(Fds.pipe());
        }

        @Override boolean hungUp() { return !writeOpen; }
    }

    /** One end of a connection the reactor accepted or connected. */
    static final class Sock extends End {
        Sock peer;
        /** The peer closed with bytes unread: the next read that empties the queue fails with ECONNRESET. */
        boolean reset;

        Sock(int fd) {
            super(fd);
        }

        @Override boolean hungUp() { return !peer.open; }
    }

    /** One registration, as the model sees it, and the Context that records what the reactor gave it. */
    static final class Reg implements Context {
        final int fd;
        final End end;                   // the file it was registered on
        final boolean owned;
        boolean muted;
        int events;
        int timeouts;
        int messages;
        int expectedEvents;
        int expectedTimeouts;
        int expectedMessages;

        Reg(End end, boolean owned) {
            this.fd = end.fd;
            this.end = end;
            this.owned = owned;
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
        @Override public String toString() {
            return "Reg(fd=" + fd + (end instanceof Sock ? ", socket" : "") + (muted ? ", muted" : "") + ")";
        }
    }

    /** A connect made and not yet seen through by a runOnce. */
    record Connecting(int id, int fd, boolean listening) { }

    /** One sequence against one reactor. */
    static final class Run {
        final Reactor reactor;
        final Pipe[] slots = new Pipe[SLOTS];
        final List<Pipe> allPipes = new ArrayList<>();
        final List<Sock> socks = new ArrayList<>();          // socket slots, both ends of each connection in turn
        final Map<Integer, Reg> table = new HashMap<>();     // fd number -> registration
        final List<Reg> everRegistered = new ArrayList<>();
        final List<Long> timerIds = new ArrayList<>();     // every id handed out, for Cancel to pick from
        final Set<Long> pending = new HashSet<>();          // not fired, not cancelled
        final Set<Long> due = new HashSet<>();              // zero delay: fire at the next runOnce
        final Map<Long, Reg> target = new HashMap<>();      // fd timers -> their registration
        final List<Reg> queued = new ArrayList<>();          // messages sent, in order
        final Path dir;
        final SocketAddress address;                         // the listener's, when there is one
        int listener = -1;
        int connects;                                        // made, refused ones too: their ids
        int connections;                                     // made to a listener: at most MAX_CONNECTS
        final List<Connecting> connecting = new ArrayList<>();
        final List<Integer> acceptQueue = new ArrayList<>();  // ids of connects the listener has queued, in order
        final Map<Integer, Sock> accepted = new TreeMap<>();  // by connect id, during a runOnce
        final Map<Integer, Sock> connected = new TreeMap<>();
        final Set<Integer> failed = new HashSet<>();
        int tasksQueued;
        int tasksRun;
        int handlerTimeouts;
        int expectedHandlerTimeouts;

        Run() throws IOException {
            reactor = Reactor.open();
            for (int i = 0; i < SLOTS; i++) slots[i] = newPipe();
            dir = Files.createTempDirectory("model");
            address = UnixDomainSocketAddress.of(dir.resolve("l"));
        }

        Pipe newPipe() throws IOException {
            Pipe p = Pipe.open();
            allPipes.add(p);
            return p;
        }

        /** The pipe or socket end at a slot; null for a socket slot no connection has filled yet. */
        End end(int slot) {
            if (slot < SLOTS) return slots[slot];
            int i = slot - SLOTS;
            return i < socks.size() ? socks.get(i) : null;
        }

        /** A number the reactor uses for itself (the listener, a socket being connected). */
        boolean reactors(int fd) {
            if (fd == listener) return true;
            for (Connecting c : connecting) if (c.fd() == fd) return true;
            return false;
        }

        /** A registration whose file was closed behind the reactor's back is still in the table. */
        boolean stale() {
            for (Reg reg : table.values()) if (!reg.end.open) return true;
            return false;
        }

        void execute(List<Op> ops) throws Exception {
            try {
                for (Op op : ops) apply(op);
                apply(new RunOnce());
            } finally {
                // Owned registrations are the reactor's to close; everything else is the test's.
                Set<End> reactorCloses = new HashSet<>();
                for (Reg reg : table.values()) if (reg.owned && reg.end.open) reactorCloses.add(reg.end);
                reactor.close();
                for (Pipe p : allPipes) {
                    if (p.open) Fds.close(p.fd);
                    if (p.writeOpen) Fds.close(p.w);
                }
                for (Sock s : socks) if (s.open && !reactorCloses.contains(s)) Fds.close(s.fd);
                Files.deleteIfExists(dir.resolve("l"));
                Files.delete(dir);
            }
        }

        void apply(Op op) throws Exception {
            if (op instanceof Register o) {
                End e = end(o.slot());
                if (e != null) register(e);
            } else if (op instanceof Write o) {
                write(end(o.slot()));
            } else if (op instanceof Drain o) {
                End e = end(o.slot());
                if (e == null || !e.open) return;
                drain(e);
            } else if (op instanceof CloseWriter o) {
                if (!(end(o.slot()) instanceof Pipe p) || !p.writeOpen) return;
                Fds.close(p.w);
                p.writeOpen = false;
            } else if (op instanceof Mute o) {
                End e = end(o.slot());
                if (e != null && !reactors(e.fd)) interest(e.fd, 0);
            } else if (op instanceof Unmute o) {
                End e = end(o.slot());
                if (e != null && !reactors(e.fd)) interest(e.fd, Interest.READ);
            } else if (op instanceof Deregister o) {
                End e = end(o.slot());
                if (e == null || reactors(e.fd)) return;
                Reg reg = table.get(e.fd);
                assertSame(reg, reactor.deregister(e.fd), "deregister(" + e.fd + ")");
                ended(reg);                       // an owned socket is the test's again
            } else if (op instanceof CloseByReactor o) {
                End e = end(o.slot());
                if (e == null || !e.open) return; // its number may be another file's by now
                Reg reg = table.get(e.fd);
                reactor.close(e.fd);
                closed(e);
                ended(reg);
            } else if (op instanceof CloseBehindBack o) {
                End e = end(o.slot());
                if (e == null || !e.open) return;
                // Not while a connect or accept may take the number (the model cannot tell which),
                // and never an fd the reactor owns: closing that is the caller breaking the contract.
                if (!connecting.isEmpty()) return;
                Reg reg = table.get(e.fd);
                if (reg != null && reg.owned) return;
                Fds.close(e.fd);                   // the registration, if any, outlives its file
                closed(e);
            } else if (op instanceof Reopen o) {
                if (!(end(o.slot()) instanceof Pipe p) || p.open) return;   // a closed pipe slot gets a new pipe,
                if (p.writeOpen) {                                          // maybe at the old number
                    Fds.close(p.w);
                    p.writeOpen = false;
                }
                slots[o.slot()] = newPipe();
            } else if (op instanceof FdTimeout o) {
                End e = end(o.slot());
                if (e == null || reactors(e.fd)) return;
                int fd = e.fd;
                Reg reg = table.get(fd);
                if (reg == null) {
                    assertNotRegistered(() -> reactor.timeout(Duration.ZERO, fd));
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
                End e = end(o.slot());
                if (e == null || reactors(e.fd)) return;
                Reg reg = table.get(e.fd);
                boolean sent = reactor.send(e.fd, reg == null ? "nobody" : reg);
                if (reg != null) {
                    assertTrue(sent);
                    queued.add(reg);
                }
            } else if (op instanceof Execute) {
                assertTrue(reactor.execute(() -> tasksRun++));
                tasksQueued++;
            } else if (op instanceof RunOnce) {
                runOnce();
            } else if (op instanceof Listen) {
                if (listener >= 0 || stale()) return;     // a stale registration at the new number: EEXIST
                Files.deleteIfExists(dir.resolve("l"));
                listener = reactor.listen(address, (r, fd, peer) -> {
                    assertTrue(!acceptQueue.isEmpty(), "accepted a connection nobody made");
                    return adopt(accepted, acceptQueue.remove(0), fd);
                });
            } else if (op instanceof StopListening) {
                if (listener < 0 || !connecting.isEmpty()) return;   // its queue is empty by now
                reactor.close(listener);
                listener = -1;
            } else if (op instanceof Connect) {
                if (stale()) return;
                if (listener >= 0 && connections == MAX_CONNECTS) return;
                int id = connects++;
                if (listener >= 0) connections++;
                int fd = reactor.connect(address, new ConnectionHandler() {
                    @Override public Context onConnection(Reactor r, int fd, SocketAddress peer) {
                        return adopt(connected, id, fd);
                    }

                    @Override public void onConnectFailed(Reactor r, SocketAddress a, IOException cause) {
                        assertTrue(failed.add(id), "failed twice: connect " + id);
                    }
                });
                // Unix: connected (queued on the listener) or refused inside connect(2).
                connecting.add(new Connecting(id, fd, listener >= 0));
                if (listener >= 0) acceptQueue.add(id);
            } else {
                throw new AssertionError("unknown op " + op);
            }
        }

        /** A connection's end, handed over by the reactor: the model's from now, registered owned. */
        Reg adopt(Map<Integer, Sock> into, int id, int fd) {
            assertNull(table.get(fd), "a new connection at a registered number " + fd);
            Sock s = new Sock(fd);
            assertNull(into.put(id, s), "handed over twice: connect " + id);
            Reg reg = new Reg(s, true);
            table.put(fd, reg);
            everRegistered.add(reg);
            return reg;
        }

        void drain(End e) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(4096);
            int total = 0;
            while (true) {
                int n;
                try {
                    n = Fds.read(e.fd, b.clear());
                } catch (ReactorException x) {
                    if (x.errno() != Errno.ECONNRESET || !(e instanceof Sock s) || !s.reset) throw x;
                    s.reset = false;              // reported once, after the bytes; then EOF
                    continue;
                }
                if (n <= 0) break;
                total += n;
            }
            assertEquals(e.pending, total, "bytes in " + e.fd);
            e.pending = 0;
            if (e instanceof Sock s) assertTrue(!s.reset, "no ECONNRESET from " + e.fd + " whose peer closed unread");
        }

        /** The test or the reactor closed an end: a socket's peer sees it, and a reset if bytes were left unread. */
        void closed(End e) {
            e.open = false;
            if (e instanceof Sock s && s.pending > 0) s.peer.reset = true;
        }

        void write(End e) throws IOException {
            if (e instanceof Pipe p) {
                if (!p.writeOpen || !p.open) return;    // no reader: EPIPE, nothing to model
                assertEquals(1, Fds.write(p.w, ByteBuffer.wrap(new byte[] {1})));
                p.pending++;
            } else if (e instanceof Sock s) {
                if (!s.open || !s.peer.open) return;
                assertEquals(1, Fds.write(s.fd, ByteBuffer.wrap(new byte[] {1})));
                s.peer.pending++;
            }
        }

        void register(End e) throws IOException {
            if (!e.open) return;                 // its number may be another file's
            Reg existing = table.get(e.fd);
            Reg reg = new Reg(e, false);
            if (existing != null) {
                ReactorException ex = assertThrowsReactor(() -> reactor.register(reg));
                assertEquals(Errno.EEXIST, ex.errno());
                return;
            }
            reactor.register(reg);
            table.put(e.fd, reg);
            everRegistered.add(reg);
        }

        /** MOD finds the registration only if its file is still the one at that number. */
        void interest(int fd, int interest) throws IOException {
            Reg reg = table.get(fd);
            if (reg == null) {
                assertEquals(Errno.ENOENT, assertThrowsReactor(() -> reactor.interest(fd, interest)).errno());
                return;
            }
            if (!reg.end.open) {                // a closed end's number is free, or another file's
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
                if (!reg.muted && reg.end.fd == reg.fd && reg.end.ready()) reg.expectedEvents++;
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
            Set<Integer> connectsExpected = new HashSet<>();
            Set<Integer> failuresExpected = new HashSet<>(failed);
            for (Connecting c : connecting) {
                if (c.listening()) connectsExpected.add(c.id());
                else failuresExpected.add(c.id());
            }

            reactor.runOnce(Duration.ZERO);

            for (Reg reg : everRegistered) {
                assertEquals(reg.expectedEvents, reg.events, "events of " + reg);
                assertEquals(reg.expectedTimeouts, reg.timeouts, "timeouts of " + reg);
                assertEquals(reg.expectedMessages, reg.messages, "messages of " + reg);
            }
            assertEquals(expectedHandlerTimeouts, handlerTimeouts, "handler timeouts");
            assertEquals(tasksExpected, tasksRun, "tasks");
            assertEquals(connectsExpected, accepted.keySet(), "connections accepted");
            assertEquals(connectsExpected, connected.keySet(), "connections connected");
            assertEquals(failuresExpected, failed, "connects refused");
            assertEquals(List.of(), acceptQueue, "connections left in the listener's queue");
            // Both ends of each connection become socket slots, in connect order.
            for (int id : accepted.keySet()) {
                Sock a = accepted.get(id);
                Sock c = connected.get(id);
                a.peer = c;
                c.peer = a;
                socks.add(a);
                socks.add(c);
            }
            accepted.clear();
            connected.clear();
            connecting.clear();
            for (Map.Entry<Integer, Reg> e : table.entrySet()) {
                assertSame(e.getValue(), reactor.context(e.getKey()), "the table at fd " + e.getKey());
            }
            assertEquals(table.size() + (listener >= 0 ? 1 : 0), reactor.registrations(), "registrations");
            assertEquals(pending.size(), reactor.pendingTimers(), "pending timers");
        }

        /** "Not registered" is ENOENT, from every call that needs a registration. */
        static void assertNotRegistered(org.junit.jupiter.api.function.Executable call) {
            ReactorException e = org.junit.jupiter.api.Assertions.assertThrows(ReactorException.class, call);
            org.junit.jupiter.api.Assertions.assertEquals(Errno.ENOENT, e.errno(), e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().endsWith(": not registered"), e.getMessage());
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
