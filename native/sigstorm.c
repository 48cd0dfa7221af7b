/*
 * libsigstorm.so: real signals at one thread, for SignalStormTest (loaded with jnr-ffi, so it
 * serves every backend and JDK). A handler that only counts, installed without SA_RESTART, so
 * that a signal arriving while the target thread is in a blocking system call makes the call
 * fail with EINTR (man 7 signal, "Interruption of system calls and library functions by signal
 * handlers"); and a thread that tgkill(2)s the target thread at a steady rate until stopped.
 *
 * Every function returns 0 or -errno unless it says otherwise. One storm at a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Lock-free on every Linux target we build for, so safe to touch in a signal handler. */
static atomic_long handled;
static atomic_long sent;
static atomic_int tgkill_errno;
static atomic_int running;

static struct sigaction previous;
static int installed_sig;

static pthread_t storm;
static int storm_started;
static int storm_tid;
static int storm_sig;
static long storm_interval_ns;

static void on_signal(int sig) {
    (void) sig;
    int saved = errno;          /* nothing here sets it; kept anyway, as handlers must */
    atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);
    errno = saved;
}

/* The counting handler for sig, without SA_RESTART; the previous action is kept for uninstall. */
int sigstorm_install(int sig) {
    if (installed_sig != 0) return -EBUSY;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    if (sigaction(sig, &sa, &previous) != 0) return -errno;
    installed_sig = sig;
    return 0;
}

/* Puts back the action sigstorm_install replaced (nothing to do when none is installed). */
int sigstorm_uninstall(void) {
    if (installed_sig == 0) return 0;
    if (sigaction(installed_sig, &previous, NULL) != 0) return -errno;
    installed_sig = 0;
    return 0;
}

/* SIGURG's number here: ignored by default, and the JVM does not use it (Go preempts with it for that reason). */
int sigstorm_sigurg(void) {
    return SIGURG;
}

/* Signals the handler has run for, since the library was loaded. */
long sigstorm_handled(void) {
    return atomic_load(&handled);
}

/* The calling thread's kernel id, the one tgkill takes. */
int sigstorm_gettid(void) {
    return (int) syscall(SYS_gettid);
}

static void add_ns(struct timespec *t, long ns) {
    t->tv_nsec += ns;
    while (t->tv_nsec >= 1000000000L) {
        t->tv_nsec -= 1000000000L;
        t->tv_sec++;
    }
}

static int before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *storm_main(void *unused) {
    (void) unused;
    /* The default 50 us slack would cap the rate well below what was asked for. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    pid_t pid = getpid();
    struct timespec next, now;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (atomic_load(&running)) {
        if (syscall(SYS_tgkill, pid, storm_tid, storm_sig) != 0) {
            atomic_store(&tgkill_errno, errno);     /* ESRCH: the thread is gone; stop */
            break;
        }
        atomic_fetch_add(&sent, 1);
        add_ns(&next, storm_interval_ns);
        clock_gettime(CLOCK_MONOTONIC, &now);
        /* Late (a busy machine): start again from now instead of a burst, which would coalesce. */
        if (before(&next, &now)) next = now;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) { }
    }
    return NULL;
}

/*
 * Starts a thread that sends sig to thread tid of this process per_second times a second. The
 * thread blocks every signal, so none meant for the process lands on a thread the JVM does not
 * know.
 */
int sigstorm_start(int tid, int sig, int per_second) {
    if (storm_started) return -EBUSY;
    if (tid <= 0 || per_second <= 0 || per_second > 1000000) return -EINVAL;
    storm_tid = tid;
    storm_sig = sig;
    storm_interval_ns = 1000000000L / per_second;
    atomic_store(&sent, 0);
    atomic_store(&tgkill_errno, 0);
    atomic_store(&running, 1);

    sigset_t all, old;
    sigfillset(&all);
    int r = pthread_sigmask(SIG_SETMASK, &all, &old);
    if (r != 0) return -r;
    r = pthread_create(&storm, NULL, storm_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        atomic_store(&running, 0);
        return -r;
    }
    storm_started = 1;
    return 0;
}

/* Stops the storm and waits for its thread; returns how many signals it sent, or -errno. */
long sigstorm_stop(void) {
    if (!storm_started) return -EINVAL;
    atomic_store(&running, 0);
    int r = pthread_join(storm, NULL);
    storm_started = 0;
    if (r != 0) return -r;
    return atomic_load(&sent);
}

/* The errno of a tgkill that failed and ended the last storm early, or 0. */
int sigstorm_error(void) {
    return atomic_load(&tgkill_errno);
}
