package io.warmer.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmer.capture.DebeziumEvents.Connector;
import io.warmer.capture.DebeziumEvents.Format;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Events as Debezium's connectors write them through the standard JSON converter. */
class DebeziumEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId USERS = TableId.parse("public.users");
    private static final String TOPIC = "dbserver1.public.users";

    private static final String KEY_SCHEMA = """
            {"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,
             "name":"dbserver1.public.users.Key"}""";
    private static final String ROW_SCHEMA = """
            {"type":"struct","optional":true,"name":"dbserver1.public.users.Value","fields":[
              {"type":"int32","optional":false,"field":"id"},
              {"type":"string","optional":true,"field":"name"},
              {"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,
               "parameters":{"scale":"2","connect.decimal.precision":"12"},"field":"price"},
              {"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"listed"}]}""";
    private static final String SOURCE_SCHEMA = """
            {"type":"struct","optional":false,"name":"io.debezium.connector.postgresql.Source","fields":[
              {"type":"string","optional":false,"field":"connector"},
              {"type":"int64","optional":false,"field":"ts_ms"},
              {"type":"string","optional":true,"field":"snapshot"},
              {"type":"string","optional":false,"field":"schema"},
              {"type":"string","optional":false,"field":"table"},
              {"type":"string","optional":true,"field":"sequence"},
              {"type":"int64","optional":true,"field":"txId"},
              {"type":"int64","optional":true,"field":"lsn"}]}""";
    private static final String ENVELOPE_SCHEMA = """
            {"type":"struct","optional":false,"name":"dbserver1.public.users.Envelope","fields":[
              %s, %s, %s,
              {"type":"string","optional":false,"field":"op"},
              {"type":"int64","optional":true,"field":"ts_ms"}]}""".formatted(
            ROW_SCHEMA.replace("\"name\":\"dbserver1.public.users.Value\"", "\"name\":\"dbserver1.public.users.Value\",\"field\":\"before\""),
            ROW_SCHEMA.replace("\"name\":\"dbserver1.public.users.Value\"", "\"name\":\"dbserver1.public.users.Value\",\"field\":\"after\""),
            SOURCE_SCHEMA.replace("\"optional\":false,\"name\":\"io.debezium", "\"optional\":false,\"field\":\"source\",\"name\":\"io.debezium"));

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(int id) {
        return bytes("{\"schema\":" + KEY_SCHEMA + ",\"payload\":{\"id\":" + id + "}}");
    }

    /** 123.45 is the unscaled 12345, 0x3039: base64 "MDk=". */
    private static byte[] envelope(String op, String after, String sequence, long lsn) {
        return bytes("{\"schema\":" + ENVELOPE_SCHEMA + ",\"payload\":{\"before\":null,\"after\":" + after
                + ",\"source\":{\"connector\":\"postgresql\",\"ts_ms\":1764160000000,\"snapshot\":\"false\","
                + "\"schema\":\"public\",\"table\":\"users\",\"sequence\":" + sequence + ",\"txId\":771,\"lsn\":"
                + lsn + "},\"op\":\"" + op + "\",\"ts_ms\":1764160000100}}");
    }

    private static final String ADA = "{\"id\":42,\"name\":\"Ada\",\"price\":\"MDk=\",\"listed\":\"2026-01-01T10:00:00Z\"}";

    private final DebeziumEvents postgres = new DebeziumEvents(new DebeziumEvents.Settings(Connector.POSTGRESQL,
            Format.ENVELOPE, true, null, null));

    @Test
    void shouldWriteAStreamedPostgresChangeAsWarmersOwnCaptureWould() throws Exception {
        var translated = postgres.translate(TOPIC, USERS, key(42),
                envelope("u", ADA, "\"[\\\"23480880\\\",\\\"23480912\\\"]\"", 23480912), new RecordHeaders());

        assertThat(translated.key()).isEqualTo("{\"id\":42}");
        assertThat(translated.version()).isEqualTo(Version.of(23480880, 23480912));
        JsonNode change = JSON.readTree(translated.value());
        assertThat(change.get("op").asText()).isEqualTo("u");
        assertThat(change.get("table").asText()).isEqualTo("public.users");
        assertThat(change.get("row").toString())
                .isEqualTo("{\"id\":42,\"name\":\"Ada\",\"price\":123.45,\"listed\":\"2026-01-01T10:00:00Z\"}");
    }

    @Test
    void shouldOrderASnapshotReadBeforeEveryStreamedChange() {
        var read = postgres.translate(TOPIC, USERS, key(42), envelope("r", ADA, "\"[null,\\\"900\\\"]\"", 900), null);
        // A transaction in flight when the snapshot began: written below its position, committed after it.
        var inFlight = postgres.translate(TOPIC, USERS, key(42), envelope("u", ADA, "\"[null,\\\"850\\\"]\"", 850), null);

        assertThat(inFlight.version().isNewerThan(read.version())).isTrue();
    }

    @Test
    void shouldPlaceTheReadsOfASecondSnapshot() throws Exception {
        Version floor = Version.of(23480880, 23480912).then(17);
        var read = postgres.translate(TOPIC, USERS, key(42), envelope("r", ADA, "\"[null,\\\"900\\\"]\"", 900), null,
                new DebeziumEvents.Placement(floor));

        assertThat(read.version()).isEqualTo(floor);
        assertThat(read.streamed()).isNull();
        assertThat(read.read()).isEqualTo(DebeziumEvents.SnapshotRead.BLOCKING);
        assertThat(read.exists()).isTrue();
        assertThat(JSON.readTree(read.value()).get("op").asText()).isEqualTo("r");

        var streamed = postgres.translate(TOPIC, USERS, key(42),
                envelope("u", ADA, "\"[\\\"23490000\\\",\\\"23490100\\\"]\"", 23490100), null,
                new DebeziumEvents.Placement(floor));
        assertThat(streamed.version()).as("a streamed change keeps its position").isEqualTo(Version.of(23490000, 23490100));
        assertThat(streamed.streamed()).isEqualTo(streamed.version());
        assertThat(streamed.read()).isEqualTo(DebeziumEvents.SnapshotRead.NONE);
    }

    @Test
    void shouldPassATombstoneOn() {
        var tombstone = postgres.translate(TOPIC, USERS, key(42), null, null);

        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.key()).isEqualTo("{\"id\":42}");
    }

    @Test
    void shouldReadJsonWithoutSchemas() throws Exception {
        var schemaless = new DebeziumEvents(new DebeziumEvents.Settings(Connector.POSTGRESQL, Format.ENVELOPE, false,
                null, null));
        var translated = schemaless.translate(TOPIC, USERS, bytes("{\"id\":42}"), bytes("""
                {"before":null,"after":{"id":42,"name":"Ada","price":"123.45","score":1.5},
                 "source":{"schema":"public","table":"users","sequence":"[\\"100\\",\\"120\\"]","lsn":120,"ts_ms":1},
                 "op":"c","ts_ms":2}"""), null);

        assertThat(translated.version()).isEqualTo(Version.of(100, 120));
        assertThat(JSON.readTree(translated.value()).get("row").toString())
                .isEqualTo("{\"id\":42,\"name\":\"Ada\",\"price\":\"123.45\",\"score\":1.5}");
    }

    @Test
    void shouldReadRowsUnwrappedByExtractNewRecordState() throws Exception {
        var unwrapped = new DebeziumEvents(new DebeziumEvents.Settings(Connector.POSTGRESQL, Format.UNWRAPPED, false,
                null, null));
        var update = unwrapped.translate(TOPIC, USERS, bytes("{\"id\":42}"), bytes(
                "{\"id\":42,\"name\":\"Ada\",\"__op\":\"u\",\"__lsn\":520,\"__sequence\":\"[\\\"500\\\",\\\"520\\\"]\","
                        + "\"__deleted\":\"false\"}"), null);
        var delete = unwrapped.translate(TOPIC, USERS, bytes("{\"id\":42}"), bytes(
                "{\"id\":42,\"name\":\"Ada\",\"__op\":\"d\",\"__lsn\":640,\"__sequence\":\"[\\\"600\\\",\\\"640\\\"]\","
                        + "\"__deleted\":\"true\"}"), null);

        assertThat(update.version()).isEqualTo(Version.of(500, 520));
        assertThat(JSON.readTree(update.value()).get("row").toString()).isEqualTo("{\"id\":42,\"name\":\"Ada\"}");
        assertThat(JSON.readTree(delete.value()).get("op").asText()).isEqualTo("d");
        assertThat(JSON.readTree(delete.value()).has("row")).isFalse();
        assertThat(delete.version().isNewerThan(update.version())).isTrue();
    }

    @Test
    void shouldSayWhatIsMissingFromAnUnwrappedRowWithoutItsPosition() {
        var unwrapped = new DebeziumEvents(new DebeziumEvents.Settings(Connector.POSTGRESQL, Format.UNWRAPPED, false,
                null, null));

        assertThatThrownBy(() -> unwrapped.translate(TOPIC, USERS, bytes("{\"id\":42}"),
                bytes("{\"id\":42,\"name\":\"Ada\"}"), null))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageContaining("has no [__op, __lsn]")
                .hasMessageContaining("add.fields=op,lsn,sequence");
    }

    @Test
    void shouldSayWhatWasFoundAndWhatWasExpected() {
        assertThatThrownBy(() -> postgres.translate(TOPIC, USERS, key(1), bytes("{\"hello\":\"world\"}"), null))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageContaining("is not JSON with a schema and a payload")
                .hasMessageContaining("schemas: false");
        var schemaless = new DebeziumEvents(new DebeziumEvents.Settings(Connector.POSTGRESQL, Format.ENVELOPE, false,
                null, null));
        assertThatThrownBy(() -> schemaless.translate(TOPIC, USERS, bytes("{\"id\":1}"), bytes("{\"hello\":\"world\"}"),
                null))
                .hasMessageContaining("has fields [hello], expected Debezium's envelope (op, source, before, after)");
        assertThatThrownBy(() -> schemaless.translate(TOPIC, USERS, bytes("{\"id\":1}"),
                bytes("{\"id\":1,\"__op\":\"c\",\"__lsn\":5}"), null))
                .hasMessageContaining("format: unwrapped");
        assertThatThrownBy(() -> schemaless.translate(TOPIC, USERS, bytes("{\"id\":1}"), bytes("not json"), null))
                .hasMessageContaining("is not JSON");
    }

    @Test
    void shouldOrderMysqlChangesByTheirBinlogCoordinates() {
        var mysql = new DebeziumEvents(new DebeziumEvents.Settings(Connector.MYSQL, Format.ENVELOPE, false, null, null));
        TableId items = TableId.parse("shop.items");
        String event = """
                {"before":null,"after":{"id":7,"name":"x"},"source":{"db":"shop","table":"items","file":"%s",
                 "pos":%d,"row":%d,"ts_ms":1},"op":"u","ts_ms":2}""";
        var first = mysql.translate("m.shop.items", items, bytes("{\"id\":7}"),
                bytes(event.formatted("mysql-bin.000003", 9_000, 1)), null);
        var sameEventNextRow = mysql.translate("m.shop.items", items, bytes("{\"id\":7}"),
                bytes(event.formatted("mysql-bin.000003", 9_000, 2)), null);
        var nextFile = mysql.translate("m.shop.items", items, bytes("{\"id\":7}"),
                bytes(event.formatted("mysql-bin.000004", 4, 0)), null);

        assertThat(sameEventNextRow.version().isNewerThan(first.version())).isTrue();
        assertThat(nextFile.version().isNewerThan(sameEventNextRow.version())).isTrue();
        assertThat(first.table()).isEqualTo(items);
    }
}
