package dev.reactor.ffi;

import java.nio.ByteBuffer;

/**
 * Refuses a direct buffer whose memory the calling thread may not touch now. On JDK 22+ a buffer
 * can view an {@code Arena}'s memory ({@code MemorySegment.asByteBuffer()}), freed when the Arena
 * is closed and, for a confined Arena, usable by its owner thread only; a raw address knows
 * neither. The check needs {@code java.lang.foreign}, so it lives in the release-22 classes and
 * {@link Native#bufferCheck()} loads it as it loads the Panama backend; before JDK 22 no buffer
 * can have such memory and {@link #NONE} is used.
 */
public interface BufferCheck {
    /** Nothing to check: JDK 17 to 21 (without preview), where every direct buffer's memory lives as long as the buffer. */
    BufferCheck NONE = (direct, call, fd) -> { };

    /**
     * Throws {@link IllegalStateException} when direct's memory was freed (its Arena was closed),
     * {@code WrongThreadException} when it belongs to a confined Arena of another thread; the
     * message starts with {@code call(fd=N)}.
     */
    void check(ByteBuffer direct, String call, int fd);
}
