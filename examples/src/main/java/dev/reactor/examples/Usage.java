package dev.reactor.examples;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** The examples' command lines: a bad argument is one line saying what is wrong, the usage, and exit status 2. */
final class Usage {
    private Usage() { }

    /** A bad argument, said in words. */
    static final class Error extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Error(String message) {
            super(message);
        }
    }

    /** Prints "program: problem" and "usage: ...", then exits with status 2. */
    static void exit(String program, String usage, Error e) {
        System.err.println(program + ": " + e.getMessage());
        System.err.println("usage: " + usage);
        System.exit(2);
    }

    /**
     * The one optional argument of a program that takes at most one: parsed, or the default when
     * it is absent; a bad or extra argument exits with status 2, as {@link #exit} does.
     */
    static int optional(String program, String usage, String[] args, int orElse, java.util.function.ToIntFunction<String> parse) {
        try {
            if (args.length > 1) throw new Error("unexpected argument '" + args[1] + "'");
            return args.length > 0 ? parse.applyAsInt(args[0]) : orElse;
        } catch (Error e) {
            exit(program, usage, e);
            return orElse;   // not reached: exit() does not return
        }
    }

    /** A TCP port, 0 (any free one) to 65535. */
    static int port(String what, String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Error(what + " '" + value + "' is not a port (0-65535)");
    }

    /** A positive count. */
    static int count(String what, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Error(what + " '" + value + "' is not a positive number");
    }

    /** host:port, the host resolved now (a name that does not resolve is a usage error, not a retry loop). */
    static InetSocketAddress hostPort(String what, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) throw new Error(what + " '" + value + "' is not host:port");
        int port = port(what + " port", value.substring(colon + 1));
        String host = value.substring(0, colon);
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new Error(what + " host '" + host + "' does not resolve");
        }
    }
}
