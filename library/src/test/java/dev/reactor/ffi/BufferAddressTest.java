package dev.reactor.ffi;

import dev.reactor.sys.Os;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** LibC.address: the address of a direct buffer's byte 0, whatever its position, on both backends. */
class BufferAddressTest {

    @Test
    void shouldGiveTheSameAddressOnBothBackendsWhateverThePosition() {
        assumeTrue(Native.panamaAvailable(), "Panama backend needs JDK 22+");
        LibC panama = Os.libc("panama");
        LibC jnr = Os.libc("jnr");
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        long base = jnr.address(b);
        assertEquals(base, panama.address(b));
        b.position(10).limit(20);
        assertEquals(base, panama.address(b), "remembered address must not depend on the position");
        ByteBuffer slice = b.slice();               // a view starting at byte 10
        assertEquals(base + 10, panama.address(slice));
        assertEquals(base + 10, jnr.address(slice));
        assertEquals(base, panama.address(b.asReadOnlyBuffer().position(5)));
    }

    @Test
    void shouldKeepEveryBufferApartWhenMoreBuffersThanRememberedSlots() {
        assumeTrue(Native.panamaAvailable(), "Panama backend needs JDK 22+");
        LibC panama = Os.libc("panama");
        LibC jnr = Os.libc("jnr");
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 2000; i++) buffers.add(ByteBuffer.allocateDirect(16));
        for (int round = 0; round < 2; round++) {
            for (ByteBuffer b : buffers) assertEquals(jnr.address(b), panama.address(b));
        }
    }

    @Test
    void shouldRejectHeapBuffers() {
        for (String backend : Native.panamaAvailable() ? new String[] {"panama", "jnr"} : new String[] {"jnr"}) {
            LibC c = Os.libc(backend);
            assertThrows(IllegalArgumentException.class, () -> c.address(ByteBuffer.allocate(8)), backend);
        }
    }
}
