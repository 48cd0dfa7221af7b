package dev.reactor.testing;

import dev.reactor.io.Fds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Tests of fd-number reuse: the kernel hands out the lowest free number, so these steer which number comes next. */
public final class FdNumbers {
    private FdNumbers() { }

    /** A readable eventfd (counter 1) at the free number fd: opens and closes fillers for any free number below it. */
    @LinuxOnly("eventfd")
    public static int eventfdAt(int fd) throws IOException {
        List<Integer> below = new ArrayList<>();
        try {
            while (true) {
                int e = Fds.eventfd(1, false);
                if (e == fd) return e;
                below.add(e);
                if (e > fd) throw new AssertionError("fd " + fd + " was taken by someone else");
            }
        } finally {
            for (int e : below) Fds.close(e);
        }
    }

    /**
     * Fills every free number below the highest open fd with pipe ends, so that the next fds
     * come at the top, one after another; close the returned fillers afterwards.
     */
    public static List<Integer> fillGaps() throws IOException {
        int highest;
        try (Stream<Path> s = Files.list(Path.of("/dev/fd"))) {
            highest = s.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).max().orElse(2);
        }
        List<Integer> fillers = new ArrayList<>();
        while (true) {
            int[] pipe = Fds.pipe();
            fillers.add(pipe[0]);
            fillers.add(pipe[1]);
            if (Math.max(pipe[0], pipe[1]) >= highest) return fillers;
        }
    }
}
