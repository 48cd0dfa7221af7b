package dev.reactor.examples;

import dev.reactor.Context;
import dev.reactor.Events;
import dev.reactor.Interest;
import dev.reactor.Reactor;
import dev.reactor.io.Fds;

import java.nio.ByteBuffer;

/**
 * A socket Context with one bounded input and one bounded output buffer, for the examples'
 * protocols. The protocol consumes bytes from {@code in} and queues replies with {@link #send}.
 * Backpressure: the fd is watched for READ only while the protocol {@link #wantsInput() wants
 * input} and there is room in {@code in}; for WRITE only while output is queued. So a peer that
 * sends without reading stops being read once the kernel refuses our output, and reading
 * resumes when WRITABLE has drained it. Memory per connection is the two buffers, never more.
 */
abstract class BufferedConnection implements Context {
    protected final int fd;
    protected final ByteBuffer in;    // unconsumed input, in fill mode
    protected final ByteBuffer out;   // queued output, in fill mode
    private int registeredInterest = Interest.READ;
    private boolean endOfInput;
    /** Output is waiting for the kernel (in our buffer, or still in the protocol): don't read more. */
    private boolean backlogged;
    private boolean closeWhenFlushed;
    private boolean closed;

    BufferedConnection(int fd, int inBytes, int outBytes) {
        this.fd = fd;
        this.in = ByteBuffer.allocateDirect(inBytes);
        this.out = ByteBuffer.allocateDirect(outBytes);
    }

    @Override public final int fd() { return fd; }

    @Override public final int interest() { return Interest.READ; }

    /** Consume what it can of input (in read mode); queue replies with {@link #send}. */
    protected abstract void consume(Reactor reactor, ByteBuffer input) throws Exception;

    /** False to stop reading for a reason of the protocol's own (e.g. too many requests in flight). */
    protected boolean wantsInput() {
        return true;
    }

    /** Output backed up (paused true: reading stops) or drained again (false: reading resumes). */
    protected void onBackpressure(boolean paused) { }

    /** Work still owed to the peer besides queued bytes (e.g. a reply waiting for another server). */
    protected boolean hasPendingWork() {
        return false;
    }

    /** Copies as much of data as fits in the output buffer; returns true when all of it fitted. */
    protected final boolean send(ByteBuffer data) {
        int n = Math.min(data.remaining(), out.remaining());
        int limit = data.limit();
        data.limit(data.position() + n);
        out.put(data);
        data.limit(limit);
        return !data.hasRemaining();
    }

    /** Close once everything queued has been written (and stop reading now). */
    protected final void closeWhenFlushed() {
        closeWhenFlushed = true;
    }

    protected final boolean isClosed() {
        return closed;
    }

    /** Called by the reactor: write what is queued, read once, then let the protocol run. */
    @Override
    public void onEvent(Reactor reactor, int events) throws Exception {
        if (Events.isWritable(events)) flush();
        if ((Events.isReadable(events) || Events.isHangup(events)) && readable()) {
            if (Fds.read(fd, in) < 0) endOfInput = true;   // one read per event: fair to other fds
        }
        pump(reactor);
    }

    /** Runs the protocol over buffered input and moves the output; call it after async work completes. */
    protected final void pump(Reactor reactor) throws Exception {
        if (closed) return;
        // The protocol may hold more output than the buffer takes (a large response): produce,
        // flush, and go again while the kernel keeps taking it, a few rounds at most per event.
        boolean mayHaveMore = false;
        for (int round = 0; ; round++) {
            in.flip();
            int before = in.remaining();
            if (!closeWhenFlushed) consume(reactor, in);
            boolean consumed = in.remaining() != before;
            in.compact();
            int queued = out.position();
            flush();
            if (out.position() > 0) break;               // the kernel is full: WRITABLE brings us back
            if (!consumed && queued == 0) break;        // nothing moved: the protocol is idle
            if (round == 7) {                           // fair to other fds: resume on the next WRITABLE
                mayHaveMore = true;
                break;
            }
        }
        if ((closeWhenFlushed || endOfInput && !hasPendingWork()) && out.position() == 0) {
            close(reactor);
            return;
        }
        boolean nowBacklogged = out.position() > 0 || mayHaveMore;
        if (nowBacklogged != backlogged) {
            backlogged = nowBacklogged;
            onBackpressure(nowBacklogged);
        }
        int interest = (readable() ? Interest.READ : 0) | (backlogged ? Interest.WRITE : 0);
        if (interest != registeredInterest) {
            reactor.interest(fd, interest);   // 0 mutes the fd while it waits for async work
            registeredInterest = interest;
        }
    }

    private boolean readable() {
        return !endOfInput && !closeWhenFlushed && !backlogged && in.hasRemaining() && wantsInput();
    }

    private void flush() throws Exception {
        if (out.position() == 0) return;
        out.flip();
        Fds.write(fd, out);
        out.compact();
    }

    protected void close(Reactor reactor) {
        if (closed) return;
        closed = true;
        // Once the reactor is closing it closes its own fds, and refuses calls meanwhile.
        if (!reactor.isClosed()) reactor.close(fd);
        onClosed(reactor);
    }

    /** The connection is gone (closed by us, or reset by the peer). */
    protected void onClosed(Reactor reactor) { }

    /** A read or write failed (ECONNRESET, EPIPE): the peer is gone, so is the connection. */
    @Override
    public void onError(Reactor reactor, Exception error) {
        close(reactor);
    }
}
