/*
 * kqueue-emu.c: kqueue(2)/kevent(2) over Linux epoll, for tests. kqueue-emu.h says what is
 * emulated; this file says how, and what it does not model.
 *
 * A queue is a tree of epoll sets plus a table of knotes. The kq fd handed out is the parent
 * epoll P; the emulator keeps a private dup of P (to wait on, and to recognise the kq number
 * with kcmp KCMP_FILE) and three child epoll sets of its own, each in P with EPOLLIN: one for
 * EVFILT_READ knotes, one for EVFILT_WRITE, one for EVFILT_USER. A READ or WRITE knote puts
 * the USER'S OWN fd number in its child set (no dup: closing the fd releases the file, as on
 * BSD), so the read and the write knote of one fd are separate entries with their own modes.
 * An EVFILT_USER knote owns an eventfd, whose counter is its "triggered" state. kevent()
 * waits on P, then takes events from the ready children with epoll_wait(child, ..., 0), never
 * more than there are free slots left (what is not taken stays for the next call), starting
 * with a different child each time. The epoll data of an entry is the knote's slot and the
 * slot's generation: an event of a knote deleted (its slot maybe reused since) is dropped.
 *
 * Closed and reused fds. BSD drops an fd's knotes when the fd is closed; epoll removes an
 * entry only when the FILE is released, and cannot see close(2). So before an event of knote
 * (N, filter) is reported, and before a change to an existing knote (N, filter) is applied,
 * the emulator checks with kcmp KCMP_EPOLL_TFD that the file open at N now is one its child
 * set holds under N. If not (N closed, or another file took the number) the knote is forgotten
 * -- its entry cannot be deleted, since N no longer names that file -- its event is dropped,
 * and N is treated as a new fd: EV_ADD makes a new knote, EV_DELETE gives ENOENT (EBADF when
 * N is not open). The forgotten entry stays in the child set until its file is released (say,
 * when the user's own dup of it is closed); it must not fire forever, hence the modes:
 *   level-triggered (default) -> EPOLLONESHOT, re-armed (EPOLL_CTL_MOD) only once the check
 *     passed and the event was reported, so a forgotten entry fires at most once;
 *   EV_CLEAR -> EPOLLET (a forgotten entry fires only on new edges, each dropped by the check;
 *     for EVFILT_USER the eventfd is read, resetting it, as the event is reported);
 *   EV_DISPATCH -> EPOLLONESHOT, the knote marked disabled once reported;
 *   EV_ONESHOT -> EPOLLONESHOT, the knote deleted once reported;
 *   EV_DISABLE -> MOD to no events with EPOLLONESHOT: the entry stays (the check needs it) and
 *     a hang-up or error, which epoll always reports, wakes the queue once, is dropped, and
 *     disarms it; EV_ENABLE -> MOD back to the knote's mask (a ready fd is reported at once).
 * Where kcmp is refused (EPERM under Docker's default seccomp profile without CAP_SYS_PTRACE,
 * EINVAL before Linux 5.12, ENOSYS without CONFIG_KCMP) the check falls back to fstat: N must
 * have the device and inode the file had when the knote was made; and a kq number is
 * recognised by EPOLL_CTL_MOD of the queue's READ child set in it, which succeeds in that
 * queue's P only (epolls all share one inode). kqueue-emu-test --no-kcmp runs that way.
 *
 * Followed from the BSD sources, where the man pages are silent: a change to an existing
 * knote (anything but EV_DELETE) replaces its udata; EV_ADD on an existing knote neither
 * re-enables it nor changes EV_CLEAR/EV_ONESHOT/EV_DISPATCH, which are fixed when it is
 * created; EV_ADD|EV_DELETE on a missing knote succeeds; a change that fails with no room
 * left in eventlist stops the call with -1/errno; receipts with no room are not reported;
 * a call that reported any change returns without waiting; nevents == 0 never waits.
 *
 * Not modelled (test code beware):
 *  - data is FIONREAD's count for EVFILT_READ (1 where FIONREAD fails: listening sockets,
 *    eventfd, timerfd; BSD gives the listen backlog for a listener), and for EVFILT_WRITE
 *    SO_SNDBUF minus queued bytes, or pipe size minus queued bytes, else 1.
 *  - EV_EOF comes from EPOLLRDHUP/EPOLLHUP/EPOLLERR, so it follows Linux: a pipe reports it
 *    when the last writer is gone (as BSD), a socket when the peer shut down or reset or a
 *    connect failed; a never-connected TCP socket reports EPOLLHUP, hence EV_EOF, where BSD
 *    reports nothing.
 *  - fflags of an EV_EOF entry is 0 (on BSD it holds the socket's error). Reading SO_ERROR
 *    would clear it on Linux, so the emulator leaves it pending: the caller's getsockopt
 *    (SO_ERROR) or read(2) still sees it, say ECONNREFUSED after a failed connect.
 *  - A level-triggered event is reported as epoll saw it; if another thread drained the fd
 *    in between, the entry is spurious (BSD re-checks the filter before copying out).
 *  - Not detected: N closed and then made to refer again (dup2) to a file that was once
 *    registered under N in that child set -- the knote survives, where BSD would drop it.
 *    Without kcmp, likewise any file of the same inode (a FIFO opened twice).
 *  - NOTE_LOWAT and every other NOTE_* of EVFILT_READ/WRITE are ignored; regular files and
 *    directories are refused with EPERM (epoll's answer; BSD calls them always ready). A kq
 *    in a kq is two epoll levels deeper, so epoll's nesting limit comes sooner; a kq in
 *    itself gives ELOOP.
 *  - After close(kq) the queue's own fds (the dup of P, the three child sets, the eventfds
 *    of its EVFILT_USER knotes) stay open until the next kqueue() call, the next kevent() on
 *    that number, or kqueue_emu_collect(). They hold no user file open.
 *  - kqueues are inherited by fork(2) here (the epoll fd is), BSD's are not; a dup of a kq
 *    fd is not a kq here (EBADF); closing a kq does not wake a thread blocked in kevent on
 *    it (it waits for an event or its timeout).
 */
#define _GNU_SOURCE
#include "kqueue-emu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441        /* the same number on x86_64 and aarch64 (Linux 5.11+) */
#endif

#ifdef KQEMU_FREEBSD
_Static_assert(sizeof(struct kevent) == 64 && offsetof(struct kevent, ext) == 32, "FreeBSD 12+ kevent");
#define ERROR_FLAGS(flags) EV_ERROR             /* FreeBSD's kern_event.c sets flags = EV_ERROR */
#else
_Static_assert(sizeof(struct kevent) == 32, "macOS kevent");
#define ERROR_FLAGS(flags) ((flags) | EV_ERROR) /* xnu's kern_event.c ORs EV_ERROR in */
#endif
_Static_assert(offsetof(struct kevent, filter) == 8 && offsetof(struct kevent, flags) == 10 &&
               offsetof(struct kevent, fflags) == 12 && offsetof(struct kevent, data) == 16 &&
               offsetof(struct kevent, udata) == 24, "kevent offsets");

#define PRIVATE_FD_FLOOR 512        /* the emulator's fds go at or above this when the limit allows */
#define FOREVER_SECONDS 1000000000L /* a timeout of 31 years or more waits forever */
#define NSETS 3                     /* child sets: [0] EVFILT_READ, [1] EVFILT_WRITE, [2] EVFILT_USER */

struct knote {
    uintptr_t ident;
    void *udata;
    intptr_t sdata;         /* EVFILT_USER: data of the last change, reported back */
    dev_t dev;              /* READ/WRITE: the file's device and inode, for the check without kcmp */
    ino_t ino;
    int fd;                 /* the fd in the child set: ident, or the eventfd; -1 marks a free slot */
    int next_free;
    uint32_t gen;           /* bumped when the slot is freed */
    uint32_t sfflags;       /* EVFILT_USER: the saved fflags (low 24 bits) */
    int16_t filter;
    uint16_t mode;          /* EV_ONESHOT|EV_CLEAR|EV_DISPATCH as given when created */
    bool disabled;
};

struct kq {
    pthread_mutex_t mu;     /* guards everything below but refs; never held while waiting */
    int ep;                 /* private dup of the epoll fd handed out (P) */
    int set[NSETS];         /* the child epoll sets, each in P with its index as data */
    int turn;               /* the child drained first next time */
    int refs;               /* one for the registry, one per kevent() under way */
    struct knote *kn;
    int nkn, free_slot;
    int *byfd;              /* [2 * fd + (filter == EVFILT_WRITE)] = slot + 1, 0 for none */
    size_t nbyfd;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kq **registry;        /* indexed by the kq fd handed out */
static int nregistry;
static atomic_bool no_kcmp, no_pwait2;

static int fail(int err) {
    errno = err;
    return -1;
}

/* Moves an fd of the emulator's own to PRIVATE_FD_FLOOR or above, where the limit allows. */
static int above_floor(int fd) {
    if (fd < 0 || fd >= PRIVATE_FD_FLOOR) return fd;
    int d = fcntl(fd, F_DUPFD_CLOEXEC, PRIVATE_FD_FLOOR);
    if (d < 0) return fd;
    close(fd);
    return d;
}

static int set_of(int16_t filter) {
    return filter == EVFILT_READ ? 0 : filter == EVFILT_WRITE ? 1 : 2;
}

static bool kcmp_refused(void) {    /* after a kcmp that failed with errno */
    if (errno == EBADF || errno == ENOENT) return false;
    atomic_store(&no_kcmp, true);   /* EPERM (seccomp), EINVAL (before 5.12), ENOSYS */
    return true;
}

/* Is fd still the epoll handed out for q (not closed, not another file since)? */
static bool is_queue(const struct kq *q, int fd) {
    if (!atomic_load(&no_kcmp)) {
        pid_t self = getpid();
        long r = syscall(SYS_kcmp, self, self, KCMP_FILE, fd, q->ep);
        if (r >= 0) return r == 0;
        if (!kcmp_refused()) return false;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
    return epoll_ctl(fd, EPOLL_CTL_MOD, q->set[0], &ev) == 0;  /* set[0] is in q's P, and no other */
}

/* Is the file open at kn's fd now one that kn's child set holds under that number? */
static bool still_open(const struct kq *q, const struct knote *kn) {
    if (!atomic_load(&no_kcmp)) {
        pid_t self = getpid();
        for (uint32_t off = 0;; off++) {    /* forgotten entries may share the number: try each */
            struct kcmp_epoll_slot slot = {.efd = q->set[set_of(kn->filter)], .tfd = kn->fd, .toff = off};
            long r = syscall(SYS_kcmp, self, self, KCMP_EPOLL_TFD, kn->fd, &slot);
            if (r == 0) return true;
            if (r < 0) break;
        }
        if (!kcmp_refused()) return false;
    }
    struct stat st;
    return fstat(kn->fd, &st) == 0 && st.st_dev == kn->dev && st.st_ino == kn->ino;
}

/* ---- knote table ---- */

static int find_fd(struct kq *q, int fd, int16_t filter) {
    size_t k = 2 * (size_t)fd + (filter == EVFILT_WRITE);
    return k < q->nbyfd ? q->byfd[k] - 1 : -1;
}

static int find_user(struct kq *q, uintptr_t ident) {
    for (int i = 0; i < q->nkn; i++)
        if (q->kn[i].fd >= 0 && q->kn[i].filter == EVFILT_USER && q->kn[i].ident == ident) return i;
    return -1;
}

static int new_slot(struct kq *q) {
    if (q->free_slot < 0) {
        int n = q->nkn ? 2 * q->nkn : 16;
        struct knote *kn = realloc(q->kn, n * sizeof *kn);
        if (!kn) return -1;
        for (int i = q->nkn; i < n; i++) kn[i] = (struct knote){.fd = -1, .next_free = i + 1 < n ? i + 1 : -1};
        q->free_slot = q->nkn;
        q->kn = kn;
        q->nkn = n;
    }
    int i = q->free_slot;
    q->free_slot = q->kn[i].next_free;
    return i;
}

static bool grow_byfd(struct kq *q, int fd) {
    size_t need = 2 * (size_t)fd + 2, n = need < 64 ? 64 : 2 * need;
    if (need <= q->nbyfd) return true;
    int *b = realloc(q->byfd, n * sizeof *b);
    if (!b) return false;
    memset(b + q->nbyfd, 0, (n - q->nbyfd) * sizeof *b);
    q->byfd = b;
    q->nbyfd = n;
    return true;
}

static uint32_t epoll_mask(const struct knote *kn) {
    if (kn->disabled) return EPOLLONESHOT;  /* no events; a HUP or ERR fires once and disarms it */
    uint32_t m = kn->filter == EVFILT_WRITE ? EPOLLOUT : kn->filter == EVFILT_READ ? EPOLLIN | EPOLLRDHUP : EPOLLIN;
    if (!(kn->mode & EV_CLEAR) || kn->filter == EVFILT_USER) return m | EPOLLONESHOT;  /* level: re-armed */
    return m | EPOLLET | (kn->mode & (EV_ONESHOT | EV_DISPATCH) ? EPOLLONESHOT : 0);
}

/* Puts kn's mask (and tag) on its entry with op; returns 0 or an errno. */
static int arm(struct kq *q, int i, int op) {
    struct knote *kn = &q->kn[i];
    int set = q->set[set_of(kn->filter)];
    struct epoll_event ev = {.events = epoll_mask(kn), .data.u64 = (uint64_t)kn->gen << 32 | (uint32_t)i};
    if (epoll_ctl(set, op, kn->fd, &ev) == 0) return 0;
    if (op == EPOLL_CTL_ADD && errno == EEXIST && epoll_ctl(set, EPOLL_CTL_MOD, kn->fd, &ev) == 0)
        return 0;   /* a forgotten knote's entry for this very file (N was pointed at it again) */
    return errno;
}

/* Frees kn's slot. Its entry, if any is left, carries a stale generation from now on. */
static void forget(struct kq *q, int i) {
    struct knote *kn = &q->kn[i];
    if (kn->filter == EVFILT_USER) close(kn->fd);
    else q->byfd[2 * kn->ident + (kn->filter == EVFILT_WRITE)] = 0;
    kn->fd = -1;
    kn->gen++;
    kn->next_free = q->free_slot;
    q->free_slot = i;
}

/* Deletes a knote whose fd still names its file (checked, or an eventfd of ours). */
static void drop(struct kq *q, int i) {
    epoll_ctl(q->set[set_of(q->kn[i].filter)], EPOLL_CTL_DEL, q->kn[i].fd, NULL);
    forget(q, i);
}

/* ---- changes ---- */

static void trigger(struct knote *kn) {
    uint64_t one = 1;
    (void)!write(kn->fd, &one, sizeof one);    /* cannot block or fail short of 2^64 triggers */
}

static void touch_user(struct knote *kn, const struct kevent *c) {
    uint32_t v = c->fflags & NOTE_FFLAGSMASK;
    switch (c->fflags & NOTE_FFCTRLMASK) {
    case NOTE_FFAND: kn->sfflags &= v; break;
    case NOTE_FFOR: kn->sfflags |= v; break;
    case NOTE_FFCOPY: kn->sfflags = v; break;
    default: break;     /* NOTE_FFNOP */
    }
    kn->sdata = c->data;
    if (c->fflags & NOTE_TRIGGER) trigger(kn);
}

static int user_eventfd(void) {
    int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (e < 0 && errno == EMFILE && kqueue_emu_collect() > 0)  /* closed queues hold fds: reclaim them */
        e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return above_floor(e);
}

static int create(struct kq *q, const struct kevent *c, int *slot) {
    bool user = c->filter == EVFILT_USER;
    struct stat st = {0};
    int fd = user ? user_eventfd() : (int)c->ident;
    if (fd < 0 || (!user && fstat(fd, &st) < 0)) return errno;
    int i = user || grow_byfd(q, fd) ? new_slot(q) : -1;
    if (i < 0) {
        if (user) close(fd);
        return ENOMEM;
    }
    struct knote *kn = &q->kn[i];
    *kn = (struct knote){.ident = c->ident, .udata = c->udata, .dev = st.st_dev, .ino = st.st_ino, .fd = fd,
                         .gen = kn->gen, .filter = c->filter, .mode = c->flags & (EV_ONESHOT | EV_CLEAR | EV_DISPATCH),
                         .disabled = c->flags & EV_DISABLE};
    if (!user) q->byfd[2 * c->ident + (c->filter == EVFILT_WRITE)] = i + 1;
    int err = arm(q, i, EPOLL_CTL_ADD);
    if (err) {
        forget(q, i);
        return err;
    }
    if (user) {
        kn->sfflags = c->fflags & NOTE_FFLAGSMASK;
        kn->sdata = c->data;
        if (c->fflags & NOTE_TRIGGER) trigger(kn);
    }
    *slot = i;
    return 0;
}

/* Applies one change; returns 0 or an errno. */
static int apply(struct kq *q, const struct kevent *c) {
    int i, err;
    if (c->filter == EVFILT_USER) {
        i = find_user(q, c->ident);
    } else if (c->filter == EVFILT_READ || c->filter == EVFILT_WRITE) {
        if (c->ident > INT_MAX || fcntl((int)c->ident, F_GETFD) < 0) return EBADF;
        i = find_fd(q, (int)c->ident, c->filter);
        if (i >= 0 && !still_open(q, &q->kn[i])) {
            forget(q, i);   /* its fd was closed: BSD dropped the knote then */
            i = -1;
        }
    } else {
        return EINVAL;
    }
    if (i < 0) {
        if (!(c->flags & EV_ADD)) return ENOENT;
        if ((err = create(q, c, &i))) return err;
        if (c->flags & EV_DELETE) drop(q, i);
        return 0;
    }
    struct knote *kn = &q->kn[i];
    if (c->flags & EV_DELETE) {
        drop(q, i);
        return 0;
    }
    if ((c->flags & EV_ENABLE) && kn->disabled) {
        kn->disabled = false;
        if ((err = arm(q, i, EPOLL_CTL_MOD))) {
            kn->disabled = true;
            return err;
        }
    } else if ((c->flags & (EV_ENABLE | EV_DISABLE)) == EV_DISABLE && !kn->disabled) {
        kn->disabled = true;
        if ((err = arm(q, i, EPOLL_CTL_MOD))) return err;
    }
    kn->udata = c->udata;
    if (c->filter == EVFILT_USER) touch_user(kn, c);
    return 0;
}

/* ---- events ---- */

static intptr_t readable(int fd) {
    int n;
    return ioctl(fd, FIONREAD, &n) == 0 ? n : 1;
}

static intptr_t writable(int fd) {
    int size, queued = 0;
    socklen_t len = sizeof size;
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &len) == 0) ioctl(fd, TIOCOUTQ, &queued);  /* SIOCOUTQ */
    else if ((size = fcntl(fd, F_GETPIPE_SZ)) >= 0) ioctl(fd, FIONREAD, &queued);
    else return 1;
    return size > queued ? size - queued : 1;
}

/* Turns one epoll event into an entry at out; false if the event is dropped. */
static bool report(struct kq *q, uint64_t tag, uint32_t revents, struct kevent *out) {
    uint32_t i = (uint32_t)tag;
    if (i >= (uint32_t)q->nkn) return false;
    struct knote *kn = &q->kn[i];
    if (kn->fd < 0 || kn->gen != (uint32_t)(tag >> 32) || kn->disabled) return false;
    struct kevent e = {.ident = kn->ident, .filter = kn->filter, .flags = kn->mode, .udata = kn->udata};
    if (kn->filter == EVFILT_USER) {
        uint64_t count;
        if ((kn->mode & EV_CLEAR) && read(kn->fd, &count, sizeof count) != sizeof count) {
            arm(q, (int)i, EPOLL_CTL_MOD);  /* not triggered after all */
            return false;
        }
        e.fflags = kn->sfflags;
        e.data = kn->sdata;
    } else {
        if (!still_open(q, kn)) {
            forget(q, (int)i);  /* the fd was closed: BSD would have dropped the knote then */
            return false;
        }
        uint32_t eof = EPOLLHUP | EPOLLERR | (kn->filter == EVFILT_READ ? EPOLLRDHUP : 0);
        if (revents & eof) e.flags |= EV_EOF;   /* fflags stays 0: see "Not modelled" */
        e.data = kn->filter == EVFILT_READ ? readable(kn->fd) : writable(kn->fd);
    }
    *out = e;
    if (kn->mode & EV_ONESHOT) drop(q, (int)i);
    else if (kn->mode & EV_DISPATCH) kn->disabled = true;       /* EPOLLONESHOT disarmed it */
    else if ((epoll_mask(kn) & EPOLLONESHOT) && arm(q, (int)i, EPOLL_CTL_MOD)) forget(q, (int)i);
    return true;
}

/* Reports up to room events of child set s at out; returns how many. */
static int drain(struct kq *q, int s, struct kevent *out, int room) {
    struct epoll_event ev[256];
    int n = epoll_wait(q->set[s], ev, room < 256 ? room : 256, 0), got = 0;
    for (int k = 0; k < n; k++) got += report(q, ev[k].data.u64, ev[k].events, &out[got]);
    return got;
}

static int epoll_wait_ts(int ep, struct epoll_event *ev, int n, const struct timespec *t) {
    if (t && !atomic_load(&no_pwait2)) {
        long r = syscall(SYS_epoll_pwait2, ep, ev, n, t, NULL, 0);
        if (r >= 0 || errno != ENOSYS) return (int)r;
        atomic_store(&no_pwait2, true);
    }
    long long ms = t ? t->tv_sec * 1000LL + (t->tv_nsec + 999999) / 1000000 : -1;   /* rounded up */
    return epoll_wait(ep, ev, n, ms > INT_MAX ? INT_MAX : (int)ms);
}

/* Time from now until end into left; false when none is left. */
static bool time_left(const struct timespec *end, struct timespec *left) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = (end->tv_sec - now.tv_sec) * 1000000000LL + (end->tv_nsec - now.tv_nsec);
    if (ns <= 0) return false;
    *left = (struct timespec){.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
    return true;
}

/* Waits for events; returns how many went to out, or 0 with *err set. */
static int wait_events(struct kq *q, struct kevent *out, int max, const struct timespec *timeout, int *err) {
    struct timespec left, end;
    const struct timespec *t = NULL;
    if (timeout) {
        if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L) {
            *err = EINVAL;
            return 0;
        }
        if (timeout->tv_sec < FOREVER_SECONDS) {
            left = *timeout;
            t = &left;
            clock_gettime(CLOCK_MONOTONIC, &end);
            end.tv_sec += left.tv_sec + (end.tv_nsec + left.tv_nsec) / 1000000000L;
            end.tv_nsec = (end.tv_nsec + left.tv_nsec) % 1000000000L;
        }
    }
    for (;;) {
        struct epoll_event ready[NSETS];
        int n = epoll_wait_ts(q->ep, ready, NSETS, t), got = 0;
        if (n < 0) {
            *err = errno;               /* EINTR included, as on BSD */
            return 0;
        }
        unsigned sets = 0;
        for (int k = 0; k < n; k++)
            if (ready[k].data.u64 < NSETS) sets |= 1u << ready[k].data.u64;
        pthread_mutex_lock(&q->mu);
        for (int k = 0; k < NSETS && got < max; k++) {
            int s = (q->turn + k) % NSETS;     /* each child at most once: level entries are re-armed */
            if (sets >> s & 1) got += drain(q, s, out + got, max - got);
        }
        q->turn = (q->turn + 1) % NSETS;
        pthread_mutex_unlock(&q->mu);
        if (got) return got;
        if (t && !time_left(&end, &left)) return 0;     /* only dropped events: wait out the rest */
    }
}

/* ---- queues ---- */

static void destroy(struct kq *q) {
    for (int i = 0; i < q->nkn; i++)
        if (q->kn[i].fd >= 0 && q->kn[i].filter == EVFILT_USER) close(q->kn[i].fd);
    for (int s = 0; s < NSETS; s++)
        if (q->set[s] >= 0) close(q->set[s]);
    if (q->ep >= 0) close(q->ep);
    pthread_mutex_destroy(&q->mu);
    free(q->kn);
    free(q->byfd);
    free(q);
}

/* Makes a queue for the new epoll fd kqfd (which it does not close); NULL with errno if it cannot. */
static struct kq *new_queue(int kqfd) {
    struct kq *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    pthread_mutex_init(&q->mu, NULL);
    q->refs = 1;
    q->free_slot = -1;
    q->ep = fcntl(kqfd, F_DUPFD_CLOEXEC, PRIVATE_FD_FLOOR);
    if (q->ep < 0) q->ep = fcntl(kqfd, F_DUPFD_CLOEXEC, 0);
    bool ok = q->ep >= 0;
    for (int s = 0; s < NSETS; s++) {
        q->set[s] = ok ? above_floor(epoll_create1(EPOLL_CLOEXEC)) : -1;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)s};
        ok = ok && q->set[s] >= 0 && epoll_ctl(kqfd, EPOLL_CTL_ADD, q->set[s], &ev) == 0;
    }
    if (ok) return q;
    int err = errno;
    destroy(q);
    errno = err;
    return NULL;
}

/* The rest takes registry_mu. */
static void unref(struct kq *q) {
    if (--q->refs == 0) destroy(q);
}

static void unlist(int fd) {
    struct kq *q = registry[fd];
    registry[fd] = NULL;
    unref(q);
}

static int collect_closed(void) {
    int n = 0;
    for (int fd = 0; fd < nregistry; fd++)
        if (registry[fd] && !is_queue(registry[fd], fd)) {
            unlist(fd);
            n++;
        }
    return n;
}

static bool grow_registry(int fd) {
    if (fd < nregistry) return true;
    int n = fd < 32 ? 64 : 2 * fd;
    struct kq **r = realloc(registry, n * sizeof *r);
    if (!r) return false;
    memset(r + nregistry, 0, (n - nregistry) * sizeof *r);
    registry = r;
    nregistry = n;
    return true;
}

static struct kq *acquire(int fd) {
    pthread_mutex_lock(&registry_mu);
    struct kq *q = fd >= 0 && fd < nregistry ? registry[fd] : NULL;
    if (q && !is_queue(q, fd)) {        /* closed by the user, the number maybe taken again */
        unlist(fd);
        q = NULL;
    }
    if (q) q->refs++;
    pthread_mutex_unlock(&registry_mu);
    return q;
}

static void release(struct kq *q) {
    pthread_mutex_lock(&registry_mu);
    unref(q);
    pthread_mutex_unlock(&registry_mu);
}

int kqueue_emu_collect(void) {
    pthread_mutex_lock(&registry_mu);
    int n = collect_closed();
    pthread_mutex_unlock(&registry_mu);
    return n;
}

int kqueue(void) {
    pthread_mutex_lock(&registry_mu);
    collect_closed();
    int fd = epoll_create1(EPOLL_CLOEXEC);
    struct kq *q = fd < 0 ? NULL : new_queue(fd);
    if (q && !grow_registry(fd)) {
        destroy(q);
        q = NULL;
        errno = ENOMEM;
    }
    if (!q) {
        int err = errno;
        if (fd >= 0) close(fd);
        pthread_mutex_unlock(&registry_mu);
        return fail(err);
    }
    if (registry[fd]) unlist(fd);       /* a kq closed (by another thread) since collect_closed */
    registry[fd] = q;
    pthread_mutex_unlock(&registry_mu);
    return fd;
}

int kevent(int kqfd, const struct kevent *changelist, int nchanges,
           struct kevent *eventlist, int nevents, const struct timespec *timeout) {
    if (nchanges < 0 || nevents < 0) return fail(EINVAL);
    if ((nchanges > 0 && !changelist) || (nevents > 0 && !eventlist)) return fail(EFAULT);
    struct kq *q = acquire(kqfd);
    if (!q) return fail(EBADF);
    int out = 0, err = 0;
    pthread_mutex_lock(&q->mu);
    for (int i = 0; i < nchanges && !err; i++) {
        struct kevent c = changelist[i];    /* a copy: eventlist may be the same array */
        c.flags &= ~EV_SYSFLAGS;
        int e = apply(q, &c);
        if (!e && !(c.flags & EV_RECEIPT)) continue;
        if (out == nevents) {
            err = e;    /* no room: an error ends the call, a receipt goes unreported */
            continue;
        }
        c.flags = ERROR_FLAGS(c.flags);
        c.data = e;
        eventlist[out++] = c;
    }
    pthread_mutex_unlock(&q->mu);
    if (!err && !out && nevents > 0) out = wait_events(q, eventlist, nevents, timeout, &err);
    release(q);
    return err ? fail(err) : out;
}
