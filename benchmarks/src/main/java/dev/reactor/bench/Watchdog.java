package dev.reactor.bench;

/** Ends a benchmark process that hangs (a lost message leaves both loops blocked forever). */
public final class Watchdog {
    private Watchdog() { }

    public static void start(long seconds, String what) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(what + ": no result after " + seconds + " s; giving up");
            Runtime.getRuntime().halt(2);
        }, "watchdog");
        t.setDaemon(true);
        t.start();
    }
}
