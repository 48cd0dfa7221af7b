/*
 * pingpong.c - C baseline for event-loop round-trip latency.
 *
 * Two threads, each with its own level-triggered epoll instance, bounce a
 * message of --size bytes back and forth over one transport. Thread A (pinger)
 * timestamps send -> full reply received with CLOCK_MONOTONIC; thread B
 * (ponger) echoes. Both follow the same pattern a Java event loop will:
 * wait (epoll_wait) -> read until full message or EAGAIN -> write reply.
 *
 * Build: make -C native/bench   (gcc -std=c11 -O2 -pthread -Wall -Wextra)
 * Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "pingpong"
#include "bench.h"

#define MAX_EVENTS 64
#define MAX_SIZE (64u * 1024u * 1024u)
#define TAG_ACTIVE UINT64_MAX /* epoll data for the transport fd */

enum transport { T_EVENTFD, T_PIPE, T_UNIX, T_TCP };
enum mode { M_BLOCK, M_SPIN };

static const char *transport_names[] = { "eventfd", "pipe", "unix", "tcp" };
static const char *mode_names[] = { "block", "spin" };

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
    __builtin_ia32_pause();
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* One side of the ping-pong. */
struct side {
    const char *name;
    int ep;          /* own epoll instance */
    int rfd;         /* receive fd (registered EPOLLIN, level-triggered) */
    int wfd;         /* send fd (== rfd for unix/tcp, == peer's rfd for eventfd) */
    int own_wfd;     /* 1 if wfd must be closed by this side (pipe write end) */
    int *idle;       /* idle fds registered in ep, never written */
    size_t nidle;
    unsigned char *buf;
};

static struct {
    enum transport transport;
    enum mode mode;
    size_t size;
    uint64_t warmup;
    uint64_t iterations;
    uint64_t idle_fds;
    int json;
    uint64_t *samples;
    pthread_barrier_t start;
} cfg;

/* Write the whole message. Sizes above the kernel buffer can hit EAGAIN on a
 * non-blocking fd; the peer is then draining, so wait for POLLOUT (spin: retry). */
static void send_msg(struct side *s)
{
    if (cfg.transport == T_EVENTFD) {
        uint64_t one = 1;
        ssize_t n = write(s->wfd, &one, sizeof one);
        if (n != (ssize_t)sizeof one) {
            if (n < 0)
                die("write(eventfd)");
            fail("short write on eventfd");
        }
        return;
    }
    size_t off = 0;
    while (off < cfg.size) {
        ssize_t n = write(s->wfd, s->buf + off, cfg.size - off);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (cfg.mode == M_SPIN) {
                cpu_relax();
            } else {
                struct pollfd p = { .fd = s->wfd, .events = POLLOUT, .revents = 0 };
                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                    die("poll");
            }
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            die("write");
        }
    }
}

/* Event-loop receive: epoll_wait, then for the ready transport fd read until
 * the full message has arrived or EAGAIN (then wait again). */
static void recv_msg(struct side *s)
{
    struct epoll_event ev[MAX_EVENTS];
    const int timeout = cfg.mode == M_SPIN ? 0 : -1;
    size_t got = 0;

    for (;;) {
        int n = epoll_wait(s->ep, ev, MAX_EVENTS, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        if (n == 0) {
            cpu_relax();
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u64 != TAG_ACTIVE)
                fail("idle fd reported ready (should never happen)");
            if (ev[i].events & (EPOLLERR | EPOLLHUP) && !(ev[i].events & EPOLLIN))
                fail("peer closed / error on transport fd");
            for (;;) {
                ssize_t r = read(s->rfd, s->buf + got, cfg.size - got);
                if (r > 0) {
                    got += (size_t)r;
                    if (got == cfg.size)
                        return;
                } else if (r == 0) {
                    fail("unexpected EOF on transport fd");
                } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    break; /* partial message: wait again */
                } else if (errno != EINTR) {
                    die("read");
                }
            }
        }
    }
}

static void *pinger(void *arg)
{
    struct side *s = arg;
    const uint64_t total = cfg.warmup + cfg.iterations;
    int rc = pthread_barrier_wait(&cfg.start);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
        errno = rc;
        die("pthread_barrier_wait");
    }
    for (uint64_t i = 0; i < total; i++) {
        uint64_t t0 = now_ns();
        send_msg(s);
        recv_msg(s);
        uint64_t t1 = now_ns();
        if (i >= cfg.warmup)
            cfg.samples[i - cfg.warmup] = t1 - t0;
    }
    return NULL;
}

static void *ponger(void *arg)
{
    struct side *s = arg;
    const uint64_t total = cfg.warmup + cfg.iterations;
    int rc = pthread_barrier_wait(&cfg.start);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
        errno = rc;
        die("pthread_barrier_wait");
    }
    for (uint64_t i = 0; i < total; i++) {
        recv_msg(s);
        send_msg(s);
    }
    return NULL;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        die("fcntl(F_GETFL)");
    if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        die("fcntl(F_SETFL)");
}

static void set_nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        die("setsockopt(TCP_NODELAY)");
}

static void make_tcp_pair(int fds[2])
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(0);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("bind");
    if (listen(lfd, 1) < 0)
        die("listen");
    socklen_t alen = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
        die("getsockname");

    int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (cfd < 0)
        die("socket");
    if (connect(cfd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("connect");
    int afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (afd < 0)
        die("accept4");
    if (close(lfd) < 0)
        die("close(listen)");
    set_nonblock(cfd);
    set_nodelay(cfd);
    set_nodelay(afd);
    fds[0] = cfd; /* pinger */
    fds[1] = afd; /* ponger */
}

static void epoll_add(int ep, int fd, uint64_t tag)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN; /* level-triggered */
    ev.data.u64 = tag;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        die("epoll_ctl(ADD)");
}

static void add_idle(struct side *s, size_t n)
{
    s->nidle = n;
    if (n == 0)
        return;
    s->idle = malloc(n * sizeof *s->idle);
    if (!s->idle)
        die("malloc");
    for (size_t i = 0; i < n; i++) {
        int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0)
            die("eventfd(idle)");
        s->idle[i] = fd;
        epoll_add(s->ep, fd, (uint64_t)i);
    }
}

static void close_side(struct side *s)
{
    for (size_t i = 0; i < s->nidle; i++)
        if (close(s->idle[i]) < 0)
            die("close(idle)");
    free(s->idle);
    if (s->own_wfd && close(s->wfd) < 0)
        die("close(wfd)");
    if (close(s->rfd) < 0)
        die("close(rfd)");
    if (close(s->ep) < 0)
        die("close(epoll)");
    free(s->buf);
}

/* fds this program opens besides idle ones: 2 epoll + transport fds
 * (eventfd 2, pipe 4, unix 2, tcp 2; the TCP listen socket is closed before
 * any idle fd is opened). */
static const uint64_t transport_fds[] = { 2, 4, 2, 2 };

/* Fail clearly if --idle-fds would exceed RLIMIT_NOFILE (here 20000);
 * raise the soft limit up to the hard limit if that is enough. */
static void check_fd_budget(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit(RLIMIT_NOFILE)");
    const uint64_t base = count_open_fds() + 2 + transport_fds[cfg.transport];
    const uint64_t need = cfg.idle_fds + base;
    if (rl.rlim_cur == RLIM_INFINITY || need <= rl.rlim_cur)
        return;
    if (rl.rlim_max != RLIM_INFINITY && need > rl.rlim_max) {
        fprintf(stderr,
                "pingpong: --idle-fds %" PRIu64 " needs %" PRIu64
                " open fds, but RLIMIT_NOFILE is %llu (hard %llu); "
                "use --idle-fds <= %llu\n",
                cfg.idle_fds, need, (unsigned long long)rl.rlim_cur,
                (unsigned long long)rl.rlim_max,
                (unsigned long long)(rl.rlim_max > base ? rl.rlim_max - base : 0));
        exit(1);
    }
    rl.rlim_cur = need; /* raise soft limit up to what we need (<= hard) */
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit(RLIMIT_NOFILE)");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile on sorted data */
static uint64_t pct(const uint64_t *v, uint64_t n, double p)
{
    uint64_t rank = (uint64_t)(p * (double)n + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pingpong --transport eventfd|pipe|unix|tcp --mode block|spin\n"
            "                [--size BYTES (8)] [--warmup N (20000)]\n"
            "                [--iterations N (200000)] [--idle-fds N (0)] [--json]\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "transport", required_argument, NULL, 't' },
        { "mode", required_argument, NULL, 'm' },
        { "size", required_argument, NULL, 's' },
        { "warmup", required_argument, NULL, 'w' },
        { "iterations", required_argument, NULL, 'n' },
        { "idle-fds", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int have_t = 0, have_m = 0, size_given = 0;
    cfg.size = 8;
    cfg.warmup = 20000;
    cfg.iterations = 200000;

    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            have_t = 1;
            if (!strcmp(optarg, "eventfd")) cfg.transport = T_EVENTFD;
            else if (!strcmp(optarg, "pipe")) cfg.transport = T_PIPE;
            else if (!strcmp(optarg, "unix")) cfg.transport = T_UNIX;
            else if (!strcmp(optarg, "tcp")) cfg.transport = T_TCP;
            else { fprintf(stderr, "pingpong: unknown transport '%s'\n", optarg); exit(1); }
            break;
        case 'm':
            have_m = 1;
            if (!strcmp(optarg, "block")) cfg.mode = M_BLOCK;
            else if (!strcmp(optarg, "spin")) cfg.mode = M_SPIN;
            else { fprintf(stderr, "pingpong: unknown mode '%s'\n", optarg); exit(1); }
            break;
        case 's': cfg.size = (size_t)parse_u64("size", optarg); size_given = 1; break;
        case 'w': cfg.warmup = parse_u64("warmup", optarg); break;
        case 'n': cfg.iterations = parse_u64("iterations", optarg); break;
        case 'i': cfg.idle_fds = parse_u64("idle-fds", optarg); break;
        case 'j': cfg.json = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc || !have_t || !have_m) {
        usage(stderr);
        return 1;
    }
    if (cfg.transport == T_EVENTFD) {
        if (size_given && cfg.size != 8)
            fprintf(stderr, "pingpong: eventfd messages are always 8 bytes; ignoring --size %zu\n", cfg.size);
        cfg.size = 8;
    }
    if (cfg.size < 1 || cfg.size > MAX_SIZE)
        fail("--size must be between 1 and 67108864");
    if (cfg.iterations < 1)
        fail("--iterations must be >= 1");
    if (cfg.iterations > (uint64_t)1 << 32)
        fail("--iterations too large");
    if (cfg.warmup > UINT64_MAX - cfg.iterations)
        fail("--warmup too large");
    check_fd_budget();

    cfg.samples = malloc(cfg.iterations * sizeof *cfg.samples);
    if (!cfg.samples)
        die("malloc(samples)");
    /* touch the array so page faults don't land in the measurement */
    memset(cfg.samples, 0, cfg.iterations * sizeof *cfg.samples);

    struct side a = { .name = "pinger" }, b = { .name = "ponger" };
    switch (cfg.transport) {
    case T_EVENTFD: {
        int ab = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (ab < 0) die("eventfd");
        int ba = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (ba < 0) die("eventfd");
        a.wfd = ab; b.rfd = ab;
        b.wfd = ba; a.rfd = ba;
        break;
    }
    case T_PIPE: {
        int ab[2], ba[2];
        if (pipe2(ab, O_NONBLOCK | O_CLOEXEC) < 0) die("pipe2");
        if (pipe2(ba, O_NONBLOCK | O_CLOEXEC) < 0) die("pipe2");
        a.wfd = ab[1]; b.rfd = ab[0];
        b.wfd = ba[1]; a.rfd = ba[0];
        a.own_wfd = b.own_wfd = 1;
        break;
    }
    case T_UNIX: {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            die("socketpair");
        a.rfd = a.wfd = sv[0];
        b.rfd = b.wfd = sv[1];
        break;
    }
    case T_TCP: {
        int sv[2];
        make_tcp_pair(sv);
        a.rfd = a.wfd = sv[0];
        b.rfd = b.wfd = sv[1];
        break;
    }
    }

    struct side *sides[2] = { &a, &b };
    for (int k = 0; k < 2; k++) {
        struct side *s = sides[k];
        s->ep = epoll_create1(EPOLL_CLOEXEC);
        if (s->ep < 0)
            die("epoll_create1");
        epoll_add(s->ep, s->rfd, TAG_ACTIVE);
        s->buf = malloc(cfg.size);
        if (!s->buf)
            die("malloc(buf)");
        memset(s->buf, 0x5a, cfg.size);
    }
    /* N idle fds in total: half in the ponger's epoll, the rest in the pinger's */
    add_idle(&b, (size_t)(cfg.idle_fds / 2));
    add_idle(&a, (size_t)(cfg.idle_fds - cfg.idle_fds / 2));

    int rc = pthread_barrier_init(&cfg.start, NULL, 2);
    if (rc != 0) { errno = rc; die("pthread_barrier_init"); }
    pthread_t ta, tb;
    if ((rc = pthread_create(&tb, NULL, ponger, &b)) != 0) { errno = rc; die("pthread_create"); }
    if ((rc = pthread_create(&ta, NULL, pinger, &a)) != 0) { errno = rc; die("pthread_create"); }
    if ((rc = pthread_join(ta, NULL)) != 0) { errno = rc; die("pthread_join"); }
    if ((rc = pthread_join(tb, NULL)) != 0) { errno = rc; die("pthread_join"); }
    if ((rc = pthread_barrier_destroy(&cfg.start)) != 0) { errno = rc; die("pthread_barrier_destroy"); }

    const uint64_t n = cfg.iterations;
    double sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += (double)cfg.samples[i];
    qsort(cfg.samples, n, sizeof *cfg.samples, cmp_u64);
    uint64_t p50 = pct(cfg.samples, n, 0.50), p90 = pct(cfg.samples, n, 0.90),
             p99 = pct(cfg.samples, n, 0.99), p999 = pct(cfg.samples, n, 0.999),
             mx = cfg.samples[n - 1];
    double mean = sum / (double)n;

    const char *tn = transport_names[cfg.transport], *mn = mode_names[cfg.mode];
    if (cfg.json) {
        printf("{\"impl\":\"c\",\"transport\":\"%s\",\"mode\":\"%s\",\"size\":%zu,"
               "\"idleFds\":%" PRIu64 ",\"count\":%" PRIu64 ",\"p50_ns\":%" PRIu64
               ",\"p90_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"p999_ns\":%" PRIu64
               ",\"max_ns\":%" PRIu64 ",\"mean_ns\":%.1f}\n",
               tn, mn, cfg.size, cfg.idle_fds, n, p50, p90, p99, p999, mx, mean);
    } else {
        printf("c pingpong transport=%s mode=%s size=%zu idleFds=%" PRIu64 " count=%" PRIu64
               " rtt_ns: p50=%" PRIu64 " p90=%" PRIu64 " p99=%" PRIu64 " p99.9=%" PRIu64
               " max=%" PRIu64 " mean=%.1f\n",
               tn, mn, cfg.size, cfg.idle_fds, n, p50, p90, p99, p999, mx, mean);
    }
    if (fflush(stdout) != 0)
        die("fflush(stdout)");

    close_side(&a);
    close_side(&b);
    free(cfg.samples);
    return 0;
}
