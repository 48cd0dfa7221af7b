package dev.reactor.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's networking example is ReadmeNetworkingExample.java, word for word, and it runs. */
class ReadmeNetworkingExampleTest {
    /** The checkout's README (the tests run in examples/). */
    private static final Path README = Path.of(System.getProperty("dev.reactor.root", "..")).resolve("README.md");
    private static final Path SOURCE = Path.of("src/main/java/dev/reactor/examples/ReadmeNetworkingExample.java");

    @Test
    void shouldAppearInTheReadmeExactly() throws Exception {
        String readme = Files.readString(README);
        assertTrue(readme.contains("```java\n" + Files.readString(SOURCE) + "```\n"),
                "README.md and ReadmeNetworkingExample.java have drifted apart");
    }

    @Test
    void shouldEchoThroughAListenerAndAConnectionInOneLoop() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            ReadmeNetworkingExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        assertEquals("echoed: ping\n", captured.toString(StandardCharsets.UTF_8));
    }
}
