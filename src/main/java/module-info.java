/**
 * Reactor: epoll (Linux) and kqueue (macOS/BSD) on raw file descriptors, through Panama FFM
 * (JDK 22+) or jnr-ffi (JDK 17+). Public API: {@code dev.reactor}; fd utilities: {@code dev.reactor.io}.
 */
module dev.reactor {
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    requires org.jctools.core;

    exports dev.reactor;
    exports dev.reactor.io;
    // Not API: jnr-ffi defines its generated implementation of JnrLibC.Raw in an unnamed
    // module of its own class loader, which must be able to see the interface.
    exports dev.reactor.ffi.jnr;
}
