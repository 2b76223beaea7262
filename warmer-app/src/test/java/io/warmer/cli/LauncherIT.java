package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's `./warmer` launcher starts the packaged application (failsafe runs after package). */
class LauncherIT {

    @Test
    void shouldRunThePackagedCliThroughTheLauncherScript() throws Exception {
        Process launcher = new ProcessBuilder("bash", "warmer", "--help")
                .directory(Path.of("..").toFile()).redirectErrorStream(true).start();
        boolean finished = launcher.waitFor(120, TimeUnit.SECONDS);
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(finished).as("the launcher finished; output:%n%s", output).isTrue();
        assertThat(launcher.exitValue()).as(output).isZero();
        assertThat(output).contains("Usage: warmer", "demo", "warmup", "verify", "replay", "cleanup", "migrate-keys", "status");
    }
}
