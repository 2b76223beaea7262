package io.warmer.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every package says, in its {@code package-info.java}, what it is for and what it exposes. */
class PackageDocsTest {

    private static final List<Path> SOURCES = List.of(Path.of("src", "main", "java"),
            Path.of("..", "connectors", "src", "main", "java"), Path.of("..", "warmer-embedded", "src", "main", "java"),
            Path.of("..", "warmer-demo", "src", "main", "java"));

    @Test
    void shouldDocumentEveryPackage() throws IOException {
        List<String> undocumented = new ArrayList<>();
        int packages = 0;
        for (Path root : SOURCES) {
            try (Stream<Path> dirs = Files.walk(root).filter(Files::isDirectory)) {
                for (Path dir : dirs.toList()) {
                    boolean hasClasses;
                    try (Stream<Path> files = Files.list(dir)) {
                        hasClasses = files.anyMatch(f -> f.toString().endsWith(".java")
                                && !f.getFileName().toString().equals("package-info.java"));
                    }
                    if (!hasClasses) {
                        continue;
                    }
                    packages++;
                    Path info = dir.resolve("package-info.java");
                    if (!Files.exists(info) || !Files.readString(info).strip().startsWith("/**")) {
                        undocumented.add(root.relativize(dir).toString().replace('/', '.'));
                    }
                }
            }
        }
        assertThat(packages).as("packages found under %s", SOURCES).isGreaterThan(20);
        assertThat(undocumented).as("packages without a package-info.java that says what they are for").isEmpty();
    }
}
