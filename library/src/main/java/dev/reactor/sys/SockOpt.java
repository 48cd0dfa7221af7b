package dev.reactor.sys;

/** The socket options the library sets and reads; each OS gives their level and number ({@link Os#sockopt}). */
public enum SockOpt {
    SO_REUSEADDR, SO_REUSEPORT, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, TCP_NODELAY, IPV6_V6ONLY,
    SO_TYPE, SO_ACCEPTCONN
}
