/*
 * syscall.c - C baseline for the cost of one system call: read(2) on an empty non-blocking
 * eventfd (it fails at once with EAGAIN), in a tight loop. The Java side (SyscallBenchmark)
 * makes the same call through each FFI backend; the difference is the binding's own cost.
 *
 * Flags: [--calls N (2000000)] [--rounds R (5)] [--json]. Prints the median ns per call.
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
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define PROG "syscall"
#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "calls", required_argument, NULL, 'n' },
        { "rounds", required_argument, NULL, 'r' },
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    long calls = 2000000, rounds = 5;
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': calls = atol(optarg); break;
        case 'r': rounds = atol(optarg); break;
        case 'j': json = 1; break;
        default:
            fprintf(stderr, "usage: syscall [--calls N] [--rounds R] [--json]\n");
            return 1;
        }
    }
    if (calls < 1 || rounds < 1 || rounds > 1000) {
        fprintf(stderr, "syscall: need --calls >= 1 and 1 <= --rounds <= 1000\n");
        return 1;
    }
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        die("eventfd");
    double *res = malloc((size_t)rounds * sizeof *res);
    if (!res)
        die("malloc");
    uint64_t v;
    for (long r = -1; r < rounds; r++) {       /* round -1 warms up */
        uint64_t t0 = now_ns();
        for (long i = 0; i < calls; i++) {
            if (read(fd, &v, sizeof v) != -1 || errno != EAGAIN)
                die("read(empty eventfd) did not fail with EAGAIN");
        }
        if (r >= 0)
            res[r] = (double)(now_ns() - t0) / (double)calls;
    }
    qsort(res, (size_t)rounds, sizeof *res, cmp_double);
    double med = rounds % 2 ? res[rounds / 2] : (res[rounds / 2 - 1] + res[rounds / 2]) / 2;
    if (json)
        printf("{\"impl\":\"c\",\"case\":\"syscall\",\"call\":\"read(empty eventfd)\",\"ns_per_call\":%.2f}\n", med);
    else
        printf("c read(empty eventfd): %.2f ns per call (median of %ld rounds of %ld)\n", med, rounds, calls);
    if (close(fd) < 0)
        die("close");
    free(res);
    return 0;
}
