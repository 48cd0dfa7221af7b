package dev.reactor.ffi;

/**
 * What an FFI backend must be told about the OS it binds, since this package knows no OS:
 * the errno it returns (negated) for a function the C library lacks, the one it reports when a
 * call returns -1 but leaves errno at 0 (a broken or foreign library: never taken for success),
 * and the syscall numbers of
 * read(2) and write(2) where they are known (-1 elsewhere), for the calls that pass a buffer's
 * memory segment along (see {@link LibC#read(int, java.nio.ByteBuffer, int, int)}). The OS layer
 * ({@code dev.reactor.sys}) supplies it.
 *
 * @param enosys the OS's ENOSYS
 * @param eio the OS's EIO
 * @param sysRead read(2)'s number for syscall(2), or -1
 * @param sysWrite write(2)'s number for syscall(2), or -1
 */
public record Abi(int enosys, int eio, long sysRead, long sysWrite) {
    /** True when read and write can be made through syscall(2) by number. */
    public boolean syscallNumbers() {
        return sysRead >= 0 && sysWrite >= 0;
    }
}
