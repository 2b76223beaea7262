package io.warmer;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.cli.WarmerCli;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The demo-schema example names only tables and columns the demo schema has. */
@ExtendWith(WarmerInfrastructure.class)
class ExamplesIT {

    @Test
    void shouldMatchTheDemoSchema(TestInfra infra, @TempDir Path dir) throws Exception {
        var result = check(infra, dir, example -> example);

        assertThat(result.exit()).as("exit code; errors: %s", result.err()).isZero();
        assertThat(result.out()).contains("valid; 5 families over 3 tables, checked against the database");
    }

    @Test
    void shouldNameAColumnTheDatabaseLacksAndExitAsABadConfig(TestInfra infra, @TempDir Path dir) throws Exception {
        var result = check(infra, dir, example -> example.replace("columns: [id, name, email, tier]", "columns: [id, name, email, tierz]"));

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("Table public.users has no column 'tierz' (it has id, name, email, tier, updated_at)");
    }

    @Test
    void shouldRefuseATtlColumnThatHoldsNoTime(TestInfra infra, @TempDir Path dir) throws Exception {
        var result = check(infra, dir, example -> example.replace("    ttl: 30m\n", "    ttl-column: email\n"));

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("families[1].ttl-column: column 'email' of public.users is text, expected a"
                + " timestamp, a date or epoch seconds as a number");
    }

    @Test
    void shouldRefuseAJoinThatDoesNotMeetThePrimaryKey(TestInfra infra, @TempDir Path dir) throws Exception {
        var result = check(infra, dir, example -> example.replace("on: {user_id: id}", "on: {user_id: tier}"));

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("families[0].join[0].on: found main columns [tier], expected the primary key"
                + " of public.users, in order: [id]");
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result check(TestInfra infra, Path dir, java.util.function.UnaryOperator<String> edit) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute(Files.readString(Path.of("..", "warmer-demo", "src", "main", "resources", "io", "warmer", "demo", "schema.sql")));
        Path config = dir.resolve("example.yml");
        Files.writeString(config, edit.apply(Files.readString(Path.of("..", "examples", "demo-schema.yml")))
                .replace("host: localhost", "host: " + infra.postgres().host())
                .replace("port: 5432", "port: " + infra.postgres().port())
                .replace("database: app", "database: " + db.name())
                .replace("user: warmer", "user: " + infra.postgres().user())
                .replace("password-env: WARMER_PG_PASSWORD", "password: \"" + infra.postgres().password() + "\""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = WarmerCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("config", "check", "--config", config.toString(), "--connect");
        return new Result(exit, out.toString(), err.toString());
    }
}
