/*
 * dispatch.c - C baseline for epoll dispatch throughput.
 *
 * F eventfds are registered (EPOLLIN, level-triggered) in one epoll instance.
 * Each cycle makes K of them ready (write 1), then epoll_wait()s and reads
 * every reported fd to clear it (the "handler"), until all K are dispatched.
 * The ready set rotates over all F fds so every registration gets used.
 *
 * ns_per_event       = time in epoll_wait + reads, per dispatched event
 *                      (the writes that make fds ready are excluded)
 * total_ns_per_event = whole cycle including the K writes, per event
 * Each is the median over --rounds rounds of --events events (after one
 * warm-up round).
 *
 * Build: make -C native/bench   (gcc -std=c11 -O2 -pthread -Wall -Wextra)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define PROG "dispatch"
#include "bench.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: dispatch [--fds F (1000)] [--ready K (16)] [--events N (200000)]\n"
               "                [--rounds R (5)] [--json]\n");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int *fds;
static size_t nfds, nready;
static struct epoll_event *events;
static size_t maxevents;
static size_t cursor;          /* rotates the ready set */
static uint64_t handled_sum;   /* sink so the handler work is not elided */

/* One round: dispatch at least n_events events. Returns dispatch-only ns and
 * total ns through the out-params; returns number of events dispatched. */
static uint64_t run_round(uint64_t n_events, uint64_t *dispatch_ns, uint64_t *total_ns)
{
    const size_t stride = nfds / nready; /* >= 1; K distinct fds spread over F */
    uint64_t done = 0, disp = 0;
    uint64_t t_start = now_ns();
    while (done < n_events) {
        for (size_t j = 0; j < nready; j++) {
            size_t idx = (cursor + j * stride) % nfds;
            uint64_t one = 1;
            ssize_t w = write(fds[idx], &one, sizeof one);
            if (w != (ssize_t)sizeof one) {
                if (w < 0)
                    die("write(eventfd)");
                fail("short write on eventfd");
            }
        }
        cursor = (cursor + 1) % nfds;

        uint64_t t0 = now_ns();
        size_t got = 0;
        while (got < nready) {
            int n = epoll_wait(fds[nfds], events, (int)maxevents, -1);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                die("epoll_wait");
            }
            for (int i = 0; i < n; i++) {
                uint32_t idx = events[i].data.u32;
                uint64_t v;
                ssize_t r = read(fds[idx], &v, sizeof v);
                if (r != (ssize_t)sizeof v) {
                    if (r < 0)
                        die("read(eventfd)");
                    fail("short read on eventfd");
                }
                handled_sum += v + idx;
            }
            got += (size_t)n;
        }
        disp += now_ns() - t0;
        if (got != nready)
            fail("dispatched more events than made ready");
        done += got;
    }
    *total_ns = now_ns() - t_start;
    *dispatch_ns = disp;
    return done;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "fds", required_argument, NULL, 'f' },
        { "ready", required_argument, NULL, 'k' },
        { "events", required_argument, NULL, 'n' },
        { "rounds", required_argument, NULL, 'r' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t F = 1000, K = 16, N = 200000, R = 5;
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': F = parse_u64("fds", optarg); break;
        case 'k': K = parse_u64("ready", optarg); break;
        case 'n': N = parse_u64("events", optarg); break;
        case 'r': R = parse_u64("rounds", optarg); break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc) { usage(stderr); return 1; }
    if (F < 1 || K < 1 || K > F)
        fail("need 1 <= --ready <= --fds");
    if (N < 1 || R < 1 || R > 1000)
        fail("need --events >= 1 and 1 <= --rounds <= 1000");

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit(RLIMIT_NOFILE)");
    const uint64_t base = count_open_fds() + 1; /* + the epoll fd */
    const uint64_t need = F + base;
    if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
        if (rl.rlim_max != RLIM_INFINITY && need > rl.rlim_max) {
            fprintf(stderr, "dispatch: --fds %" PRIu64 " needs %" PRIu64
                    " open fds, but RLIMIT_NOFILE is %llu (hard %llu); use --fds <= %llu\n",
                    F, need, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
                    (unsigned long long)(rl.rlim_max > base ? rl.rlim_max - base : 0));
            return 1;
        }
        rl.rlim_cur = need;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            die("setrlimit(RLIMIT_NOFILE)");
    }

    nfds = (size_t)F;
    nready = (size_t)K;
    maxevents = nready < 64 ? 64 : nready;
    fds = malloc((nfds + 1) * sizeof *fds);            /* fds[nfds] = epoll fd */
    events = malloc(maxevents * sizeof *events);
    double *dres = malloc(R * sizeof *dres), *tres = malloc(R * sizeof *tres);
    if (!fds || !events || !dres || !tres)
        die("malloc");

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    fds[nfds] = ep;
    for (size_t i = 0; i < nfds; i++) {
        fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fds[i] < 0)
            die("eventfd");
        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN; /* level-triggered */
        ev.data.u32 = (uint32_t)i;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
            die("epoll_ctl(ADD)");
    }

    uint64_t dns, tns, done;
    run_round(N, &dns, &tns); /* warm-up */
    for (uint64_t r = 0; r < R; r++) {
        done = run_round(N, &dns, &tns);
        dres[r] = (double)dns / (double)done;
        tres[r] = (double)tns / (double)done;
    }
    qsort(dres, R, sizeof *dres, cmp_double);
    qsort(tres, R, sizeof *tres, cmp_double);
    double dmed = R % 2 ? dres[R / 2] : (dres[R / 2 - 1] + dres[R / 2]) / 2;
    double tmed = R % 2 ? tres[R / 2] : (tres[R / 2 - 1] + tres[R / 2]) / 2;

    if (json)
        printf("{\"impl\":\"c\",\"case\":\"dispatch\",\"fds\":%" PRIu64 ",\"ready\":%" PRIu64
               ",\"ns_per_event\":%.2f,\"total_ns_per_event\":%.2f}\n", F, K, dmed, tmed);
    else
        printf("c dispatch fds=%" PRIu64 " ready=%" PRIu64 " events/round=%" PRIu64
               " rounds=%" PRIu64 " ns_per_event=%.2f (median; incl. making ready: %.2f)\n",
               F, K, N, R, dmed, tmed);
    if (fflush(stdout) != 0)
        die("fflush(stdout)");
    if (handled_sum == 0)
        fail("no events handled");

    for (size_t i = 0; i <= nfds; i++)
        if (close(fds[i]) < 0)
            die("close");
    free(fds);
    free(events);
    free(dres);
    free(tres);
    return 0;
}
