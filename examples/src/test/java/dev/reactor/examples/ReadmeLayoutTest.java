package dev.reactor.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Layout table is true: every path it names exists, and every script and C source is named there. */
class ReadmeLayoutTest {
    private static final Path ROOT = Path.of(System.getProperty("dev.reactor.root", "..")).toAbsolutePath().normalize();

    @Test
    void shouldNameOnlyPathsThatExistAndEveryScriptAndCSource() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Layout\n");
        assertTrue(start >= 0, "the README has a Layout section");
        int end = readme.indexOf("\n## ", start + 1);
        String layout = readme.substring(start, end);
        List<String> named = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| ((?:`[^`]+`(?:, )?)+) \\|").matcher(layout);
        while (row.find()) {
            Matcher path = Pattern.compile("`([^`]+)`").matcher(row.group(1));
            while (path.find()) named.add(path.group(1));
        }
        assertTrue(named.size() > 15, "paths read from the table: " + named);
        List<String> missing = named.stream().filter(p -> !Files.exists(ROOT.resolve(p))).toList();
        assertEquals(List.of(), missing, "named in the Layout table, not in the tree");

        List<String> unnamed = new ArrayList<>();
        try (Stream<Path> scripts = Files.list(ROOT.resolve("scripts")); Stream<Path> c = Files.list(ROOT.resolve("native"))) {
            Stream.concat(scripts, c.filter(f -> f.toString().endsWith(".c")))
                    .map(f -> ROOT.relativize(f).toString())
                    .filter(f -> !named.contains(f) && !(f.endsWith("-test.c") && named.contains(f.replace("-test.c", ".c"))))
                    .sorted().forEach(unnamed::add);
        }
        assertEquals(List.of(), unnamed, "in the tree, not in the Layout table");
    }
}
