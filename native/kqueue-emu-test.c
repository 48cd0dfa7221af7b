/*
 * kqueue-emu-test: checks libkqueue-emu.so against the BSD semantics kqueue-emu.h promises,
 * with real fds (pipes, socketpairs, loopback TCP, eventfd, timerfd) and threads. Prints one
 * line per test; exits 1 if any failed. Built twice by scripts/kqueue-emu: as is (macOS ABI)
 * and with -DKQEMU_FREEBSD against libkqueue-emu-freebsd.so. With --no-kcmp, kcmp(2) is made
 * to fail first (seccomp), to check the emulator's fallbacks. Timing checks have lower bounds
 * only: the machines running this are noisy.
 */
#define _GNU_SOURCE
#include "kqueue-emu.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

static bool failed;

#define CHECK(cond, ...) do {                                                  \
        if (!(cond)) {                                                         \
            fprintf(stderr, "    line %d: %s: ", __LINE__, #cond);             \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            failed = true;                                                     \
            return;                                                            \
        }                                                                      \
    } while (0)

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One change with EV_RECEIPT; returns its errno (0 on success), or -1 if kevent itself failed. */
static int change(int kq, uintptr_t ident, int16_t filter, uint16_t flags, uint32_t fflags, void *udata) {
    struct kevent c, r;
    EV_SET(&c, ident, filter, flags | EV_RECEIPT, fflags, 0, udata);
    if (kevent(kq, &c, 1, &r, 1, NULL) != 1 || !(r.flags & EV_ERROR)) return -1;
    return (int)r.data;
}

static int poll_ms(int kq, struct kevent *ev, int n, long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    return kevent(kq, NULL, 0, ev, n, &t);
}

static const struct kevent *find(const struct kevent *ev, int n, uintptr_t ident, int16_t filter) {
    for (int i = 0; i < n; i++)
        if (ev[i].ident == ident && ev[i].filter == filter) return &ev[i];
    return NULL;
}

static int open_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n - 1;   /* the DIR's own fd */
}

static void t_layout(void) {
#ifdef KQEMU_FREEBSD
    CHECK(sizeof(struct kevent) == 64, "size %zu", sizeof(struct kevent));
    CHECK(offsetof(struct kevent, ext) == 32, "ext at %zu", offsetof(struct kevent, ext));
    CHECK(EVFILT_USER == -11, "EVFILT_USER %d", EVFILT_USER);
#else
    CHECK(sizeof(struct kevent) == 32, "size %zu", sizeof(struct kevent));
    CHECK(EVFILT_USER == -10, "EVFILT_USER %d", EVFILT_USER);
#endif
    CHECK(offsetof(struct kevent, filter) == 8 && offsetof(struct kevent, flags) == 10 &&
          offsetof(struct kevent, fflags) == 12 && offsetof(struct kevent, data) == 16 &&
          offsetof(struct kevent, udata) == 24, "offsets");
}

static void t_kqueue_fd(void) {
    struct kevent ev;
    int kq = kqueue(), p[2];
    CHECK(kq >= 0, "kqueue: %s", strerror(errno));
    CHECK(fcntl(kq, F_GETFD) == FD_CLOEXEC, "kq fd not close-on-exec");
    CHECK(pipe(p) == 0, "pipe");
    errno = 0;
    CHECK(kevent(-1, NULL, 0, &ev, 1, NULL) == -1 && errno == EBADF, "kq -1: errno %d", errno);
    CHECK(kevent(p[0], NULL, 0, &ev, 1, NULL) == -1 && errno == EBADF, "a pipe as kq: errno %d", errno);
    CHECK(kevent(kq, NULL, -1, &ev, 1, NULL) == -1 && errno == EINVAL, "nchanges -1: errno %d", errno);
    CHECK(kevent(kq, NULL, 0, &ev, -1, NULL) == -1 && errno == EINVAL, "nevents -1: errno %d", errno);
    CHECK(kevent(kq, NULL, 1, &ev, 1, NULL) == -1 && errno == EFAULT, "NULL changelist: errno %d", errno);
    CHECK(kevent(kq, NULL, 0, NULL, 1, NULL) == -1 && errno == EFAULT, "NULL eventlist: errno %d", errno);
    CHECK(kevent(kq, NULL, 0, NULL, 0, NULL) == 0, "nothing to do: %s", strerror(errno));
    close(kq);
    int other = epoll_create1(EPOLL_CLOEXEC);   /* most likely takes kq's number */
    CHECK(kevent(other, NULL, 0, &ev, 1, NULL) == -1 && errno == EBADF, "foreign epoll fd %d: errno %d", other, errno);
    close(other);
    CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == -1 && errno == EBADF, "closed kq: errno %d", errno);
    close(p[0]);
    close(p[1]);
}

static void t_receipts(void) {
    int kq = kqueue(), p[2], gone[2];
    CHECK(pipe(p) == 0 && pipe(gone) == 0, "pipe");
    close(gone[0]);
    close(gone[1]);
    CHECK(write(p[1], "x", 1) == 1, "write");
    struct kevent c[5], r[8];
    EV_SET(&c[0], p[0], EVFILT_READ, EV_ADD | EV_RECEIPT, 0, 0, (void *)1);
    EV_SET(&c[1], gone[0], EVFILT_READ, EV_ADD | EV_RECEIPT, 0, 0, (void *)2);
    EV_SET(&c[2], p[1], EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0, 0, (void *)3);
    EV_SET(&c[3], p[0], -7 /* EVFILT_TIMER */, EV_ADD | EV_RECEIPT, 0, 0, (void *)4);
    EV_SET(&c[4], 77, EVFILT_USER, EV_DELETE | EV_RECEIPT, 0, 0, (void *)5);
    int want[5] = {0, EBADF, ENOENT, EINVAL, ENOENT};
    long long t0 = now_ns();
    int n = kevent(kq, c, 5, r, 8, NULL);   /* NULL timeout: receipts must not wait */
    CHECK(n == 5, "returned %d (%s)", n, strerror(errno));
    for (int i = 0; i < 5; i++) {
        CHECK(r[i].flags & EV_ERROR, "entry %d has no EV_ERROR", i);
        CHECK(r[i].data == want[i], "entry %d: data %ld, want %d", i, (long)r[i].data, want[i]);
        CHECK(r[i].ident == c[i].ident && r[i].filter == c[i].filter && r[i].udata == c[i].udata, "entry %d echo", i);
#ifdef KQEMU_FREEBSD
        CHECK(r[i].flags == EV_ERROR, "entry %d flags %#x", i, r[i].flags);
#else
        CHECK(r[i].flags == (c[i].flags | EV_ERROR), "entry %d flags %#x", i, r[i].flags);
#endif
    }
    CHECK(now_ns() - t0 < 5000000000LL, "receipts waited");
    n = poll_ms(kq, r, 8, 1000);
    CHECK(n == 1 && r[0].ident == (uintptr_t)p[0] && r[0].udata == (void *)1, "the pending event after: n %d", n);
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_errors_without_receipt(void) {
    int kq = kqueue(), p[2], gone[2];
    CHECK(pipe(p) == 0 && pipe(gone) == 0, "pipe");
    close(gone[0]);
    close(gone[1]);
    struct kevent c[2], r[4];
    EV_SET(&c[0], gone[0], EVFILT_READ, EV_ADD, 0, 0, NULL);
    EV_SET(&c[1], p[0], EVFILT_READ, EV_ADD, 0, 0, NULL);
    int n = kevent(kq, c, 1, r, 4, NULL);
    CHECK(n == 1 && (r[0].flags & EV_ERROR) && r[0].data == EBADF, "with room: n %d data %ld", n, (long)r[0].data);
    errno = 0;
    n = kevent(kq, c, 2, NULL, 0, NULL);
    CHECK(n == -1 && errno == EBADF, "without room: n %d errno %d", n, errno);
    CHECK(change(kq, p[0], EVFILT_READ, EV_DELETE, 0, NULL) == ENOENT, "the change after the error was applied");
    n = kevent(kq, &c[1], 1, r, 4, &(struct timespec){0, 0});
    CHECK(n == 0, "a good change then a poll: n %d", n);
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_level(void) {
    int kq = kqueue(), p[2], tag;
    char buf[16];
    struct kevent ev[4];
    CHECK(pipe(p) == 0 && write(p[1], "hello", 5) == 5, "pipe");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD, 0, &tag) == 0, "add");
    for (int round = 0; round < 2; round++) {
        int n = poll_ms(kq, ev, 4, 0);
        CHECK(n == 1, "round %d: n %d", round, n);
        CHECK(ev[0].ident == (uintptr_t)p[0] && ev[0].filter == EVFILT_READ && ev[0].udata == &tag, "entry");
        CHECK(ev[0].data == 5 && ev[0].flags == 0 && ev[0].fflags == 0, "data %ld flags %#x", (long)ev[0].data, ev[0].flags);
#ifdef KQEMU_FREEBSD
        CHECK(!ev[0].ext[0] && !ev[0].ext[1] && !ev[0].ext[2] && !ev[0].ext[3], "ext not zero");
#endif
    }
    CHECK(read(p[0], buf, sizeof buf) == 5, "read");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "reported once drained");
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_clear(void) {
    int kq = kqueue(), p[2];
    struct kevent ev[4];
    CHECK(pipe(p) == 0 && write(p[1], "a", 1) == 1, "pipe");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, NULL) == 0, "add");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].data == 1 && (ev[0].flags & EV_CLEAR), "first: n %d", n);
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "reported again with no new data");
    CHECK(write(p[1], "b", 1) == 1, "write");
    n = poll_ms(kq, ev, 4, 1000);
    CHECK(n == 1 && ev[0].data == 2, "after new data: n %d data %ld", n, (long)ev[0].data);
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_dispatch(void) {
    int kq = kqueue(), p[2];
    struct kevent ev[4];
    CHECK(pipe(p) == 0 && write(p[1], "a", 1) == 1, "pipe");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DISPATCH, 0, NULL) == 0, "add");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && (ev[0].flags & EV_DISPATCH), "first: n %d", n);
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "not disabled after delivery");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DISPATCH, 0, NULL) == 0, "re-add");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "EV_ADD re-enabled it (BSD does not)");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0, NULL) == 0, "enable");
    CHECK(poll_ms(kq, ev, 4, 0) == 1, "not reported after EV_ENABLE");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "not disabled after the second delivery");
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_oneshot(void) {
    int kq = kqueue(), p[2];
    struct kevent ev[4];
    CHECK(pipe(p) == 0 && write(p[1], "a", 1) == 1, "pipe");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_ONESHOT, 0, NULL) == 0, "add");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && (ev[0].flags & EV_ONESHOT), "first: n %d", n);
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "reported twice");
    CHECK(change(kq, p[0], EVFILT_READ, EV_DELETE, 0, NULL) == ENOENT, "still there after delivery");
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_disable_enable_udata(void) {
    int kq = kqueue(), p[2];
    struct kevent ev[4];
    CHECK(pipe(p) == 0 && write(p[1], "a", 1) == 1, "pipe");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DISABLE, 0, (void *)1) == 0, "add disabled");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "disabled knote reported");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0, (void *)2) == 0, "enable");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].udata == (void *)2, "after enable: n %d udata %p", n, ev[0].udata);
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD, 0, (void *)3) == 0, "re-add");
    n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].udata == (void *)3, "after re-add: n %d udata %p", n, ev[0].udata);
    CHECK(change(kq, p[0], EVFILT_READ, EV_DISABLE, 0, (void *)3) == 0, "disable");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "reported while disabled");
    CHECK(change(kq, p[0], EVFILT_READ, EV_DELETE, 0, NULL) == 0, "delete");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0, NULL) == ENOENT, "enable after delete");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DELETE, 0, NULL) == 0, "add|delete");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "add|delete left a knote");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD | EV_DISABLE, 0, NULL) == 0, "add disabled again");
    close(p[1]);
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "a disabled knote reported the hang-up");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ENABLE, 0, NULL) == 0, "enable");
    n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && (ev[0].flags & EV_EOF), "hang-up after enable: n %d", n);
    close(kq);
    close(p[0]);
}

static void t_read_and_write(void) {
    int kq = kqueue(), s[2];
    struct kevent ev[8];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0 && write(s[1], "z", 1) == 1, "socketpair");
    CHECK(change(kq, s[0], EVFILT_READ, EV_ADD, 0, (void *)1) == 0, "add read");
    CHECK(change(kq, s[0], EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, (void *)2) == 0, "add write");
    int n = poll_ms(kq, ev, 8, 0);
    const struct kevent *r = find(ev, n, s[0], EVFILT_READ), *w = find(ev, n, s[0], EVFILT_WRITE);
    CHECK(n == 2 && r && w, "n %d", n);
    CHECK(r->data == 1 && r->udata == (void *)1 && w->data > 0 && w->udata == (void *)2, "read %ld, write %ld",
          (long)r->data, (long)w->data);
    n = poll_ms(kq, ev, 8, 0);
    CHECK(n == 1 && ev[0].filter == EVFILT_READ, "level read again, edge write not: n %d", n);
    CHECK(change(kq, s[0], EVFILT_READ, EV_DELETE, 0, NULL) == 0, "delete read");
    CHECK(poll_ms(kq, ev, 8, 0) == 0, "read knote survived its delete");
    close(kq);
    close(s[0]);
    close(s[1]);
}

static void t_eof(void) {
    int kq = kqueue(), s[2], p[2], q[2];
    struct kevent ev[8];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0 && write(s[1], "abc", 3) == 3, "socketpair");
    CHECK(pipe(p) == 0 && write(p[1], "de", 2) == 2 && pipe(q) == 0, "pipe");
    CHECK(change(kq, s[0], EVFILT_READ, EV_ADD, 0, NULL) == 0, "add socket");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD, 0, NULL) == 0, "add pipe");
    CHECK(change(kq, q[1], EVFILT_WRITE, EV_ADD, 0, NULL) == 0, "add pipe write end");
    int n = poll_ms(kq, ev, 8, 0);
    CHECK(n == 3, "before closing: n %d", n);
    for (int i = 0; i < n; i++) CHECK(!(ev[i].flags & EV_EOF), "EV_EOF on %d before closing", (int)ev[i].ident);
    close(s[1]);
    close(p[1]);
    close(q[0]);
    n = poll_ms(kq, ev, 8, 0);
    const struct kevent *a = find(ev, n, s[0], EVFILT_READ), *b = find(ev, n, p[0], EVFILT_READ),
                        *c = find(ev, n, q[1], EVFILT_WRITE);
    CHECK(n == 3 && a && b && c, "after closing: n %d", n);
    CHECK((a->flags & EV_EOF) && a->data == 3, "socket: flags %#x data %ld", a->flags, (long)a->data);
    CHECK((b->flags & EV_EOF) && b->data == 2, "pipe: flags %#x data %ld", b->flags, (long)b->data);
    CHECK(c->flags & EV_EOF, "pipe write end: flags %#x", c->flags);
    close(kq);
    close(s[0]);
    close(p[0]);
    close(q[1]);
}

/* Waits up to 2 s for an entry (ident, filter) matching want_flags; copies it to *got. */
static bool wait_for(int kq, int ident, int16_t filter, uint16_t want_flags, struct kevent *got) {
    for (long long end = now_ns() + 2000000000LL; now_ns() < end;) {
        struct kevent ev[8];
        int n = poll_ms(kq, ev, 8, 100);
        const struct kevent *e = find(ev, n, ident, filter);
        if (e && (e->flags & want_flags) == want_flags) {
            *got = *e;
            return true;
        }
    }
    return false;
}

static void t_tcp(void) {
    int kq = kqueue(), lst = socket(AF_INET, SOCK_STREAM, 0), cli = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    struct kevent e;
    char buf[8];
    CHECK(bind(lst, (struct sockaddr *)&a, sizeof a) == 0 && listen(lst, 8) == 0, "listen: %s", strerror(errno));
    CHECK(getsockname(lst, (struct sockaddr *)&a, &len) == 0, "getsockname");
    CHECK(change(kq, lst, EVFILT_READ, EV_ADD, 0, NULL) == 0, "add listener");
    CHECK(poll_ms(kq, &e, 1, 0) == 0, "listener ready before connect");
    CHECK(connect(cli, (struct sockaddr *)&a, sizeof a) == 0, "connect: %s", strerror(errno));
    CHECK(wait_for(kq, lst, EVFILT_READ, 0, &e) && e.data >= 1, "no accept event");
    int srv = accept(lst, NULL, NULL);
    CHECK(srv >= 0, "accept");
    CHECK(change(kq, srv, EVFILT_READ, EV_ADD, 0, NULL) == 0, "add server");
    CHECK(change(kq, cli, EVFILT_WRITE, EV_ADD | EV_ONESHOT, 0, NULL) == 0, "add client write");
    CHECK(wait_for(kq, cli, EVFILT_WRITE, 0, &e) && e.data > 0, "client not writable");
    CHECK(write(cli, "abc", 3) == 3, "write");
    CHECK(wait_for(kq, srv, EVFILT_READ, 0, &e), "no read event");
    CHECK(e.data == 3 && !(e.flags & EV_EOF), "data %ld flags %#x", (long)e.data, e.flags);
    CHECK(read(srv, buf, sizeof buf) == 3, "read");
    struct linger lg = {1, 0};
    CHECK(setsockopt(cli, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0, "SO_LINGER");
    close(cli);     /* sends a reset */
    CHECK(wait_for(kq, srv, EVFILT_READ, EV_EOF, &e), "no EV_EOF after the reset");
    CHECK(e.fflags == 0, "fflags %u: the emulator leaves the socket error pending", e.fflags);
    errno = 0;
    CHECK(read(srv, buf, sizeof buf) == -1 && errno == ECONNRESET, "read after EV_EOF: errno %d, want ECONNRESET",
          errno);
    close(kq);
    close(srv);
    close(lst);
}

struct trigger_arg {
    int kq;
    uintptr_t ident;
    uint32_t fflags;
    long delay_ms;
};

static void *trigger_later(void *p) {
    struct trigger_arg *t = p;
    struct kevent c;
    usleep(t->delay_ms * 1000);
    EV_SET(&c, t->ident, EVFILT_USER, 0, NOTE_TRIGGER | t->fflags, 0, NULL);
    if (kevent(t->kq, &c, 1, NULL, 0, NULL) != 0) perror("trigger");
    return NULL;
}

static void t_user(void) {
    int kq = kqueue(), tag;
    struct kevent ev[4], c;
    CHECK(change(kq, 42, EVFILT_USER, EV_ADD | EV_CLEAR, 0, &tag) == 0, "add");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "reported before a trigger");
    pthread_t th;
    struct trigger_arg t = {kq, 42, NOTE_FFCOPY | 0x123, 50};
    pthread_create(&th, NULL, trigger_later, &t);
    int n = kevent(kq, NULL, 0, ev, 4, NULL);  /* blocks until the other thread triggers */
    pthread_join(th, NULL);
    CHECK(n == 1 && ev[0].ident == 42 && ev[0].filter == EVFILT_USER && ev[0].udata == NULL,
          "wake-up: n %d udata %p (a trigger's udata replaces the knote's, as on BSD)", n, ev[0].udata);
    CHECK(ev[0].fflags == 0x123 && (ev[0].flags & EV_CLEAR), "fflags %#x flags %#x", ev[0].fflags, ev[0].flags);
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "EV_CLEAR did not reset the trigger");
    uint32_t ops[3][2] = {{NOTE_FFOR | 0x400, 0x523}, {NOTE_FFAND | 0x003, 0x003}, {NOTE_FFNOP | 0xfff, 0x003}};
    for (int i = 0; i < 3; i++) {
        EV_SET(&c, 42, EVFILT_USER, 0, NOTE_TRIGGER | ops[i][0], 7 + i, &tag);
        CHECK(kevent(kq, &c, 1, NULL, 0, NULL) == 0, "trigger %d", i);
        n = poll_ms(kq, ev, 4, 0);
        CHECK(n == 1 && ev[0].fflags == ops[i][1] && ev[0].data == 7 + i && ev[0].udata == &tag,
              "op %d: n %d fflags %#x data %ld", i, n, ev[0].fflags, (long)ev[0].data);
    }
    /* mio's waker: EV_ADD|EV_RECEIPT with NOTE_TRIGGER, changelist and eventlist the same array */
    EV_SET(&c, 42, EVFILT_USER, EV_ADD | EV_RECEIPT, NOTE_TRIGGER, 0, &tag);
    CHECK(kevent(kq, &c, 1, &c, 1, NULL) == 1 && (c.flags & EV_ERROR) && c.data == 0, "wake receipt");
    CHECK(poll_ms(kq, ev, 4, 0) == 1 && poll_ms(kq, ev, 4, 0) == 0, "EV_ADD of the waker changed EV_CLEAR");
    CHECK(change(kq, 43, EVFILT_USER, EV_ADD, NOTE_TRIGGER, NULL) == 0, "add level user knote, triggered");
    CHECK(poll_ms(kq, ev, 4, 0) == 1 && ev[0].ident == 43 && poll_ms(kq, ev, 4, 0) == 1, "level user knote");
    CHECK(change(kq, 43, EVFILT_USER, EV_DELETE, 0, NULL) == 0, "delete");
    CHECK(change(kq, 44, EVFILT_USER, 0, NOTE_TRIGGER, NULL) == ENOENT, "trigger of a missing knote");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "left-overs");
    close(kq);
}

static void t_timeouts(void) {
    int kq = kqueue(), p[2];
    struct kevent ev[2];
    long long t0 = now_ns();
    CHECK(poll_ms(kq, ev, 2, 0) == 0, "poll");
    long waits[] = {20000000, 1500000, 1};
    for (int i = 0; i < 3; i++) {
        t0 = now_ns();
        int n = kevent(kq, NULL, 0, ev, 2, &(struct timespec){0, waits[i]});
        long long took = now_ns() - t0;
        CHECK(n == 0 && took >= waits[i], "%ld ns timeout: n %d after %lld ns", waits[i], n, took);
    }
    struct timespec bad[] = {{0, 1000000000}, {0, -1}, {-1, 0}};
    for (int i = 0; i < 3; i++) {
        errno = 0;
        CHECK(kevent(kq, NULL, 0, ev, 2, &bad[i]) == -1 && errno == EINVAL, "bad timespec %d: errno %d", i, errno);
    }
    CHECK(pipe(p) == 0 && write(p[1], "a", 1) == 1, "pipe");
    CHECK(change(kq, p[0], EVFILT_READ, EV_ADD, 0, NULL) == 0, "add");
    CHECK(kevent(kq, NULL, 0, ev, 2, &(struct timespec){(time_t)1 << 62, 0}) == 1, "huge timeout with an event");
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void on_signal(int sig) { (void)sig; }

static void *signal_later(void *p) {
    usleep(50000);
    pthread_kill(*(pthread_t *)p, SIGUSR1);
    return NULL;
}

static void t_eintr(void) {
    struct sigaction sa = {.sa_handler = on_signal}, old;   /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, &old);
    int kq = kqueue();
    struct kevent ev;
    pthread_t self = pthread_self(), th;
    pthread_create(&th, NULL, signal_later, &self);
    errno = 0;
    int n = kevent(kq, NULL, 0, &ev, 1, NULL);
    int err = errno;
    pthread_join(th, NULL);
    sigaction(SIGUSR1, &old, NULL);
    close(kq);
    CHECK(n == -1 && err == EINTR, "n %d errno %d", n, err);
}

static void t_small_eventlist(void) {
    for (int clear = 0; clear < 2; clear++) {
        int kq = kqueue(), p[10][2], seen[10] = {0};
        for (int i = 0; i < 10; i++) {
            CHECK(pipe(p[i]) == 0 && write(p[i][1], "a", 1) == 1, "pipe");
            CHECK(change(kq, p[i][0], EVFILT_READ, EV_ADD | (clear ? EV_CLEAR : 0), 0, (void *)(intptr_t)i) == 0, "add");
        }
        int want[] = {3, 3, 3, clear ? 1 : 3, clear ? 0 : 3};
        for (int call = 0; call < 5; call++) {
            struct kevent ev[3];
            int n = poll_ms(kq, ev, 3, 0);
            CHECK(n == want[call], "%s call %d: n %d, want %d", clear ? "EV_CLEAR" : "level", call, n, want[call]);
            for (int j = 0; j < n; j++) {
                int k = (int)(intptr_t)ev[j].udata;
                for (int m = 0; m < j; m++) CHECK(ev[m].udata != ev[j].udata, "pipe %d twice in one call", k);
                CHECK(!clear || !seen[k], "EV_CLEAR pipe %d reported twice", k);
                seen[k] += call < 4;
            }
        }
        for (int i = 0; i < 10; i++) CHECK(seen[i], "%s: pipe %d never reported in 4 calls", clear ? "EV_CLEAR" : "level", i);
        for (int i = 0; i < 10; i++) {
            close(p[i][0]);
            close(p[i][1]);
        }
        close(kq);
    }
}

static void t_fd_reuse(void) {
    int kq = kqueue(), a[2], b[2];
    struct kevent ev[4];
    CHECK(pipe(a) == 0 && write(a[1], "old", 3) == 3, "pipe");
    int n_fd = a[0];
    CHECK(change(kq, n_fd, EVFILT_READ, EV_ADD, 0, (void *)1) == 0, "add");
    close(n_fd);    /* a[1] stays open: the old pipe lives on, and has data */
    CHECK(pipe(b) == 0, "pipe");
    if (b[0] != n_fd) {
        CHECK(dup2(b[0], n_fd) == n_fd, "dup2");
        close(b[0]);
    }
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "the old knote reported for the new file: udata %p", ev[0].udata);
    CHECK(write(b[1], "new!", 4) == 4, "write");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "the new file reported without a knote");
    CHECK(change(kq, n_fd, EVFILT_READ, EV_DELETE, 0, NULL) == ENOENT, "delete on the reused number");
    CHECK(change(kq, n_fd, EVFILT_READ, EV_ADD, 0, (void *)2) == 0, "add on the reused number");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].udata == (void *)2 && ev[0].data == 4, "new knote: n %d udata %p data %ld", n,
          ev[0].udata, (long)ev[0].data);
    close(kq);
    close(n_fd);
    close(a[1]);
    close(b[1]);
}

/* As fd_reuse, but the next thing after the reuse is a change, not a poll. */
static void t_fd_reuse_then_change(void) {
    int kq = kqueue(), a[2], b[2];
    struct kevent ev[4];
    CHECK(pipe(a) == 0, "pipe");
    int n_fd = a[0];
    CHECK(change(kq, n_fd, EVFILT_READ, EV_ADD, 0, (void *)1) == 0, "add");
    close(n_fd);
    CHECK(pipe(b) == 0, "pipe");
    if (b[0] != n_fd) {
        CHECK(dup2(b[0], n_fd) == n_fd, "dup2");
        close(b[0]);
    }
    CHECK(change(kq, n_fd, EVFILT_READ, EV_DELETE, 0, NULL) == ENOENT, "delete found the old file's knote");
    CHECK(change(kq, n_fd, EVFILT_READ, EV_ADD, 0, (void *)2) == 0, "add on the reused number");
    CHECK(write(b[1], "new", 3) == 3, "write");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].udata == (void *)2 && ev[0].data == 3, "n %d: the new file is not watched", n);
    close(kq);
    close(n_fd);
    close(a[1]);
    close(b[1]);
}

static void t_fd_closed_but_alive(void) {
    int kq = kqueue(), a[2];
    struct kevent ev[4];
    CHECK(pipe(a) == 0, "pipe");
    CHECK(change(kq, a[0], EVFILT_READ, EV_ADD, 0, (void *)1) == 0, "add");
    int m = dup(a[0]);      /* the user's own dup keeps the file open */
    close(a[0]);
    CHECK(write(a[1], "x", 1) == 1, "write");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "reported an event for a closed fd (epoll alone would)");
    CHECK(change(kq, a[0], EVFILT_READ, EV_DELETE, 0, NULL) == EBADF, "delete on the closed number");
    CHECK(change(kq, m, EVFILT_READ, EV_ADD, 0, (void *)2) == 0, "add the dup");
    int n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].ident == (uintptr_t)m && ev[0].udata == (void *)2, "dup's knote: n %d", n);
    close(kq);
    close(m);
    close(a[1]);
}

/* A connected loopback TCP pair; false (errno set) if it cannot be made. */
static bool tcp_pair(int *cli, int *srv) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    *cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = lst >= 0 && *cli >= 0 && bind(lst, (struct sockaddr *)&a, sizeof a) == 0 && listen(lst, 1) == 0 &&
              getsockname(lst, (struct sockaddr *)&a, &len) == 0 && connect(*cli, (struct sockaddr *)&a, sizeof a) == 0 &&
              (*srv = accept4(lst, NULL, NULL, SOCK_CLOEXEC)) >= 0;
    int err = errno;
    close(lst);
    errno = err;
    return ok;
}

/* Does fd read end-of-file within 10 s (data before it is skipped)? Waits in poll(2). */
static bool reads_eof(int fd) {
    char buf[256];
    for (long long end = now_ns() + 10000000000LL; now_ns() < end;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) == 1) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n == 0) return true;
            if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        }
    }
    return false;
}

static long long thread_cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The Reactor's case: a socket closed while registered is closed for its peer at once. */
static void t_close_registered(void) {
    int kq = kqueue(), cli, srv, start = open_fds();
    struct kevent ev[4];
    CHECK(tcp_pair(&cli, &srv), "tcp pair: %s", strerror(errno));
    CHECK(change(kq, srv, EVFILT_READ, EV_ADD, 0, NULL) == 0, "add read");
    CHECK(change(kq, srv, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, NULL) == 0, "add write");
    CHECK(poll_ms(kq, ev, 4, 1000) == 1 && ev[0].filter == EVFILT_WRITE, "not writable");
    close(srv);
    int after = open_fds();
    CHECK(after == start + 1, "fds: %d with the client left, %d before the pair", after, start);
    CHECK(reads_eof(cli), "the peer did not read EOF");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "an event for the closed socket: ident %d", (int)ev[0].ident);
    CHECK(change(kq, srv, EVFILT_READ, EV_DELETE, 0, NULL) == EBADF, "delete on the closed number");
    close(kq);
    close(cli);
}

/* Reactor.close(): the kq closed with its knotes in place, then the sockets. */
static void t_close_kq_then_sockets(void) {
    int cli[3], srv[3];
    uint16_t modes[3] = {0, EV_CLEAR, EV_DISPATCH};
    kqueue_emu_collect();
    int start = open_fds(), kq = kqueue();
    CHECK(change(kq, 9, EVFILT_USER, EV_ADD | EV_CLEAR, 0, NULL) == 0, "add user");
    for (int i = 0; i < 3; i++) {
        CHECK(tcp_pair(&cli[i], &srv[i]), "tcp pair: %s", strerror(errno));
        CHECK(change(kq, srv[i], EVFILT_READ, EV_ADD | modes[i], 0, NULL) == 0, "add read");
        CHECK(change(kq, srv[i], EVFILT_WRITE, EV_ADD | modes[i], 0, NULL) == 0, "add write");
    }
    close(kq);
    for (int i = 0; i < 3; i++) close(srv[i]);
    for (int i = 0; i < 3; i++) CHECK(reads_eof(cli[i]), "peer %d did not read EOF", i);
    for (int i = 0; i < 3; i++) close(cli[i]);
    CHECK(kqueue_emu_collect() == 1, "collect found no closed kq");
    CHECK(open_fds() == start, "fds after collect: %d, at the start %d", open_fds(), start);
}

/*
 * The number of a registered fd taken by another file while the old file lives on in a dup
 * of the user's: the old entry (which epoll keeps) must never be reported, nor spin.
 */
static void t_reuse_old_file_alive(void) {
    uint16_t modes[] = {0, EV_CLEAR, EV_DISPATCH, EV_CLEAR | EV_DISPATCH, EV_ONESHOT};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        int kq = kqueue(), a[2], b[2];
        struct kevent ev[4];
        CHECK(pipe(a) == 0 && write(a[1], "old", 3) == 3, "pipe");
        int n_fd = a[0];
        CHECK(change(kq, n_fd, EVFILT_READ, EV_ADD | modes[m], 0, (void *)1) == 0, "add");
        int keep = dup(a[0]);
        close(n_fd);
        CHECK(pipe(b) == 0, "pipe");
        if (b[0] != n_fd) {
            CHECK(dup2(b[0], n_fd) == n_fd, "dup2");
            close(b[0]);
        }
        for (int i = 0; i < 100; i++) {
            CHECK(write(a[1], "+", 1) == 1, "write");   /* a new edge each time, too */
            int n = poll_ms(kq, ev, 4, 0);
            CHECK(n == 0, "mode %#x, call %d: %d events, udata %p", modes[m], i, n, ev[0].udata);
        }
        long long cpu = thread_cpu_ns(), t0 = now_ns();
        int n = poll_ms(kq, ev, 4, 200);
        long long took = now_ns() - t0;
        cpu = thread_cpu_ns() - cpu;
        CHECK(n == 0 && took >= 200000000LL, "mode %#x: a 200 ms wait gave %d after %lld ns", modes[m], n, took);
        CHECK(cpu < 100000000LL, "mode %#x: a 200 ms wait took %lld ns of CPU (a busy loop)", modes[m], cpu);
        CHECK(change(kq, n_fd, EVFILT_READ, EV_ADD | modes[m], 0, (void *)2) == 0, "add on the reused number");
        CHECK(write(b[1], "new!", 4) == 4, "write");
        n = poll_ms(kq, ev, 4, 1000);
        CHECK(n == 1 && ev[0].ident == (uintptr_t)n_fd && ev[0].udata == (void *)2 && ev[0].data == 4,
              "mode %#x: new knote: n %d udata %p data %ld", modes[m], n, ev[0].udata, (long)ev[0].data);
        close(kq);
        close(keep);
        close(n_fd);
        close(a[1]);
        close(b[1]);
    }
}

/* A refused connect: EV_EOF on both knotes, and the error still there for the caller. */
static void t_refused_connect(void) {
    int kq = kqueue(), dead = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    /* bound, never listening: the port is ours and a connect to it is refused */
    CHECK(bind(dead, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(dead, (struct sockaddr *)&a, &len) == 0,
          "bind: %s", strerror(errno));
    CHECK(connect(s, (struct sockaddr *)&a, sizeof a) == -1 && errno == EINPROGRESS, "connect: %s", strerror(errno));
    CHECK(change(kq, s, EVFILT_WRITE, EV_ADD | EV_ONESHOT, 0, NULL) == 0, "add write");
    CHECK(change(kq, s, EVFILT_READ, EV_ADD, 0, NULL) == 0, "add read");
    bool r = false, w = false;
    for (long long end = now_ns() + 5000000000LL; now_ns() < end && !(r && w);) {
        struct kevent ev[4];
        int n = poll_ms(kq, ev, 4, 100);
        for (int i = 0; i < n; i++) {
            CHECK(ev[i].flags & EV_EOF, "filter %d without EV_EOF: flags %#x", ev[i].filter, ev[i].flags);
            CHECK(ev[i].fflags == 0, "fflags %u", ev[i].fflags);
            r |= ev[i].filter == EVFILT_READ;
            w |= ev[i].filter == EVFILT_WRITE;
        }
    }
    CHECK(r && w, "EV_EOF seen for read %d, write %d", r, w);
    int err = 0;
    len = sizeof err;
    CHECK(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED,
          "SO_ERROR after the events: %d, want ECONNREFUSED (%d)", err, ECONNREFUSED);
    close(kq);
    close(s);
    close(dead);
}

/* One socket, a level READ knote and an EV_CLEAR|EV_DISPATCH WRITE knote: each its own. */
static void t_modes_per_filter(void) {
    int kq = kqueue(), s[2];
    struct kevent ev[4];
    char c;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0 && write(s[1], "z", 1) == 1, "socketpair");
    CHECK(change(kq, s[0], EVFILT_READ, EV_ADD, 0, (void *)1) == 0, "add read");
    CHECK(change(kq, s[0], EVFILT_WRITE, EV_ADD | EV_CLEAR | EV_DISPATCH, 0, (void *)2) == 0, "add write");
    int n = poll_ms(kq, ev, 4, 0);
    const struct kevent *r = find(ev, n, s[0], EVFILT_READ), *w = find(ev, n, s[0], EVFILT_WRITE);
    CHECK(n == 2 && r && w && r->udata == (void *)1 && w->udata == (void *)2, "both: n %d", n);
    CHECK(r->flags == 0 && w->flags == (EV_CLEAR | EV_DISPATCH), "flags %#x, %#x", r->flags, w->flags);
    for (int i = 0; i < 3; i++) {
        n = poll_ms(kq, ev, 4, 0);
        CHECK(n == 1 && ev[0].filter == EVFILT_READ, "level read only, write dispatched: n %d", n);
    }
    CHECK(change(kq, s[0], EVFILT_READ, EV_DISABLE, 0, (void *)1) == 0, "disable read");
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "with read disabled and write dispatched");
    CHECK(change(kq, s[0], EVFILT_WRITE, EV_ENABLE, 0, (void *)2) == 0, "enable write");
    n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].filter == EVFILT_WRITE, "write after its enable: n %d", n);
    CHECK(poll_ms(kq, ev, 4, 0) == 0, "write not dispatched again, or read enabled with it");
    CHECK(change(kq, s[0], EVFILT_READ, EV_ENABLE, 0, (void *)1) == 0, "enable read");
    n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].filter == EVFILT_READ, "read after its enable: n %d", n);
    CHECK(read(s[0], &c, 1) == 1 && poll_ms(kq, ev, 4, 0) == 0, "read drained");
    CHECK(change(kq, s[0], EVFILT_WRITE, EV_DELETE, 0, NULL) == 0, "delete write");
    CHECK(write(s[1], "y", 1) == 1, "write");
    n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].filter == EVFILT_READ && ev[0].data == 1, "read after the write's delete: n %d", n);
    close(s[1]);
    n = poll_ms(kq, ev, 4, 0);
    CHECK(n == 1 && ev[0].filter == EVFILT_READ && (ev[0].flags & EV_EOF), "EOF on read alone: n %d", n);
    close(kq);
    close(s[0]);
}

/* Fills the fd table (up to the soft limit) with dups of fd; returns how many it made. */
static int fill_fds(int fd, int *fill, int room) {
    int n = 0;
    while (n < room && (fill[n] = dup(fd)) >= 0) n++;
    return n;
}

static void t_emfile(void) {
    int kq = kqueue(), p[2], fill[256], nfill = 0, e[5], k[2], err[2], fds[2];
    struct rlimit old, low;
    CHECK(pipe(p) == 0, "pipe");
    getrlimit(RLIMIT_NOFILE, &old);
    low = old;
    low.rlim_cur = 64;      /* below the emulator's floor for its own fds: they come from 0 up */
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0, "setrlimit");
    close(kqueue());        /* behind the emulator's back: its private fds are reclaimable */
    nfill = fill_fds(p[1], fill, 256);
    e[0] = change(kq, p[0], EVFILT_READ, EV_ADD, 0, NULL);    /* an fd knote takes no fd */
    e[1] = change(kq, p[1], EVFILT_WRITE, EV_ADD, 0, NULL);
    e[2] = change(kq, 1, EVFILT_USER, EV_ADD, 0, NULL);       /* an eventfd: reclaims the closed kq's */
    nfill += fill_fds(p[1], fill + nfill, 256 - nfill);
    e[3] = change(kq, 2, EVFILT_USER, EV_ADD, 0, NULL);
    errno = 0;
    k[0] = kqueue();
    err[0] = errno;
    close(fill[--nfill]);
    fds[0] = open_fds();
    errno = 0;
    k[1] = kqueue();        /* gets its epoll fd, not the emulator's dup of it */
    err[1] = errno;
    fds[1] = open_fds();
    e[4] = change(kq, 2, EVFILT_USER, EV_ADD, 0, NULL);
    while (nfill) close(fill[--nfill]);
    setrlimit(RLIMIT_NOFILE, &old);
    CHECK(e[0] == 0 && e[1] == 0, "fd knotes with no fd left: %d, %d", e[0], e[1]);
    CHECK(e[2] == 0, "user knote after reclaiming: %d", e[2]);
    CHECK(e[3] == EMFILE, "user knote with no fd left: %d", e[3]);
    CHECK(k[0] == -1 && err[0] == EMFILE, "kqueue with no fd left: %d, errno %d", k[0], err[0]);
    CHECK(k[1] == -1 && err[1] == EMFILE, "kqueue with one fd left: %d, errno %d", k[1], err[1]);
    CHECK(fds[1] == fds[0], "the failed kqueue leaked: %d fds, %d before", fds[1], fds[0]);
    CHECK(e[4] == 0, "user knote with one fd free: %d", e[4]);
    struct kevent ev[4];
    CHECK(write(p[1], "x", 1) == 1 && poll_ms(kq, ev, 4, 0) == 2, "the knotes added at the limit");
    close(kq);
    close(p[0]);
    close(p[1]);
}

static void t_eventfd_timerfd(void) {
    int kq = kqueue(), e = eventfd(0, EFD_CLOEXEC), t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    struct itimerspec its = {.it_value = {0, 10000000}};
    struct kevent ev;
    uint64_t one = 1;
    CHECK(e >= 0 && t >= 0, "eventfd/timerfd");
    CHECK(change(kq, e, EVFILT_READ, EV_ADD, 0, NULL) == 0 && change(kq, t, EVFILT_READ, EV_ADD, 0, NULL) == 0, "add");
    CHECK(poll_ms(kq, &ev, 1, 0) == 0, "ready too early");
    CHECK(write(e, &one, sizeof one) == sizeof one, "eventfd write");
    CHECK(poll_ms(kq, &ev, 1, 0) == 1 && ev.ident == (uintptr_t)e && ev.data == 1, "eventfd: data %ld", (long)ev.data);
    CHECK(change(kq, e, EVFILT_READ, EV_DELETE, 0, NULL) == 0, "delete");
    CHECK(timerfd_settime(t, 0, &its, NULL) == 0, "settime");
    struct kevent got;
    CHECK(wait_for(kq, t, EVFILT_READ, 0, &got), "timerfd never fired");
    close(kq);
    close(e);
    close(t);
}

static _Atomic int stop;

static void *trigger_loop(void *p) {
    struct kevent c;
    EV_SET(&c, 1, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
    for (int i = 0; i < 2000; i++)
        if (kevent(*(int *)p, &c, 1, NULL, 0, NULL) != 0) perror("trigger"), abort();
    return NULL;
}

static void *churn_loop(void *p) {
    int kq = *(int *)p, s[2];
    while (!stop) {
        if (pipe(s) != 0) abort();
        if (change(kq, s[1], EVFILT_WRITE, EV_ADD, 0, NULL) != 0) abort();
        if (change(kq, s[0], EVFILT_READ, EV_ADD | EV_ONESHOT, 0, NULL) != 0) abort();
        close(s[0]);    /* half the time its knote goes away by close, half by delete */
        if (rand() & 1 && change(kq, s[1], EVFILT_WRITE, EV_DELETE, 0, NULL) != 0) abort();
        close(s[1]);
    }
    return NULL;
}

static void t_threads(void) {
    int kq = kqueue(), events = 0, bad = 0;
    pthread_t th[5];
    struct kevent ev[16];
    CHECK(change(kq, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, NULL) == 0, "add");
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, trigger_loop, &kq);
    pthread_create(&th[4], NULL, churn_loop, &kq);
    for (long long end = now_ns() + 300000000LL; now_ns() < end;) {
        int n = poll_ms(kq, ev, 16, 10);
        for (int i = 0; i < n; i++) events += ev[i].filter == EVFILT_USER, bad += ev[i].filter == EVFILT_READ;
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    stop = 1;
    pthread_join(th[4], NULL);
    int drain = 0;
    while (drain < 1000 && poll_ms(kq, ev, 16, 0) > 0) drain++;
    CHECK(drain < 1000, "events keep coming for pipes all closed");
    CHECK(events > 0, "no trigger seen");
    CHECK(bad == 0, "%d read events for pipes closed before any write", bad);
    pthread_t late;
    struct trigger_arg t = {kq, 1, 0, 20};
    pthread_create(&late, NULL, trigger_later, &t);
    int n = poll_ms(kq, ev, 16, 5000);
    pthread_join(late, NULL);
    CHECK(n == 1 && ev[0].ident == 1, "last trigger: n %d", n);
    close(kq);
}

static void t_close_collects(void) {
    int p[3][2];
    kqueue_emu_collect();
    int before = open_fds(), kq = kqueue();
    for (int i = 0; i < 3; i++) {
        if (pipe(p[i]) != 0) abort();
        CHECK(change(kq, p[i][0], EVFILT_READ, EV_ADD, 0, NULL) == 0 &&
              change(kq, p[i][1], EVFILT_WRITE, EV_ADD, 0, NULL) == 0, "add");
    }
    /* the pipes, the kq and the emulator's dup of it and 3 child sets: knotes hold no fd */
    CHECK(open_fds() == before + 6 + 1 + 4, "fds with a kq and 6 knotes: %d, before %d", open_fds(), before);
    for (int i = 0; i < 3; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    close(kq);
    CHECK(kqueue_emu_collect() == 1, "collect found no closed kq");
    CHECK(open_fds() == before, "fds after close and collect: %d, before %d", open_fds(), before);
    kq = kqueue();
    close(kq);
    int kq2 = kqueue();     /* collects kq */
    CHECK(open_fds() == before + 1 + 4, "fds with one kq: %d, before %d", open_fds(), before);
    close(kq2);
    kqueue_emu_collect();
}

/*
 * For --no-kcmp: from here on kcmp(2) fails with EPERM in this process, as under Docker's
 * default seccomp profile without CAP_SYS_PTRACE, so the emulator takes its fallbacks.
 */
static bool deny_kcmp(void) {
#if defined(__x86_64__)
    const uint32_t arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    const uint32_t arch = AUDIT_ARCH_AARCH64;
#else
    const uint32_t arch = 0;    /* unknown here: refused below */
#endif
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_kcmp, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    return arch && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 &&
           syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0) == -1 && errno == EPERM;
}

int main(int argc, char **argv) {
    static const struct { const char *name; void (*run)(void); } tests[] = {
        {"layout", t_layout}, {"kqueue_fd", t_kqueue_fd}, {"receipts", t_receipts},
        {"errors_without_receipt", t_errors_without_receipt}, {"level", t_level}, {"clear", t_clear},
        {"dispatch", t_dispatch}, {"oneshot", t_oneshot}, {"disable_enable_udata", t_disable_enable_udata},
        {"read_and_write", t_read_and_write}, {"eof", t_eof}, {"tcp", t_tcp}, {"user", t_user},
        {"timeouts", t_timeouts}, {"eintr", t_eintr}, {"small_eventlist", t_small_eventlist},
        {"fd_reuse", t_fd_reuse}, {"fd_reuse_then_change", t_fd_reuse_then_change},
        {"fd_closed_but_alive", t_fd_closed_but_alive}, {"close_registered", t_close_registered},
        {"close_kq_then_sockets", t_close_kq_then_sockets}, {"reuse_old_file_alive", t_reuse_old_file_alive},
        {"refused_connect", t_refused_connect}, {"modes_per_filter", t_modes_per_filter}, {"emfile", t_emfile},
        {"eventfd_timerfd", t_eventfd_timerfd}, {"threads", t_threads}, {"close_collects", t_close_collects},
    };
    bool no_kcmp = argc == 2 && strcmp(argv[1], "--no-kcmp") == 0;
    if (argc > 1 && !no_kcmp) {
        fprintf(stderr, "usage: %s [--no-kcmp]\n", argv[0]);
        return 2;
    }
    if (no_kcmp && !deny_kcmp()) {
        fprintf(stderr, "--no-kcmp: cannot make kcmp fail: %s\n", strerror(errno));
        return 2;
    }
    int failures = 0;
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        failed = false;
        tests[i].run();
        printf("%s %s\n", failed ? "FAIL" : "ok  ", tests[i].name);
        fflush(stdout);
        failures += failed;
    }
#ifdef KQEMU_FREEBSD
    const char *abi = "FreeBSD";
#else
    const char *abi = "macOS";
#endif
    printf("%s ABI%s: %d of %zu failed\n", abi, no_kcmp ? ", kcmp refused" : "", failures, sizeof tests / sizeof tests[0]);
    return failures ? 1 : 0;
}
