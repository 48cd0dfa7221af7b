/* Helpers shared by the C baselines: errors, the clock, flags, the fd count.
 * Each program defines PROG (its name, for messages) before including this. */
#ifndef REACTOR_BENCH_H
#define REACTOR_BENCH_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A failed call: "call: strerror(errno)", exit 1. */
static void die(const char *call)
{
    fprintf(stderr, "%s: %s\n", call, strerror(errno));
    exit(1);
}

/* A usage or limit error: "PROG: msg", exit 1. */
static inline void fail(const char *msg)
{
    fprintf(stderr, "%s: %s\n", PROG, msg);
    exit(1);
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die("clock_gettime");
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A non-negative decimal flag value, or exit with a message naming --opt. */
static inline uint64_t parse_u64(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '-' || errno != 0 || end == s || *end != '\0') {
        fprintf(stderr, "%s: invalid value for --%s: '%s'\n", PROG, opt, s);
        exit(1);
    }
    return (uint64_t)v;
}

/* Number of fds open right now (inherited ones included), via /proc/self/fd. */
static inline uint64_t count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        die("opendir(/proc/self/fd)");
    uint64_t n = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    if (errno != 0)
        die("readdir(/proc/self/fd)");
    if (closedir(d) < 0)
        die("closedir");
    return n > 0 ? n - 1 : 0; /* minus the directory stream's own fd */
}

#endif
