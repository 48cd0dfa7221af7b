/**
 * Reactor: epoll (Linux) and kqueue (macOS, FreeBSD; so far run only on a Linux emulator of BSD
 * semantics) on raw file descriptors, through Panama FFM (JDK 22+) or jnr-ffi (JDK 17+). Public
 * API: {@code dev.reactor}; fd utilities: {@code dev.reactor.io}.
 */
module dev.reactor {
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    requires org.jctools.core;

    exports dev.reactor;
    exports dev.reactor.io;
    // Not API, and not exported: jnr-ffi defines its generated implementation of JnrLibC.Raw
    // in the unnamed module of a class loader it makes per load (AsmLibraryLoader), which must
    // be able to access the interface, and no qualified directive can name that module. An
    // unqualified opens is enough at run time: the JDK exports an open package to everyone in
    // the VM (java.lang.Module.initExportsAndOpens, addExportsToAll0), so the class's
    // superinterface check passes; javac and javadoc see no export, so no user code can compile
    // against it. Without it: IllegalAccessError, "superinterface check failed ... module
    // dev.reactor does not export dev.reactor.ffi.jnr to unnamed module" (scripts/module-path-check).
    opens dev.reactor.ffi.jnr;
}
