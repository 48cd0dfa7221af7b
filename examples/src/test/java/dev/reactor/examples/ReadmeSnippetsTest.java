package dev.reactor.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's short examples are cut from the examples' real code, which Maven compiles and a
 * test runs: a README block marked {@code <!-- snippet: Example#name, run by SomeTest -->} must
 * equal the lines between {@code // snippet: name} and {@code // end snippet} in
 * {@code Example.java} (indentation removed), SomeTest must exist and run Example, and every
 * snippet marked in the sources must appear in the README.
 */
class ReadmeSnippetsTest {
    private static final Path ROOT = Path.of(System.getProperty("dev.reactor.root", ".."));
    private static final Path SOURCES = Path.of("src/main/java/dev/reactor/examples");
    private static final Path TESTS = Path.of("src/test/java/dev/reactor/examples");
    private static final Pattern MARK = Pattern.compile("^<!-- snippet: (\\w+)#([\\w-]+), run by (\\w+) -->$");

    /** The README's marked blocks: "Example#name" to [test, code]. */
    private static Map<String, String[]> readmeSnippets() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        Map<String, String[]> found = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARK.matcher(lines.get(i));
            if (!m.matches()) continue;
            assertEquals("```java", lines.get(i + 1), "a ```java block right after " + lines.get(i));
            int end = lines.subList(i + 2, lines.size()).indexOf("```");
            assertTrue(end >= 0, "the block after " + lines.get(i) + " is not closed");
            String key = m.group(1) + "#" + m.group(2);
            assertFalse(found.containsKey(key), "two README blocks for " + key);
            found.put(key, new String[] {m.group(3), String.join("\n", lines.subList(i + 2, i + 2 + end))});
        }
        return found;
    }

    /** The snippets marked in the examples' sources: "Example#name" to the code, unindented. */
    private static Map<String, String> sourceSnippets() throws Exception {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String example = file.getFileName().toString().replace(".java", "");
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    if (!line.startsWith("// snippet: ")) continue;
                    String name = line.substring("// snippet: ".length());
                    List<String> body = new ArrayList<>();
                    int j = i + 1;
                    while (j < lines.size() && !lines.get(j).trim().equals("// end snippet")) body.add(lines.get(j++));
                    assertTrue(j < lines.size(), file + ": snippet " + name + " has no '// end snippet'");
                    found.put(example + "#" + name, unindent(body));
                }
            }
        }
        return found;
    }

    private static String unindent(List<String> body) {
        int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String l : body) out.add(l.isBlank() ? "" : l.substring(indent));
        return String.join("\n", out);
    }

    @Test
    void shouldShowInTheReadmeExactlyTheCodeTheExamplesRun() throws Exception {
        Map<String, String[]> readme = readmeSnippets();
        Map<String, String> sources = sourceSnippets();
        assertFalse(readme.isEmpty(), "no marked snippet in README.md");
        assertEquals(sources.keySet(), readme.keySet(), "every snippet marked in the examples is in the README, and only those");
        for (Map.Entry<String, String[]> e : readme.entrySet()) {
            String example = e.getKey().substring(0, e.getKey().indexOf('#'));
            assertEquals(sources.get(e.getKey()), e.getValue()[1], "README.md and " + example + ".java have drifted apart: " + e.getKey());
            Path test = TESTS.resolve(e.getValue()[0] + ".java");
            assertTrue(Files.exists(test), e.getKey() + ": no test " + test);
            assertTrue(Pattern.compile("\\b" + example + "\\b").matcher(Files.readString(test)).find(),
                    e.getValue()[0] + " does not run " + example);
        }
    }
}
