/* The kqueue emulator, but EV_ADD of EVFILT_WRITE on a FIFO (a pipe) is refused with EINVAL, as
 * a kernel refuses a filter an fd does not support: for KqueuePollerTest, a modify whose second
 * step fails must leave the kernel as it was. Handles what KqueuePoller sends: changes with
 * EV_RECEIPT and as many receipts (applied one at a time), or a wait with no changes. */
#define kqueue emu_kqueue
#define kevent emu_kevent          /* renames the struct tag too: struct emu_kevent below */
#include "kqueue-emu.c"
#undef kqueue
#undef kevent

#include <sys/stat.h>

int kqueue(void) { return emu_kqueue(); }

static int refused(const struct emu_kevent *c) {
    struct stat st;
    return c->filter == EVFILT_WRITE && (c->flags & EV_ADD) && fstat((int) c->ident, &st) == 0 && S_ISFIFO(st.st_mode);
}

int kevent(int kq, const struct emu_kevent *changes, int nchanges, struct emu_kevent *events, int nevents,
           const struct timespec *timeout) {
    if (nchanges <= 0 || nevents < nchanges || changes == NULL || events == NULL) {
        return emu_kevent(kq, changes, nchanges, events, nevents, timeout);
    }
    static const struct timespec zero = {0, 0};
    for (int i = 0; i < nchanges; i++) {
        if (refused(&changes[i])) {
            events[i] = changes[i];
            events[i].flags = EV_ERROR;
            events[i].data = EINVAL;
        } else if (emu_kevent(kq, &changes[i], 1, &events[i], 1, &zero) < 0) {
            return -1;
        }
    }
    return nchanges;
}
