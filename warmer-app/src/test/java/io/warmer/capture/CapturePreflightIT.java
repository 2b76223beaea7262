package io.warmer.capture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.change.TableId;
import io.warmer.embedded.FreePort;
import io.warmer.kafka.KafkaClients;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input at start-up: each problem is one message naming the thing and the fix, before Debezium starts. */
@ExtendWith(WarmerInfrastructure.class)
class CapturePreflightIT {

    private TestInfra infra;
    private TestDatabase db;

    @BeforeEach
    void createDatabase(TestInfra infra) {
        this.infra = infra;
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)", "CREATE TABLE audit_log (at timestamptz, what text)");
    }

    private PostgresEndpoint endpoint(int port) {
        return new PostgresEndpoint(infra.postgres().host(), port, db.name(), infra.postgres().user(), "pw-not-shown");
    }

    private CaptureSettings settings(String table, int pgPort, String kafka) {
        return new CaptureSettings(endpoint(pgPort), List.of(TableId.parse(table)), infra.uniqueName("slot"),
                infra.uniqueName("pub"), KafkaClients.plaintext(kafka), infra.uniqueName("pre"), 1, (short) 1, null, null);
    }

    @Test
    void shouldNameAMissingTableAndTheDatabase() {
        assertThatThrownBy(() -> PostgresCapture.start(settings("public.userz", infra.postgres().port(),
                infra.kafkaBootstrapServers()), Map.of()))
                .isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("Table public.userz does not exist in database '" + db.name() + "'");
    }

    @Test
    void shouldSayHowToAddAPrimaryKey() {
        assertThatThrownBy(() -> PostgresCapture.start(settings("audit_log", infra.postgres().port(),
                infra.kafkaBootstrapServers()), Map.of()))
                .hasMessageContaining("Table public.audit_log has no primary key")
                .hasMessageContaining("ALTER TABLE public.audit_log ADD PRIMARY KEY");
    }

    @Test
    void shouldNameAnUnknownColumnAndListTheRealOnes() {
        assertThatThrownBy(() -> PostgresCapture.start(settings("users", infra.postgres().port(),
                infra.kafkaBootstrapServers()), Map.of(TableId.parse("users"), Set.of("emial"))))
                .hasMessage("Table public.users has no column 'emial' (it has id, name): fix the family that uses it.");
    }

    @Test
    void shouldNameAnUnreachableDatabaseWithoutItsPassword() {
        int closed = FreePort.find();
        assertThatThrownBy(() -> PostgresCapture.start(settings("users", closed, infra.kafkaBootstrapServers()), Map.of()))
                .hasMessageStartingWith("Cannot connect to PostgreSQL at " + infra.postgres().host() + ":" + closed)
                .hasMessageContaining("check that the server is running")
                .hasMessageNotContaining("pw-not-shown");
    }

    @Test
    void shouldNameUnreachableKafka() {
        String nowhere = "127.0.0.1:" + FreePort.find();
        assertThatThrownBy(() -> PostgresCapture.start(settings("users", infra.postgres().port(), nowhere), Map.of()))
                .hasMessageStartingWith("Cannot reach Kafka at " + nowhere);
    }
}
