/*
 * timer.c - C baseline for timer lateness on an epoll loop.
 *
 * The loop waits in epoll_pwait2 (nanosecond timeout, kernel >= 5.11) with nothing else
 * registered, as a Java Reactor with one pending timer does: schedule a deadline of now +
 * --delay-us, wait until it has passed, record (wake-up time - deadline), repeat. The result
 * is the kernel's own lateness (hrtimer slack, 50 us by default for normal threads, plus the
 * wake-up), the floor for any event loop's timers on this machine.
 *
 * Flags: [--delay-us N (1000)] [--warmup N (200)] [--iterations N (2000)] [--json]
 * Build: make -C native/bench
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PROG "timer"
#include "bench.h"

/* glibc 2.35+ has epoll_pwait2; the raw syscall keeps older headers building. */
static int pwait2(int ep, struct epoll_event *ev, int n, const struct timespec *ts)
{
    return (int)syscall(SYS_epoll_pwait2, ep, ev, n, ts, NULL, (size_t)0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t pct(const uint64_t *v, uint64_t n, double p)
{
    uint64_t rank = (uint64_t)(p * (double)n + 0.999999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return v[rank - 1];
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "delay-us", required_argument, NULL, 'd' },
        { "warmup", required_argument, NULL, 'w' },
        { "iterations", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t delay_us = 1000, warmup = 200, iterations = 2000;
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': delay_us = parse_u64("delay-us", optarg); break;
        case 'w': warmup = parse_u64("warmup", optarg); break;
        case 'n': iterations = parse_u64("iterations", optarg); break;
        case 'j': json = 1; break;
        default:
            fprintf(stderr, "usage: timer [--delay-us N] [--warmup N] [--iterations N] [--json]\n");
            return 1;
        }
    }
    if (iterations < 1 || iterations > 100000000u) {
        fprintf(stderr, "timer: --iterations must be between 1 and 100000000\n");
        return 1;
    }
    uint64_t *samples = calloc(iterations, sizeof *samples);
    if (!samples)
        die("calloc");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    struct epoll_event ev[8];
    const uint64_t delay = delay_us * 1000u;
    for (uint64_t i = 0; i < warmup + iterations; i++) {
        uint64_t due = now_ns() + delay, t;
        while ((t = now_ns()) < due) {
            uint64_t left = due - t;
            struct timespec ts = { .tv_sec = (time_t)(left / 1000000000u), .tv_nsec = (long)(left % 1000000000u) };
            if (pwait2(ep, ev, 8, &ts) < 0 && errno != EINTR)
                die("epoll_pwait2");
        }
        if (i >= warmup)
            samples[i - warmup] = t - due;
    }
    double sum = 0;
    for (uint64_t i = 0; i < iterations; i++)
        sum += (double)samples[i];
    qsort(samples, iterations, sizeof *samples, cmp_u64);
    const uint64_t n = iterations;
    if (json)
        printf("{\"impl\":\"c\",\"transport\":\"timer-%" PRIu64 "us\",\"mode\":\"block\",\"size\":0,\"idleFds\":0,"
               "\"count\":%" PRIu64 ",\"p50_ns\":%" PRIu64 ",\"p90_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64
               ",\"p999_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 ",\"mean_ns\":%.1f,\"case\":\"timer-lateness\"}\n",
               delay_us, n, pct(samples, n, 0.5), pct(samples, n, 0.9), pct(samples, n, 0.99),
               pct(samples, n, 0.999), samples[n - 1], sum / (double)n);
    else
        printf("c timer delay=%" PRIu64 "us count=%" PRIu64 " lateness_ns: p50=%" PRIu64 " p90=%" PRIu64
               " p99=%" PRIu64 " p99.9=%" PRIu64 " max=%" PRIu64 "\n", delay_us, n, pct(samples, n, 0.5),
               pct(samples, n, 0.9), pct(samples, n, 0.99), pct(samples, n, 0.999), samples[n - 1]);
    if (close(ep) < 0)
        die("close");
    free(samples);
    return 0;
}
