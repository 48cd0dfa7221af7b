/*
 * no-pwait2 COMMAND [ARG...]: runs COMMAND where epoll_pwait2 fails with ENOSYS, as it does on
 * kernels before 5.11 and under seccomp profiles that deny it (some container runtimes). Every
 * other system call is allowed. The filter is inherited by every thread and child of COMMAND.
 *
 * How: PR_SET_NO_NEW_PRIVS (so no privilege is needed), then a seccomp BPF filter that checks
 * the architecture before the syscall number, then execvp. Before exec it makes the call itself
 * and refuses to go on unless the kernel now answers ENOSYS, so a suite run through it cannot
 * quietly take the epoll_pwait2 path. Only the kernel's uapi headers: no libseccomp.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/*
 * epoll_pwait2 is 441 in every table since it was added in 5.11: arch/x86/entry/syscalls/
 * syscall_64.tbl ("common", so x32 calls it 441 | __X32_SYSCALL_BIT), syscall_32.tbl (i386),
 * include/uapi/asm-generic/unistd.h (aarch64) and arch/arm/tools/syscall.tbl (arm).
 */
#define NR_EPOLL_PWAIT2 441
#define X32_SYSCALL_BIT 0x40000000u
#if defined(__NR_epoll_pwait2) && __NR_epoll_pwait2 != NR_EPOLL_PWAIT2
#error "this architecture numbers epoll_pwait2 differently: add it to the filter"
#endif

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* if A == k, go on; else skip the next `skip` instructions */
#define IF_EQ(k, skip) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, (skip))
#define JUMP_IF_EQ(k, to) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (to), 0)
#define RETURN(action) BPF_STMT(BPF_RET | BPF_K, (action))

static struct sock_filter filter[] = {
    /* 0 */ LOAD(arch),
    /* 1 */ JUMP_IF_EQ(AUDIT_ARCH_X86_64, 4),       /* -> 6 */
    /* 2 */ JUMP_IF_EQ(AUDIT_ARCH_I386, 6),         /* -> 9 */
    /* 3 */ JUMP_IF_EQ(AUDIT_ARCH_AARCH64, 5),      /* -> 9 */
    /* 4 */ JUMP_IF_EQ(AUDIT_ARCH_ARM, 4),          /* -> 9 */
    /* 5 */ RETURN(SECCOMP_RET_ALLOW),              /* an ABI we do not know: its numbers mean other calls */
    /* 6 */ LOAD(nr),                               /* x86_64 and x32 */
    /* 7 */ JUMP_IF_EQ(X32_SYSCALL_BIT | NR_EPOLL_PWAIT2, 3), /* -> 11 */
    /* 8 */ BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),    /* -> 10 */
    /* 9 */ LOAD(nr),                               /* i386, aarch64, arm */
    /* 10 */ IF_EQ(NR_EPOLL_PWAIT2, 1),
    /* 11 */ RETURN(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
    /* 12 */ RETURN(SECCOMP_RET_ALLOW),
};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s COMMAND [ARG...]\n"
                        "runs COMMAND with epoll_pwait2 failing with ENOSYS (seccomp)\n", argv[0]);
        return 2;
    }
    struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "no-pwait2: prctl(PR_SET_NO_NEW_PRIVS): %s\n", strerror(errno));
        return 126;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        fprintf(stderr, "no-pwait2: prctl(PR_SET_SECCOMP): %s\n", strerror(errno));
        return 126;
    }
    /* epfd -1: a kernel with the call and no filter would say EBADF. */
    long r = syscall(NR_EPOLL_PWAIT2, -1, NULL, 1, NULL, NULL, 0);
    if (r != -1 || errno != ENOSYS) {
        fprintf(stderr, "no-pwait2: epoll_pwait2 still answers (%ld, %s): the filter is not in force\n",
                r, r == -1 ? strerror(errno) : "no error");
        return 126;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "no-pwait2: %s: %s\n", argv[1], strerror(errno));
    return 127;
}
