package dev.reactor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The registrations, indexed by fd: no boxing, no hashing. Each registration gets a generation,
 * carried in the poller token with the fd, so an event or a timer meant for a registration that
 * has ended (even if the fd number was reused since) finds a different generation and is dropped.
 * Written by the loop thread only; {@link #generationAcquire(int)} may be read from any thread.
 */
final class FdTable {
    private static final VarHandle GEN = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle GENERATIONS;
    static {
        try {
            GENERATIONS = MethodHandles.lookup().findVarHandle(FdTable.class, "generations", int[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Context[] contexts;
    private int[] generations;   // 0 = not registered
    private int[] interests;
    private boolean[] owned;     // Ownership.OWNED: the reactor closes the fd when the registration ends
    private int nextGeneration = 1;
    private int count;

    FdTable(int initialSize) {
        int n = Math.max(16, initialSize);
        contexts = new Context[n];
        generations = new int[n];
        interests = new int[n];
        owned = new boolean[n];
    }

    int size() { return count; }

    /** The Context whose registration has this generation, or null when it ended. */
    Context get(int fd, int generation) {
        int[] g = generations;
        return fd < g.length && g[fd] == generation ? contexts[fd] : null;
    }

    Context get(int fd) {
        return fd >= 0 && fd < contexts.length ? contexts[fd] : null;
    }

    int generation(int fd) {
        return fd >= 0 && fd < generations.length ? generations[fd] : 0;
    }

    /** Any thread: the generation of fd's current registration, 0 when none. */
    int generationAcquire(int fd) {
        int[] g = (int[]) GENERATIONS.getAcquire(this);   // pairs with grow()'s release
        return fd >= 0 && fd < g.length ? (int) GEN.getAcquire(g, fd) : 0;
    }

    int interest(int fd) { return interests[fd]; }

    boolean owned(int fd) { return owned[fd]; }

    /** A generation for a new registration: never 0 (0 is "none" and the poller's own tokens). */
    int newGeneration() {
        int g = nextGeneration++;
        if (nextGeneration == 0) nextGeneration = 1;
        return g;
    }

    void put(int fd, Context ctx, int generation, int interest, boolean isOwned) {
        if (fd >= contexts.length) grow(fd);
        contexts[fd] = ctx;
        interests[fd] = interest;
        owned[fd] = isOwned;
        GEN.setRelease(generations, fd, generation);
        count++;
    }

    void setInterest(int fd, int interest) { interests[fd] = interest; }

    void setOwned(int fd) { owned[fd] = true; }

    Context remove(int fd) {
        Context ctx = get(fd);
        if (ctx == null) return null;
        contexts[fd] = null;
        owned[fd] = false;
        GEN.setRelease(generations, fd, 0);
        count--;
        return ctx;
    }

    /** Calls action for each registered fd (for close). */
    void forEach(java.util.function.IntConsumer action) {
        for (int fd = 0; fd < contexts.length; fd++) {
            if (contexts[fd] != null) action.accept(fd);
        }
    }

    private void grow(int fd) {
        int n = Integer.highestOneBit(fd) << 1;
        contexts = Arrays.copyOf(contexts, n);
        interests = Arrays.copyOf(interests, n);
        owned = Arrays.copyOf(owned, n);
        // Published last, with release: another thread that sees the new array sees its contents.
        GENERATIONS.setRelease(this, Arrays.copyOf(generations, n));
    }
}
