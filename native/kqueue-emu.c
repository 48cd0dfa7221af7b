/*
 * kqueue-emu.c: kqueue(2)/kevent(2) over Linux epoll, for tests. kqueue-emu.h says what is
 * emulated; this file says how, and what it does not model.
 *
 * A queue is an epoll instance plus a table of knotes. Each knote owns one fd in the epoll
 * set: a private dup of its ident (EVFILT_READ/WRITE) or an eventfd (EVFILT_USER, whose
 * counter is the "triggered" state). The epoll data of that fd is the knote's slot and the
 * slot's generation, so an event that raced with a delete (and maybe a re-add in the same
 * slot) misses and is dropped. The modes map onto epoll like this:
 *   level-triggered (default) -> level epoll entry; EV_CLEAR -> EPOLLET (for EVFILT_USER:
 *   the eventfd is read, resetting it, as the event is reported); EV_ONESHOT and
 *   EV_DISPATCH -> EPOLLONESHOT, then the knote is dropped or marked disabled;
 *   EV_DISABLE -> EPOLL_CTL_DEL (a disabled epoll entry would still report EPOLLHUP and
 *   EPOLLERR), EV_ENABLE -> EPOLL_CTL_ADD, or MOD to re-arm after EPOLLONESHOT.
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
 *    when the last writer is gone (as BSD), a socket when the peer shut down or reset; a
 *    never-connected TCP socket reports EPOLLHUP, hence EV_EOF, where BSD reports nothing.
 *  - fflags of an EV_EOF entry is SO_ERROR, and on Linux reading SO_ERROR CLEARS it: after
 *    such an entry (say ECONNRESET) a read(2) on the socket returns 0 instead of failing,
 *    and a second knote of the same socket in the same batch sees fflags 0.
 *  - A level-triggered event is reported as epoll saw it; if another thread drained the fd
 *    in between, the entry is spurious (BSD re-checks the filter before copying out).
 *  - NOTE_LOWAT and every other NOTE_* of EVFILT_READ/WRITE are ignored; regular files and
 *    directories are refused with EPERM (epoll's answer; BSD calls them always ready).
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

#define PRIVATE_FD_FLOOR 512        /* private fds go at or above this when the limit allows */
#define FOREVER_SECONDS 1000000000L /* a timeout of 31 years or more waits forever */

struct knote {
    uintptr_t ident;
    void *udata;
    intptr_t sdata;         /* EVFILT_USER: data of the last change, reported back */
    int fd;                 /* the dup of ident, or the eventfd; -1 marks a free slot */
    int next_free;
    uint32_t gen;           /* bumped when the slot is freed */
    uint32_t sfflags;       /* EVFILT_USER: the saved fflags (low 24 bits) */
    int16_t filter;
    uint16_t mode;          /* EV_ONESHOT|EV_CLEAR|EV_DISPATCH as given when created */
    bool disabled, in_set;  /* in_set: fd is in the epoll set (maybe disarmed by ONESHOT) */
};

struct kq {
    pthread_mutex_t mu;     /* guards everything below but refs; never held while waiting */
    int ep;                 /* private dup of the epoll fd handed out */
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

static int private_dup(int fd) {
    int d = fcntl(fd, F_DUPFD_CLOEXEC, PRIVATE_FD_FLOOR);
    if (d < 0 && errno != EBADF) d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return d;
}

static int private_eventfd(void) {
    int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (e < 0) return -1;
    int d = private_dup(e), err = errno;
    close(e);
    errno = err;
    return d;
}

/* Are fds a and b the same open file? kcmp(2); dev+inode where kcmp is refused. */
static bool same_file(int a, int b) {
    if (!atomic_load(&no_kcmp)) {
        pid_t self = getpid();
        long r = syscall(SYS_kcmp, self, self, KCMP_FILE, a, b);
        if (r >= 0) return r == 0;
        if (errno == EBADF) return false;
        atomic_store(&no_kcmp, true);   /* ENOSYS, or EPERM from a seccomp profile */
    }
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
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
    uint32_t m = kn->filter == EVFILT_WRITE ? EPOLLOUT : kn->filter == EVFILT_READ ? EPOLLIN | EPOLLRDHUP : EPOLLIN;
    if ((kn->mode & EV_CLEAR) && kn->filter != EVFILT_USER) m |= EPOLLET;
    if (kn->mode & (EV_ONESHOT | EV_DISPATCH)) m |= EPOLLONESHOT;
    return m;
}

static int arm(struct kq *q, int i) {
    struct knote *kn = &q->kn[i];
    struct epoll_event ev = {.events = epoll_mask(kn), .data.u64 = (uint64_t)kn->gen << 32 | (uint32_t)i};
    if (epoll_ctl(q->ep, kn->in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, kn->fd, &ev) < 0) return errno;
    kn->in_set = true;
    kn->disabled = false;
    return 0;
}

static void disarm(struct kq *q, struct knote *kn) {
    if (kn->in_set) epoll_ctl(q->ep, EPOLL_CTL_DEL, kn->fd, NULL);
    kn->in_set = false;
    kn->disabled = true;
}

static void drop(struct kq *q, int i) {
    struct knote *kn = &q->kn[i];
    disarm(q, kn);      /* before close: the user's fd may keep the file, and its epoll entry, alive */
    close(kn->fd);
    if (kn->filter != EVFILT_USER) q->byfd[2 * kn->ident + (kn->filter == EVFILT_WRITE)] = 0;
    kn->fd = -1;
    kn->gen++;
    kn->next_free = q->free_slot;
    q->free_slot = i;
}

/* Drops the knotes of fd whose dup is no longer the file fd names (BSD dropped them at close). */
static void forget_if_closed(struct kq *q, int fd) {
    for (int w = 0; w < 2; w++) {
        int i = find_fd(q, fd, w ? EVFILT_WRITE : EVFILT_READ);
        if (i >= 0 && !same_file(fd, q->kn[i].fd)) drop(q, i);
    }
}

static void forget_all_closed(struct kq *q) {
    for (int i = 0; i < q->nkn; i++)
        if (q->kn[i].fd >= 0 && q->kn[i].filter != EVFILT_USER && !same_file((int)q->kn[i].ident, q->kn[i].fd))
            drop(q, i);
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

static int create(struct kq *q, const struct kevent *c, int *slot) {
    int fd;
    for (int tries = 0;; tries++) {
        fd = c->filter == EVFILT_USER ? private_eventfd() : private_dup((int)c->ident);
        if (fd >= 0 || errno != EMFILE || tries) break;
        forget_all_closed(q);   /* knotes of fds closed behind our back hold fds: reclaim them */
    }
    if (fd < 0) return errno;
    int i = c->filter == EVFILT_USER || grow_byfd(q, (int)c->ident) ? new_slot(q) : -1;
    if (i < 0) {
        close(fd);
        return ENOMEM;
    }
    struct knote *kn = &q->kn[i];
    *kn = (struct knote){.ident = c->ident, .udata = c->udata, .fd = fd, .gen = kn->gen, .filter = c->filter,
                         .mode = c->flags & (EV_ONESHOT | EV_CLEAR | EV_DISPATCH), .disabled = true};
    if (c->filter == EVFILT_USER) {
        kn->sfflags = c->fflags & NOTE_FFLAGSMASK;
        kn->sdata = c->data;
        if (c->fflags & NOTE_TRIGGER) trigger(kn);
    } else {
        q->byfd[2 * c->ident + (c->filter == EVFILT_WRITE)] = i + 1;
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
        forget_if_closed(q, (int)c->ident);
        i = find_fd(q, (int)c->ident, c->filter);
    } else {
        return EINVAL;
    }
    if (i < 0) {
        if (!(c->flags & EV_ADD)) return ENOENT;
        if ((err = create(q, c, &i))) return err;
        if (c->flags & EV_DELETE) drop(q, i);
        else if (!(c->flags & EV_DISABLE) && (err = arm(q, i))) drop(q, i);
        return err;
    }
    struct knote *kn = &q->kn[i];
    if (c->flags & EV_DELETE) {
        drop(q, i);
        return 0;
    }
    if (c->flags & EV_ENABLE) {
        if (kn->disabled && (err = arm(q, i))) return err;
    } else if (c->flags & EV_DISABLE) {
        disarm(q, kn);
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

static uint32_t socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 ? (uint32_t)err : 0;
}

/* Turns one epoll event into an entry at out; false if the event is stale. */
static bool report(struct kq *q, uint64_t tag, uint32_t revents, struct kevent *out) {
    uint32_t i = (uint32_t)tag;
    if (i >= (uint32_t)q->nkn) return false;
    struct knote *kn = &q->kn[i];
    if (kn->fd < 0 || kn->gen != (uint32_t)(tag >> 32) || kn->disabled) return false;
    *out = (struct kevent){.ident = kn->ident, .filter = kn->filter, .flags = kn->mode, .udata = kn->udata};
    if (kn->filter == EVFILT_USER) {
        uint64_t count;
        if ((kn->mode & EV_CLEAR) && read(kn->fd, &count, sizeof count) != sizeof count)
            return false;       /* another waiter reported (and cleared) it first */
        out->fflags = kn->sfflags;
        out->data = kn->sdata;
    } else {
        if (!same_file((int)kn->ident, kn->fd)) {
            drop(q, (int)i);    /* the fd was closed: BSD would have dropped the knote then */
            return false;
        }
        uint32_t eof = EPOLLHUP | EPOLLERR | (kn->filter == EVFILT_READ ? EPOLLRDHUP : 0);
        if (revents & eof) out->flags |= EV_EOF;
        if (revents & EPOLLERR) out->fflags = socket_error(kn->fd);
        out->data = kn->filter == EVFILT_READ ? readable(kn->fd) : writable(kn->fd);
    }
    if (kn->mode & EV_ONESHOT) drop(q, (int)i);
    else if (kn->mode & EV_DISPATCH) kn->disabled = true;  /* EPOLLONESHOT has disarmed it */
    return true;
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
        struct epoll_event ev[256];     /* never more than there are free slots in out */
        int n = epoll_wait_ts(q->ep, ev, max < 256 ? max : 256, t), got = 0;
        if (n < 0) {
            *err = errno;               /* EINTR included, as on BSD */
            return 0;
        }
        pthread_mutex_lock(&q->mu);
        for (int k = 0; k < n; k++) got += report(q, ev[k].data.u64, ev[k].events, &out[got]);
        pthread_mutex_unlock(&q->mu);
        if (got) return got;
        if (t && !time_left(&end, &left)) return 0;     /* only stale events: wait out the rest */
    }
}

/* ---- queues ---- */

static void destroy(struct kq *q) {
    for (int i = 0; i < q->nkn; i++)
        if (q->kn[i].fd >= 0) close(q->kn[i].fd);
    close(q->ep);
    pthread_mutex_destroy(&q->mu);
    free(q->kn);
    free(q->byfd);
    free(q);
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
        if (registry[fd] && !same_file(fd, registry[fd]->ep)) {
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
    if (q && !same_file(fd, q->ep)) {   /* closed by the user, the number maybe taken again */
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
    int fd = epoll_create1(EPOLL_CLOEXEC), ep = fd < 0 ? -1 : private_dup(fd);
    struct kq *q = ep < 0 ? NULL : calloc(1, sizeof *q);
    if (q && !grow_registry(fd)) {
        free(q);
        q = NULL;
        errno = ENOMEM;
    }
    if (!q) {
        int err = errno;
        if (ep >= 0) close(ep);
        if (fd >= 0) close(fd);
        pthread_mutex_unlock(&registry_mu);
        return fail(err);
    }
    pthread_mutex_init(&q->mu, NULL);
    q->ep = ep;
    q->refs = 1;
    q->free_slot = -1;
    if (registry[fd]) unlist(fd);       /* stale, but unseen (dev+inode cannot tell epolls apart) */
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
