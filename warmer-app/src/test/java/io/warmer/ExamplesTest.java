package io.warmer;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every configuration in examples/ loads, so the examples cannot rot. */
class ExamplesTest {

    @Test
    void shouldLoadEveryExampleConfiguration() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            examples = files.filter(p -> p.toString().endsWith(".yml")).toList();
        }
        assertThat(examples).isNotEmpty();
        for (Path example : examples) {
            WarmerConfig config = new ConfigLoader(name -> "from-the-environment").load(example);
            assertThat(config.families()).as(example.toString()).isNotEmpty();
        }
    }

    @Test
    void shouldUseEveryKindOfFamilyInTheDemoSchemaExample() {
        WarmerConfig config = new ConfigLoader(name -> "x").load(Path.of("..", "examples", "demo-schema.yml"));
        var families = config.keyFamilies();

        assertThat(families).anyMatch(f -> f.keys().size() > 1);
        assertThat(families).anyMatch(f -> !f.where().isEmpty());
        assertThat(families).anyMatch(f -> f.expiry().jitter() > 0);
        assertThat(families).anyMatch(f -> !f.fencing().enabled());
        assertThat(families).anyMatch(f -> !f.joins().isEmpty());
        assertThat(families).extracting(f -> f.value().getClass().getSimpleName()).contains("Json", "Text", "Hash");
    }
}
