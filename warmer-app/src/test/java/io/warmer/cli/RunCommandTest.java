package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = WarmerCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldExitWithTheConfigCodeAndOneLineWhenTheFileIsMissing() {
        int exit = run("run", "--config", "/no/such/warmer.yml");

        assertThat(exit).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(err.toString().strip()).isEqualTo(
                "error: /no/such/warmer.yml: the file does not exist; pass an existing YAML file with --config");
    }

    @Test
    void shouldNameTheFieldOfAnInvalidConfig(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, """
                source: {postgres: {host: localhost, database: app, user: warmer}}
                kafka: {bootstrap-servers: "localhost:9092"}
                redis: {uri: "redis://localhost:6379"}
                families:
                  - {name: p, table: users, key: "user:profile"}
                """);

        int exit = run("run", "--config", file.toString());

        assertThat(exit).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(err.toString()).startsWith("error: " + file + ": families[0].key[0]: found 'user:profile' without any ${column}");
    }

    @Test
    void shouldSayWhichRedisIsUnreachableWithoutAStackTrace(@TempDir Path dir) throws Exception {
        int closedPort = io.warmer.embedded.FreePort.find();
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, """
                source: {postgres: {host: localhost, database: app, user: warmer, password: topsecret}}
                kafka: {bootstrap-servers: "localhost:9092"}
                redis: {uri: "redis://:redispass@127.0.0.1:%d"}
                families:
                  - {name: p, table: users, key: "user:${id}:profile"}
                """.formatted(closedPort));

        int exit = run("run", "--config", file.toString());

        assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(err.toString()).startsWith("error: Cannot reach Redis at 127.0.0.1:" + closedPort)
                .contains("check that Redis is running")
                .doesNotContain("topsecret", "redispass", "\tat ");
    }
}
