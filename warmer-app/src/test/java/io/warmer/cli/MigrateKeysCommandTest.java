package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.testing.Cli;
import org.junit.jupiter.api.Test;

/** `warmer migrate-keys` refuses a wrong mapping or rate before it reads the configuration or touches Redis. */
class MigrateKeysCommandTest {

    private static final String NO_CONFIG = "/nonexistent/warmer.yml";

    @Test
    void shouldRefuseACaptureThatFromDoesNotHaveNamingTheOption() {
        Cli.Result run = Cli.run("migrate-keys", "--config", NO_CONFIG, "--from", "user:*:session", "--to", "v2:user:${2}:session");

        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(run.err()).startsWith("--to: found '${2}' in 'v2:user:${2}:session', but --from 'user:*:session'"
                + " has 1 * so it can use ${1} only");
    }

    @Test
    void shouldRefuseAFromWithAWildcardItCannotCapture() {
        Cli.Result run = Cli.run("migrate-keys", "--config", NO_CONFIG, "--from", "user:[0-9]*:session", "--to", "v2:${1}");

        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(run.err()).startsWith("--from: found '[' in 'user:[0-9]*:session', expected a pattern whose only wildcard is *");
    }

    @Test
    void shouldRefuseARateThatIsNotKeysPerSecond() {
        Cli.Result run = Cli.run("migrate-keys", "--config", NO_CONFIG, "--from", "user:*:session", "--to",
                "v2:user:${1}:session", "--rate", "fast");

        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(run.err()).startsWith("Invalid value for option '--rate': found 'fast', expected keys per second such as 5000/s");
    }

    @Test
    void shouldShowTheCaptureSyntaxInItsHelp() {
        Cli.Result run = Cli.run("migrate-keys", "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out().replaceAll("\\s+", " ")).as("help, lines joined")
                .contains("--to 'v2:user:${1}:session'", "${1}, ${2}, ... stand for", "--dry-run", "--restart", "--rate", "--json")
                .doesNotContain("null");
    }
}
