/*
 * kqueue-emu: BSD kqueue(2)/kevent(2) emulated on Linux over epoll, for tests only.
 *
 * The library's kqueue poller is tested on Linux by loading `kqueue` and `kevent` from
 * libkqueue-emu.so (macOS ABI, the default) or libkqueue-emu-freebsd.so (-DKQEMU_FREEBSD:
 * FreeBSD 12+ ABI). Semantics follow the FreeBSD and macOS kevent(2) man pages for the
 * three filters emulated: EVFILT_READ, EVFILT_WRITE (any fd epoll accepts) and EVFILT_USER.
 * Any other filter is refused with EINVAL. errno values are LINUX's (ECONNRESET is 104
 * here, 54 on BSD), in errno and in EV_ERROR entries' data.
 *
 * Design, in short (kqueue-emu.c has the details):
 *  - kqueue() returns an epoll fd P (close-on-exec). The emulator keeps a private dup of it to
 *    wait on and to recognise it: every kevent() checks with kcmp(2) that the number given is
 *    still that epoll file, else EBADF. P holds three child epoll sets of the emulator's own:
 *    READ knotes, WRITE knotes, and EVFILT_USER knotes (an eventfd each).
 *  - A READ or WRITE knote registers the USER'S fd itself (no dup), so closing the fd releases
 *    the file at once (the peer sees EOF), even with the knote or the whole kq left behind.
 *    The read and the write knote of one fd are in different child sets, with their own modes.
 *  - BSD drops an fd's knotes when the fd is closed; epoll cannot see close(2). So before an
 *    event is reported, and before a change on ident N is applied, the emulator checks that
 *    the file open at N is one its child set holds under N (kcmp KCMP_EPOLL_TFD, Linux 5.12+;
 *    fstat dev+inode if kcmp is refused). If not (N closed, or another file took the number)
 *    the knote is dropped silently, its pending event is never reported, and N is treated as
 *    a new fd: EV_ADD makes a new knote, EV_DELETE gives ENOENT (EBADF if N is not open).
 *    Level-triggered entries are EPOLLONESHOT inside, re-armed after each report, so the entry
 *    of a closed fd whose file lives on elsewhere cannot fire over and over.
 *    Not detected: N closed and then made to refer again (dup2) to a file once registered
 *    under N in that queue -- the knote then survives, where BSD would drop it.
 *  - EV_EOF entries have fflags 0: the socket error is left pending for getsockopt(SO_ERROR)
 *    or read(2), since reading SO_ERROR would clear it on Linux (BSD puts it in fflags).
 *  - After close(kq) the queue's private fds (its epoll dup, the child sets, the eventfds)
 *    stay open until the next kqueue() call, the next kevent() on that number, or
 *    kqueue_emu_collect(). They keep no user file open.
 *  - One mutex per queue, never held while waiting: another thread may kevent() the same kq
 *    (say, an EVFILT_USER NOTE_TRIGGER) while one is blocked in it, and wakes it.
 * Where the man pages are silent the emulator does what the BSD kernels' sources do (every
 * change but EV_DELETE replaces udata; EV_ADD does not re-enable; ...): kqueue-emu.c lists
 * those, and what is not modelled (data counts, EV_EOF's fflags, fork, ...).
 */
#ifndef KQUEUE_EMU_H
#define KQUEUE_EMU_H

#include <stdint.h>
#include <time.h>

#ifdef KQEMU_FREEBSD
/*
 * FreeBSD 12+ (the ABI since the 64-bit data/ext change), from freebsd/freebsd-src
 * sys/sys/event.h: 64 bytes on LP64.
 */
struct kevent {
    uintptr_t ident;        /* 0 */
    short filter;           /* 8 */
    unsigned short flags;   /* 10 */
    unsigned int fflags;    /* 12 */
    int64_t data;           /* 16 */
    void *udata;            /* 24 */
    uint64_t ext[4];        /* 32 */
};
#define EVFILT_USER     (-11)
#else
/*
 * macOS, from apple-oss-distributions/xnu bsd/sys/event.h: 32 bytes on LP64, declared there
 * under #pragma pack(4) (which leaves these offsets as they are).
 */
#pragma pack(4)
struct kevent {
    uintptr_t ident;        /* 0 */
    int16_t filter;         /* 8 */
    uint16_t flags;         /* 10 */
    uint32_t fflags;        /* 12 */
    intptr_t data;          /* 16 */
    void *udata;            /* 24 */
};
#pragma pack()
#define EVFILT_USER     (-10)
#endif

/*
 * Values shared by both headers (xnu bsd/sys/event.h and freebsd-src sys/sys/event.h agree
 * on every one of these; only EVFILT_USER differs, above).
 */
#define EVFILT_READ     (-1)
#define EVFILT_WRITE    (-2)

#define EV_ADD          0x0001      /* add, or modify, the knote (ident, filter) */
#define EV_DELETE       0x0002
#define EV_ENABLE       0x0004
#define EV_DISABLE      0x0008
#define EV_ONESHOT      0x0010      /* deleted after its first event */
#define EV_CLEAR        0x0020      /* state reset after each event (edge-like) */
#define EV_RECEIPT      0x0040      /* always answer the change with an EV_ERROR entry */
#define EV_DISPATCH     0x0080      /* disabled after each event */
#define EV_SYSFLAGS     0xF000      /* ignored on input */
#define EV_ERROR        0x4000      /* output: data holds an errno (or 0 for a receipt) */
#define EV_EOF          0x8000      /* output: end of file (BSD: fflags may hold a socket error; 0 here) */

/* EVFILT_USER fflags */
#define NOTE_TRIGGER    0x01000000
#define NOTE_FFNOP      0x00000000
#define NOTE_FFAND      0x40000000
#define NOTE_FFOR       0x80000000
#define NOTE_FFCOPY     0xc0000000
#define NOTE_FFCTRLMASK 0xc0000000
#define NOTE_FFLAGSMASK 0x00ffffff

#define EV_SET(kevp, a, b, c, d, e, f) do {                                    \
        struct kevent *kev_ = (kevp);                                          \
        *kev_ = (struct kevent){0};                                            \
        kev_->ident = (a); kev_->filter = (b); kev_->flags = (c);              \
        kev_->fflags = (d); kev_->data = (e); kev_->udata = (f);               \
    } while (0)

int kqueue(void);
int kevent(int kq, const struct kevent *changelist, int nchanges,
           struct kevent *eventlist, int nevents, const struct timespec *timeout);

/*
 * Not BSD: closes the private fds of every queue whose kq fd was closed by the user, and
 * returns how many such queues it found. kqueue() does the same, so a test that counts
 * open fds after closing a kq can call this first.
 */
int kqueue_emu_collect(void);

#endif
