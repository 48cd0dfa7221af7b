package dev.reactor.io;

import dev.reactor.ReactorException;
import dev.reactor.sys.Errno;
import dev.reactor.sys.Errors;
import dev.reactor.sys.Os;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File and directory events through Linux's inotify(7): one fd, readable while events are queued,
 * to register with a reactor, and the decoding of the {@code struct inotify_event} records read
 * from it. Off Linux every way in throws {@link UnsupportedOperationException} (on macOS the
 * mechanism is kqueue's EVFILT_VNODE, which this library does not offer yet).
 *
 * <pre>{@code
 * Inotify inotify = Inotify.open();
 * int wd = inotify.add(dir, Inotify.CREATE | Inotify.MODIFY | Inotify.DELETE | Inotify.MOVE);
 * reactor.register(Context.of(inotify.fd(), Interest.READ, (r, ev) -> inotify.drain(e -> {
 *     if (e.isOverflow()) rescan(dir);                      // events were lost: look again
 *     else System.out.println(Inotify.describe(e.mask()) + " " + e.name());
 * })));
 * }</pre>
 *
 * <p><b>Reading.</b> Register {@link #fd()} for READ (level-triggered, the default) and, in
 * {@code onEvent}, call {@link #drain} (reads until the fd would block) or {@link #read} (one
 * read(2): the loop comes back while more is queued, so one busy directory cannot hold the loop).
 * Records are read into a 64 KiB direct buffer this object allocates once and decoded in place;
 * the handler is given one reused {@link Event} per record. Nothing is allocated per event except
 * the name's String, and only when {@link Event#name()} is asked for (decoded with the JVM's
 * charset for file names, {@code sun.jnu.encoding}, as the JDK decodes a directory listing).
 *
 * <p><b>A handler that throws.</b> {@code read} or {@code drain} stops and throws what it threw;
 * the records after its event stay buffered ({@link #hasBuffered()}) and the next {@code read}
 * or {@code drain} delivers them first (nothing read from the kernel is dropped). But nothing
 * wakes a reactor for them: the fd is readable only while the kernel has more queued, and
 * {@link dev.reactor.Context}'s default {@code onError} ends a registration whose callback threw (the
 * watcher would stop). So a handler run from a reactor either does not throw (catch inside it,
 * per event: the simplest), or its Context keeps the registration and comes back for the rest:
 *
 * <pre>{@code
 * reactor.register(new Context() {
 *     public int fd() { return inotify.fd(); }
 *     public int interest() { return Interest.READ; }
 *     public void onEvent(Reactor r, int events) throws IOException { inotify.drain(handler); }
 *     public void onTimeout(Reactor r, long id) throws IOException { inotify.drain(handler); }
 *     public void onError(Reactor r, Exception error) {
 *         log(error);                                        // and keep the registration
 *         if (inotify.hasBuffered()) {
 *             try {
 *                 r.timeout(Duration.ZERO, inotify.fd());   // the rest in the next iteration
 *             } catch (ReactorException notRegistered) { }
 *         }
 *     }
 * });
 * }</pre>
 *
 * <p><b>Order, overflow, renames.</b> Events arrive in the order the kernel queued them; the
 * kernel merges an event identical to the last unread one (same watch, bits, cookie and name).
 * When its queue is full ({@code /proc/sys/fs/inotify/max_queued_events}) the kernel drops
 * events and queues one {@link #Q_OVERFLOW} event (watch -1, no name): it is delivered like any
 * other ({@link Event#isOverflow()}), and means the watcher's picture is stale and must be
 * rebuilt by looking at the files again. A rename inside the watched directories is a
 * {@link #MOVED_FROM} and a {@link #MOVED_TO} with the same {@link Event#cookie()}, normally
 * adjacent: {@link Event#hasMovedTo()} says, on the MOVED_FROM, that its MOVED_TO comes next, and
 * {@link Event#movedFrom()} gives, on the MOVED_TO, the old name. A MOVED_FROM without one is a
 * file that left the watched directories; a MOVED_TO without one, a file that came in.
 *
 * <p><b>Watches.</b> {@link #add} returns a watch descriptor (wd), which every event names; adding
 * a path already watched returns its wd again (its mask replaced, or extended with
 * {@link #MASK_ADD}). When a watch ends ({@link #remove}, the watched file deleted, its file system
 * unmounted) the kernel queues {@link #IGNORED} for its wd, after which the number may be reused.
 *
 * <p><b>Threads and closing.</b> {@code read}, {@code drain} and {@code hasBuffered}: one thread
 * at a time (the loop's); a handler that calls {@code read} or {@code drain} of its own instance
 * gets {@link IllegalStateException}. {@code add} and {@code remove}: any thread. {@link #close()}
 * closes the fd: deregister it from the reactor first, or close the reactor first (a
 * try-with-resources that opens the Inotify before the Reactor does so); do not close the fd
 * through the reactor as well. A handler may close it (say on the {@link #IGNORED} of the last
 * watch, having deregistered it): the {@code read} or {@code drain} running it then returns
 * after that event, without reading again.
 *
 * <p><b>A foreign fd.</b> {@link #of} takes any fd; data that is not whole
 * {@code struct inotify_event} records (a pipe's, say) is refused with EINVAL when read, never
 * decoded past the bytes read.
 */
public final class Inotify implements AutoCloseable {

    // ---- event bits: Linux's values (inotify(7)), checked against its probe-checked table --------

    /** File was read (IN_ACCESS). */
    public static final int ACCESS = 0x1;
    /** File was written (IN_MODIFY). */
    public static final int MODIFY = 0x2;
    /** Metadata changed: permissions, timestamps, links, owner (IN_ATTRIB). */
    public static final int ATTRIB = 0x4;
    /** A file opened for writing was closed (IN_CLOSE_WRITE): the usual "it is complete now". */
    public static final int CLOSE_WRITE = 0x8;
    /** A file not opened for writing was closed (IN_CLOSE_NOWRITE). */
    public static final int CLOSE_NOWRITE = 0x10;
    /** File was opened (IN_OPEN). */
    public static final int OPEN = 0x20;
    /** A file was renamed away from the watched directory (IN_MOVED_FROM); the name is the old one. */
    public static final int MOVED_FROM = 0x40;
    /** A file was renamed into the watched directory (IN_MOVED_TO); the name is the new one. */
    public static final int MOVED_TO = 0x80;
    /** A file or directory was created in the watched directory (IN_CREATE). */
    public static final int CREATE = 0x100;
    /** A file or directory was deleted from the watched directory (IN_DELETE). */
    public static final int DELETE = 0x200;
    /** The watched file or directory itself was deleted (IN_DELETE_SELF); IGNORED follows. */
    public static final int DELETE_SELF = 0x400;
    /** The watched file or directory itself was moved (IN_MOVE_SELF). */
    public static final int MOVE_SELF = 0x800;
    /** CLOSE_WRITE or CLOSE_NOWRITE (IN_CLOSE). */
    public static final int CLOSE = CLOSE_WRITE | CLOSE_NOWRITE;
    /** MOVED_FROM or MOVED_TO (IN_MOVE). */
    public static final int MOVE = MOVED_FROM | MOVED_TO;
    /** Every event bit above (IN_ALL_EVENTS). */
    public static final int ALL_EVENTS = 0xfff;
    /** In an event: the file system of the watched object was unmounted (IN_UNMOUNT); IGNORED follows. */
    public static final int UNMOUNT = 0x2000;
    /** In an event (watch -1): the kernel's queue overflowed and events were lost (IN_Q_OVERFLOW). */
    public static final int Q_OVERFLOW = 0x4000;
    /** In an event: the watch is gone, removed or implicitly (IN_IGNORED); its wd may be reused. */
    public static final int IGNORED = 0x8000;
    /** For add: watch the path only if it is a directory (IN_ONLYDIR): else ENOTDIR. */
    public static final int ONLYDIR = 0x01000000;
    /** For add: do not follow the path if it is a symbolic link (IN_DONT_FOLLOW). */
    public static final int DONT_FOLLOW = 0x02000000;
    /** For add: no events for children after they were unlinked from the directory (IN_EXCL_UNLINK). */
    public static final int EXCL_UNLINK = 0x04000000;
    /** For add: fail with EEXIST if the path is already watched (IN_MASK_CREATE, Linux 4.18+). */
    public static final int MASK_CREATE = 0x10000000;
    /** For add: extend an existing watch's mask instead of replacing it (IN_MASK_ADD). */
    public static final int MASK_ADD = 0x20000000;
    /** In an event: its subject is a directory (IN_ISDIR). */
    public static final int ISDIR = 0x40000000;
    /** For add: report one event, then remove the watch (IN_ONESHOT); IGNORED follows. */
    public static final int ONESHOT = 0x80000000;

    private static final String[] NAMES = new String[32];

    static {
        String[] low = {"ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE", "OPEN", "MOVED_FROM",
            "MOVED_TO", "CREATE", "DELETE", "DELETE_SELF", "MOVE_SELF", null, "UNMOUNT", "Q_OVERFLOW", "IGNORED"};
        System.arraycopy(low, 0, NAMES, 0, low.length);
        NAMES[24] = "ONLYDIR";
        NAMES[25] = "DONT_FOLLOW";
        NAMES[26] = "EXCL_UNLINK";
        NAMES[28] = "MASK_CREATE";
        NAMES[29] = "MASK_ADD";
        NAMES[30] = "ISDIR";
        NAMES[31] = "ONESHOT";
    }

    // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }: Linux's layout,
    // checked against the probe-checked one (Linux.OFFSETOF_INOTIFY_EVENT_*) by InotifyTest.
    static final int WD = 0;
    static final int MASK = 4;
    static final int COOKIE = 8;
    static final int LEN = 12;
    static final int HEADER = 16;
    /** Room for many records per read(2); one record is at most HEADER + NAME_MAX + 1 (rounded up). */
    static final int CAPACITY = 64 * 1024;

    /** The charset the JDK encodes and decodes file names with (sun.jnu.encoding), so names agree with Path's. */
    static final Charset FILE_NAMES = fileNames();

    private static Charset fileNames() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private static final Os OS = Os.current();

    /** Volatile: {@link #add} and {@link #remove} read it on any thread; -1 once closed. */
    private volatile int fd;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(CAPACITY).order(ByteOrder.nativeOrder());
    private final long address;
    /** The records read but not delivered yet: bytes [next, end) of buf. */
    private int next;
    private int end;
    private final Event event = new Event();
    /** True while read or drain runs: a call from inside its own handler is refused. */
    private boolean delivering;
    /** A name's bytes, copied out of buf for decoding. */
    private byte[] nameBytes = new byte[256];
    /** The last MOVED_FROM delivered: for the MOVED_TO with its cookie. */
    private boolean fromKnown;
    private int fromCookie;
    private int fromWd;
    private byte[] fromName = new byte[256];
    private int fromLength;

    private Inotify(int fd) {
        this.fd = fd;
        this.address = Fds.libc().address(buf);
    }

    /**
     * A new inotify instance ({@link Fds#inotify()}), with no watches yet.
     * @return the instance; close it when done
     * @throws ReactorException EMFILE when this user has max_user_instances instances, or when out of fds
     * @throws UnsupportedOperationException off Linux (macOS: kqueue's EVFILT_VNODE, not offered yet)
     */
    public static Inotify open() throws ReactorException {
        return new Inotify(Fds.inotify());
    }

    /**
     * Decodes an inotify fd made elsewhere ({@link Fds#inotify()}, an inherited one); {@link #close()}
     * closes it. It should be non-blocking, or {@link #drain} blocks once it has read everything.
     * An fd that is not an inotify fd is not detected here: {@link #add} fails with EINVAL, and
     * {@link #read} or {@link #drain} with EINVAL on the first bytes that are not whole records.
     * @param fd an inotify fd
     * @return the instance over it
     * @throws IllegalArgumentException if fd is negative
     */
    public static Inotify of(int fd) {
        if (fd < 0) throw new IllegalArgumentException("Inotify.of(fd=" + fd + "): not an fd");
        return new Inotify(fd);
    }

    /** {@return the inotify fd, to register for READ; -1 once closed} */
    public int fd() {
        return fd;
    }

    /**
     * Watches a file or directory ({@code inotify_add_watch(2)}); a directory's watch also reports
     * events on its entries, with their names. Not recursive: a subdirectory needs its own watch.
     * @param path what to watch, resolved against the working directory if relative
     * @param mask event bits ({@link #CREATE}, {@link #MODIFY}, ...) and options ({@link #ONLYDIR},
     *             {@link #MASK_ADD}, {@link #ONESHOT}, ...)
     * @return the watch descriptor that this watch's events carry; the same one again for a path
     *         already watched
     * @throws ReactorException naming the fd and path: ENOENT (no such path), EACCES, ENOTDIR
     *         (ONLYDIR and not a directory), EEXIST (MASK_CREATE and already watched), EINVAL (no
     *         event bit in mask, or fd is not an inotify fd), EBADF (fd not open, or closed),
     *         ENOSPC (max_user_watches reached), ENAMETOOLONG
     * @throws UnsupportedOperationException off Linux
     */
    public int add(Path path, int mask) throws ReactorException {
        String absolute = path.toAbsolutePath().toString();
        byte[] bytes = absolute.getBytes(FILE_NAMES);
        int f = fd;
        if (bytes.length >= Scratch.BOUNCE) {
            throw new ReactorException("inotify_add_watch(fd=" + f + ", " + absolute + ")", Errno.ENAMETOOLONG,
                    "the path is " + bytes.length + " bytes");
        }
        return OS.inotifyAddWatch(Fds.libc(), f, Scratch.get().cString(bytes), absolute, mask);
    }

    /**
     * Ends a watch ({@code inotify_rm_watch(2)}); the kernel then queues {@link #IGNORED} for it.
     * @param wd a watch descriptor from {@link #add}
     * @throws ReactorException EINVAL if wd is not a watch of this instance (any more); EBADF once closed
     * @throws UnsupportedOperationException off Linux
     */
    public void remove(int wd) throws ReactorException {
        OS.inotifyRemoveWatch(Fds.libc(), fd, wd);
    }

    /**
     * Delivers the events of at most one read(2), in order: those left buffered by a handler that
     * threw, or else what one read returns. For a level-triggered registration: the loop calls
     * again while more is queued. (On a {@link #MOVED_FROM} that ends the buffer, one more read
     * looks for its MOVED_TO, at most once per call; if that read fails, the MOVED_FROM is
     * delivered without one and then the error is thrown.)
     * @param handler called once per event, on this thread
     * @return the number of events delivered; 0 when nothing was queued (would block)
     * @throws ReactorException errno of read(2) other than EAGAIN and EINTR (retried): EBADF once
     *         closed; EINVAL, naming the fd, for bytes that are not whole inotify records (not an
     *         inotify fd): what was read is dropped, the events before the bad record delivered
     * @throws IOException what the handler threw; the events after its event stay buffered
     *         ({@link #hasBuffered()})
     * @throws IllegalStateException if called from inside a handler of this instance
     */
    public int read(Handler handler) throws IOException {
        enter("read");
        try {
            if (next >= end && !fill(next)) return 0;
            return deliver(handler);
        } finally {
            delivering = false;
        }
    }

    /**
     * Delivers events until the fd would block: for an edge-triggered registration, or to empty the
     * queue (as after an overflow) in one call. If a handler closes this instance, it returns
     * after that event.
     * @param handler called once per event, on this thread
     * @return the number of events delivered; 0 when nothing was queued
     * @throws ReactorException errno of read(2) other than EAGAIN and EINTR (retried): EBADF if
     *         closed before the call; EINVAL for bytes that are not whole inotify records, as
     *         {@link #read} says
     * @throws IOException what the handler threw; the events after its event stay buffered
     *         ({@link #hasBuffered()})
     * @throws IllegalStateException if called from inside a handler of this instance
     */
    public int drain(Handler handler) throws IOException {
        enter("drain");
        try {
            int delivered = 0;
            while (true) {
                if (next >= end) {
                    if (delivered > 0 && fd < 0) return delivered;      // a handler closed it
                    if (!fill(next)) return delivered;
                }
                delivered += deliver(handler);
            }
        } finally {
            delivering = false;
        }
    }

    /**
     * {@return whether records read from the kernel are waiting to be delivered: a handler threw
     * before their turn} The next {@link #read} or {@link #drain} delivers them first; until then
     * nothing wakes a reactor for them if the kernel has nothing more queued (see "A handler that
     * throws" above). False once closed. On the thread that reads.
     */
    public boolean hasBuffered() {
        return next < end;
    }

    private void enter(String call) {
        if (delivering) {
            throw new IllegalStateException("Inotify." + call + "(fd=" + fd + ") called from inside its own handler");
        }
        delivering = true;
    }

    /**
     * Closes the fd (once; then {@link #fd()} is -1 and every call fails with EBADF). Deregister it
     * from the reactor first, or close the reactor first.
     * @throws ReactorException EIO (the fd is closed all the same)
     */
    @Override
    public void close() throws ReactorException {
        int f = fd;
        if (f < 0) return;
        fd = -1;
        next = end = 0;
        fromKnown = false;
        Fds.close(f);
    }

    /**
     * Names the bits of a mask, lowest first, joined by '|': {@code describe(CREATE | ISDIR)} is
     * {@code "CREATE|ISDIR"}; bits without a name print as hex, 0 as "0". Works on any OS.
     * @param mask event bits, as an {@link Event#mask()} or an {@link #add} mask
     * @return the names
     */
    public static String describe(int mask) {
        if (mask == 0) return "0";
        StringBuilder sb = new StringBuilder();
        int unknown = 0;
        for (int i = 0; i < 32; i++) {
            int bit = 1 << i;
            if ((mask & bit) == 0) continue;
            if (NAMES[i] == null) {
                unknown |= bit;
                continue;
            }
            if (sb.length() > 0) sb.append('|');
            sb.append(NAMES[i]);
        }
        if (unknown != 0) sb.append(sb.length() > 0 ? "|" : "").append("0x").append(Integer.toHexString(unknown));
        return sb.toString();
    }

    // ---- decoding ------------------------------------------------------------------------------

    /**
     * Delivers the records in [next, end): all of them, unless the handler throws. On a MOVED_FROM
     * that ends the buffer, one more read(2) looks for its MOVED_TO (once per call: so a call
     * delivers the records of at most two reads); if that read fails, the MOVED_FROM is delivered
     * (no MOVED_TO known) and the read's error is thrown after it.
     */
    private int deliver(Handler handler) throws IOException {
        int delivered = 0;
        boolean lookedAhead = false;
        ReactorException lookahead = null;
        while (next < end) {
            Event e = event;
            int at = next;
            int len = checkedLength(at);
            next = at + HEADER + len;
            e.at = at;
            e.wd = buf.getInt(at + WD);
            e.mask = buf.getInt(at + MASK);
            e.cookie = buf.getInt(at + COOKIE);
            e.nameLength = nameLength(at + HEADER, len);
            e.name = null;
            e.pairedFrom = (e.mask & MOVED_TO) != 0 && fromKnown && fromCookie == e.cookie;
            e.movedToFollows = false;
            if ((e.mask & MOVED_FROM) != 0) {
                if (next < end) {
                    e.movedToFollows = movedToAt(next, e.cookie);
                } else if (!lookedAhead) {
                    lookedAhead = true;
                    try {
                        // Keeps this record (moved to the front: e.at and next move with it).
                        if (fill(at)) e.movedToFollows = movedToAt(next, e.cookie);
                    } catch (ReactorException failed) {
                        lookahead = failed;                     // after this event is delivered
                    }
                }
                remember(e);
            }
            delivered++;
            try {
                handler.onEvent(e);
            } catch (IOException | RuntimeException | Error thrown) {
                if (lookahead != null) thrown.addSuppressed(lookahead);
                throw thrown;
            }
            if (lookahead != null) throw lookahead;
        }
        return delivered;
    }

    /**
     * The name length of the record at {@code at}, checked to lie within [at, end): the kernel
     * returns whole records only (a buffer too small for one is EINVAL), so anything else is not
     * an inotify fd's data ({@link #of} takes any fd). The buffer is dropped: a record's length
     * decides where the next one starts, so nothing after a bad one can be trusted.
     */
    private int checkedLength(int at) throws ReactorException {
        int left = end - at;
        if (left < HEADER) throw malformed(at, "only " + left + " bytes left for a " + HEADER + "-byte header");
        int len = buf.getInt(at + LEN);
        if (len < 0 || len > left - HEADER) {
            throw malformed(at, "its name length " + Integer.toUnsignedString(len) + " runs past the "
                    + (left - HEADER) + " bytes read after its header");
        }
        return len;
    }

    private ReactorException malformed(int at, String why) {
        int read = end;
        next = end = 0;
        fromKnown = false;
        return new ReactorException("read(fd=" + fd + ")", Errno.EINVAL, "not an inotify fd, or a malformed"
                + " inotify_event: the record at byte " + at + " of " + read + " read: " + why + "; the "
                + read + " bytes were dropped");
    }

    /** The bytes of a name before its first NUL (the kernel pads names with NULs to len). */
    private int nameLength(int from, int len) {
        int n = 0;
        while (n < len && buf.get(from + n) != 0) n++;
        return n;
    }

    /** Whether the record at {@code at} is the MOVED_TO with this cookie (a partial header is not: it is refused when its turn comes). */
    private boolean movedToAt(int at, int cookie) {
        if (end - at < HEADER) return false;
        return (buf.getInt(at + MASK) & MOVED_TO) != 0 && buf.getInt(at + COOKIE) == cookie;
    }

    private void remember(Event e) {
        if (fromName.length < e.nameLength) fromName = new byte[e.nameLength];
        buf.get(e.at + HEADER, fromName, 0, e.nameLength);
        fromLength = e.nameLength;
        fromCookie = e.cookie;
        fromWd = e.wd;
        fromKnown = true;
    }

    /**
     * Moves bytes [keep, end) to the front, then reads behind them (EINTR retried).
     * @return false when nothing more is queued (EAGAIN)
     */
    private boolean fill(int keep) throws ReactorException {
        // The native read below writes at address + end: never outside the buffer.
        if (keep < 0 || keep > end || end > CAPACITY) {
            throw new IllegalStateException("Inotify(fd=" + fd + "): keep=" + keep + ", end=" + end + ", capacity=" + CAPACITY);
        }
        int kept = end - keep;
        // At most one record is kept (a MOVED_FROM looking for its MOVED_TO): copied forwards,
        // which is right for overlapping bytes since they move to a lower offset.
        for (int i = 0; keep > 0 && i < kept; i++) buf.put(i, buf.get(keep + i));
        event.at -= keep;
        next -= keep;
        end = kept;
        int f = fd;
        long r;
        do {
            r = Fds.libc().read(f, address + end, CAPACITY - end);
        } while (r == -Errno.EINTR);
        Reference.reachabilityFence(buf);
        if (r == -Errno.EAGAIN || r == 0) return false;
        Errors.check(r, "read", f);
        end += (int) r;
        return true;
    }

    private String decode(byte[] bytes, int length) {
        return length == 0 ? "" : new String(bytes, 0, length, FILE_NAMES);
    }

    /** Receives events from {@link #read} and {@link #drain}. */
    @FunctionalInterface
    public interface Handler {
        /**
         * One event, in the kernel's order.
         * @param event valid only during this call: the next event reuses it; copy what you keep
         * @throws IOException to stop: the events after this one stay buffered for the next read
         *         (see "A handler that throws" in {@link Inotify})
         */
        void onEvent(Event event) throws IOException;
    }

    /** One {@code struct inotify_event}, decoded in place: reused for every event, valid during the handler's call. */
    public final class Event {
        int at;
        int wd;
        int mask;
        int cookie;
        int nameLength;
        String name;
        boolean movedToFollows;
        boolean pairedFrom;

        private Event() { }

        /** {@return the watch descriptor {@link #add} returned for the watch this event is of; -1 for an overflow} */
        public int wd() {
            return wd;
        }

        /** {@return the event's bits: what happened ({@link #CREATE}...), and {@link #ISDIR}, {@link #IGNORED}, ...} */
        public int mask() {
            return mask;
        }

        /**
         * {@return whether the event has any of these bits} e.g. {@code e.is(Inotify.CREATE | Inotify.MOVED_TO)}
         * @param bits event bits
         */
        public boolean is(int bits) {
            return (mask & bits) != 0;
        }

        /** {@return whether this is the kernel's overflow report ({@link #Q_OVERFLOW}): events were lost} */
        public boolean isOverflow() {
            return (mask & Q_OVERFLOW) != 0;
        }

        /** {@return the cookie that ties a {@link #MOVED_FROM} to its {@link #MOVED_TO}; 0 for other events} */
        public int cookie() {
            return cookie;
        }

        /**
         * {@return the name of the entry of the watched directory the event is about; "" when it is
         * about the watched file or directory itself (or an overflow)} Decoded (and allocated) on
         * the first call for this event.
         */
        public String name() {
            if (name == null) {
                if (nameBytes.length < nameLength) nameBytes = new byte[nameLength];
                buf.get(at + HEADER, nameBytes, 0, nameLength);
                name = decode(nameBytes, nameLength);
            }
            return name;
        }

        /**
         * {@return on a {@link #MOVED_FROM}: whether the next event is the MOVED_TO with its cookie (a
         * rename within the watched directories); false for other events} False on a MOVED_FROM
         * means the file left the watched directories, or, rarely, that the MOVED_TO was not seen
         * yet: the kernel had not queued it (inotify(7) does not promise the two are adjacent),
         * the read that looked for it failed, or a second MOVED_FROM ended the buffer in one call
         * (one read looks ahead per call). Then {@link #movedFrom()} still pairs them on the
         * MOVED_TO.
         */
        public boolean hasMovedTo() {
            return movedToFollows;
        }

        /**
         * {@return on a {@link #MOVED_TO}: the old name, from the {@link #MOVED_FROM} with the same
         * cookie delivered just before (by this instance; allocated on each call); null for other
         * events, and for a file that came from outside the watched directories}
         */
        public String movedFrom() {
            return pairedFrom ? decode(fromName, fromLength) : null;
        }

        /** {@return on a {@link #MOVED_TO} that {@link #movedFrom()} pairs: the watch of the old name's directory; else -1} */
        public int movedFromWd() {
            return pairedFrom ? fromWd : -1;
        }

        /** {@return e.g. "wd=1 CREATE a.txt", "wd=1 MOVED_FROM a.txt cookie=42", "wd=-1 Q_OVERFLOW"} */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append("wd=").append(wd).append(' ').append(describe(mask));
            if (nameLength > 0) sb.append(' ').append(name());
            if (cookie != 0) sb.append(" cookie=").append(Integer.toUnsignedString(cookie));
            return sb.toString();
        }
    }
}
