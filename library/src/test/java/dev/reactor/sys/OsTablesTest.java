package dev.reactor.sys;

import dev.reactor.sys.bsd.BsdOs;
import dev.reactor.sys.linux.LinuxOs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Every OS names every socket option it may be asked for (a missing one would be option 0). */
class OsTablesTest {
    @Test
    void shouldNameEverySocketOptionOnEveryOs() {
        for (Os os : List.of(new LinuxOs(), new BsdOs(true), new BsdOs(false))) {
            for (SockOpt o : SockOpt.values()) {
                assertNotEquals(0, os.sockoptLevel(o), os.name() + " " + o + " level");
                assertNotEquals(0, os.sockoptName(o), os.name() + " " + o + " number");
            }
        }
    }

    @Test
    void shouldTellTheTwoBsdsApartOnlyWhereTheirHeadersDo() {
        Os macos = new BsdOs(true);
        Os freebsd = new BsdOs(false);
        assertEquals("macos", macos.name());
        assertEquals("freebsd", freebsd.name());
        assertEquals(30, macos.sockaddr().layout().afInet6());
        assertEquals(28, freebsd.sockaddr().layout().afInet6());
        assertEquals(0xffff, macos.sockoptLevel(SockOpt.SO_ERROR));
        assertEquals(0x1007, freebsd.sockoptName(SockOpt.SO_ERROR));
    }
}
