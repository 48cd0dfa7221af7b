/* A kqueue library that fails without saying why: kqueue() and kevent() return -1 and leave
 * errno at 0. For PollersTest: such a failure must read as EIO, never as success (-0). */
#include <errno.h>
#include <stddef.h>

int kqueue(void) { errno = 0; return -1; }

int kevent(int kq, const void *changes, int nchanges, void *events, int nevents, const void *timeout) {
    (void) kq; (void) changes; (void) nchanges; (void) events; (void) nevents; (void) timeout;
    errno = 0;
    return -1;
}
