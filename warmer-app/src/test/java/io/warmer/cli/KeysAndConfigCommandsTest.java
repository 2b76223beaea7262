package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `warmer keys render` and `warmer config check`: what applications and operators run offline. */
class KeysAndConfigCommandsTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "localhost:9092"}
            redis: {uri: "redis://localhost:6379"}
            families:
              - name: user-profile-v2
                table: users
                key: ["v2:user:${id}:profile", "user:${id}:profile"]
                fields: {id: id, displayName: name, address.city: city}
                ttl: 1h
              - name: user-hash
                table: users
                key: "user:${id}:h"
                value: hash
                columns: [name, age, nickname]
              - name: user-name
                table: users
                key: "user:${id}:name"
                value: string
                columns: [name]
                fencing: false
              - name: recent
                table: orders
                key: "user:${user_id}:recent"
                value: sorted-set
                member: id
                score: placed_at
                cap: 10
            """;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path config;

    @BeforeEach
    void writeConfig(@TempDir Path dir) throws Exception {
        config = dir.resolve("warmer.yml");
        Files.writeString(config, CONFIG);
    }

    private int run(String... args) {
        var cli = WarmerCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldRenderEveryKeyAndTheValueOfARow() {
        int exit = run("keys", "render", "--config", config.toString(), "--family", "user-profile-v2",
                "--row", "{\"id\":42,\"name\":\"Ada\",\"city\":\"Oslo\",\"secret\":\"x\"}");

        assertThat(exit).isEqualTo(ExitCodes.OK);
        assertThat(out.toString().lines()).containsExactly(
                "set v2:user:42:profile {\"id\":42,\"displayName\":\"Ada\",\"address\":{\"city\":\"Oslo\"}} ttl=3600s fenced",
                "set user:42:profile {\"id\":42,\"displayName\":\"Ada\",\"address\":{\"city\":\"Oslo\"}} ttl=3600s fenced");
    }

    @Test
    void shouldRenderAPlainStringValueAsJsonForMachines() {
        int exit = run("keys", "render", "--config", config.toString(), "--family", "user-name", "--json",
                "--row", "{\"id\":7,\"name\":\"Bob\"}");

        assertThat(exit).isEqualTo(ExitCodes.OK);
        assertThat(out.toString().strip())
                .isEqualTo("[{\"op\":\"set\",\"key\":\"user:7:name\",\"value\":\"Bob\",\"fenced\":false}]");
    }

    @Test
    void shouldRenderAHashWithOneFieldPerNonNullColumn() {
        run("keys", "render", "--config", config.toString(), "--family", "user-hash",
                "--row", "{\"id\":3,\"name\":\"Cy\",\"age\":41,\"nickname\":null}");

        assertThat(out.toString().strip()).isEqualTo("hset user:3:h {\"name\":\"Cy\",\"age\":\"41\"} fenced");
    }

    @Test
    void shouldRenderASortedSetsMemberWithItsScoreAndCap() {
        run("keys", "render", "--config", config.toString(), "--family", "recent",
                "--row", "{\"id\":9,\"user_id\":42,\"placed_at\":\"2026-01-01T00:00:01Z\"}");
        run("keys", "render", "--config", config.toString(), "--family", "recent", "--json",
                "--row", "{\"id\":9,\"user_id\":42,\"placed_at\":\"2026-01-01T00:00:01Z\"}");

        assertThat(out.toString().lines()).containsExactly("zadd user:42:recent 1767225601000 9 cap=10 fenced",
                "[{\"op\":\"zadd\",\"key\":\"user:42:recent\",\"member\":\"9\",\"score\":1.767225601E12,"
                        + "\"cap\":10,\"fenced\":true}]");
    }

    @Test
    void shouldRenderTheDeletesOfARow() {
        run("keys", "render", "--config", config.toString(), "--family", "user-profile-v2", "--delete", "--row", "{\"id\":42}");

        assertThat(out.toString().lines()).containsExactly("del v2:user:42:profile fenced", "del user:42:profile fenced");
    }

    @Test
    void shouldNameTheFamiliesWhenTheFamilyIsUnknown() {
        int exit = run("keys", "render", "--config", config.toString(), "--family", "nope", "--row", "{\"id\":1}");

        assertThat(exit).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(err.toString()).contains("has no family 'nope'; it has [user-profile-v2, user-hash, user-name, recent]");
    }

    @Test
    void shouldSayAValidConfigIsValidWithoutConnecting() {
        int exit = run("config", "check", "--config", config.toString());

        assertThat(exit).isEqualTo(ExitCodes.OK);
        assertThat(out.toString().strip()).isEqualTo(config + ": valid; 4 families over 2 tables");
    }

    @Test
    void shouldReportAnInvalidConfigWithItsPath() throws Exception {
        Files.writeString(config, CONFIG.replace("value: string", "value: xml"));

        int exit = run("config", "check", "--config", config.toString());

        assertThat(exit).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(err.toString()).contains("families[2].value: found 'xml', expected one of: json, string, hash");
    }

    @Test
    void shouldValidateAConfigWithoutItsSecretsWhenNotConnecting() {
        Path example = Path.of("..", "examples", "demo-schema.yml");
        String variable = "WARMER_PG_PASSWORD"; // its source.postgres.password-env

        int exit = run("config", "check", "--config", example.toString());

        assertThat(exit).as("exit of config check; stderr: %s", err).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains(example + ": valid;");
        if (System.getenv(variable) == null) {
            assertThat(out.toString()).contains("note: source.postgres.password-env: the environment variable '"
                    + variable + "' is not set; --connect and `warmer run` will need it");
        }
    }

    @Test
    void shouldRefuseAWarmupCoverageAboveOneAsReadinessDoes() {
        int exit = run("warmup", "--config", config.toString(), "--min-coverage", "1.5");

        assertThat(exit).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(err.toString()).startsWith("--min-coverage: found 1.5, expected a share from 0 to 1");
    }

    @Test
    void shouldRefuseABadDurationAsAUsageErrorWithoutAStackTrace() {
        int exit = run("replay", "--config", config.toString(), "--timeout", "soon");

        assertThat(exit).isEqualTo(ExitCodes.BAD_CONFIG);
        assertThat(err.toString()).startsWith("Invalid value for option '--timeout': ")
                .contains("'soon'").doesNotContain("Exception").doesNotContain("\tat ");
    }
}
