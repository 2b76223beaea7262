package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.Version;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** The translation of a Debezium deployment's topics into Warmer's change topics, record by record. */
class DebeziumTopicsTopologyTest {

    private static final String YAML = """
            source:
              debezium-topics: {topic-prefix: dbserver1, schemas: false, topics: {public.orders: renamed.orders}}
              postgres: {host: unused, database: app, user: reader}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: warm}
            redis: {uri: "redis://unused:6379"}
            families:
              - {name: user, table: users, key: "user:${id}"}
              - {name: order, table: orders, key: "order:${id}"}
            """;

    private static TopologyTestDriver driver(SinkCounters counters) {
        WarmerConfig config = new ConfigLoader(name -> null).parse(YAML, "warmer.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new TopologyTestDriver(DebeziumTopicsTopology.build(config, counters), props);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteEachEventToItsTablesChangeTopicAndSetAsideWhatIsNoEvent() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(YAML, "warmer.yml");
        SinkCounters counters = new SinkCounters();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (var driver = new TopologyTestDriver(DebeziumTopicsTopology.build(config, counters), props)) {
            var users = driver.createInputTopic("dbserver1.public.users", new ByteArraySerializer(), new ByteArraySerializer());
            var orders = driver.createInputTopic("renamed.orders", new ByteArraySerializer(), new ByteArraySerializer());
            var userChanges = driver.createOutputTopic("warm.public.users", new StringDeserializer(), new StringDeserializer());
            var orderChanges = driver.createOutputTopic("warm.public.orders", new StringDeserializer(), new StringDeserializer());
            var deadLetters = driver.createOutputTopic("warm.dead-letter", new StringDeserializer(), new StringDeserializer());

            users.pipeInput(bytes("{\"id\":1}"), bytes("""
                    {"before":null,"after":{"id":1,"name":"Ada"},"source":{"schema":"public","table":"users",
                     "sequence":"[\\"10\\",\\"12\\"]","lsn":12,"ts_ms":1},"op":"c","ts_ms":2}"""));
            users.pipeInput(bytes("{\"id\":1}"), bytes("{\"hello\":\"world\"}"));
            users.pipeInput(bytes("{\"id\":1}"), (byte[]) null);
            orders.pipeInput(bytes("{\"id\":7}"), bytes("""
                    {"before":{"id":7},"after":null,"source":{"schema":"public","table":"orders",
                     "sequence":"[\\"20\\",\\"22\\"]","lsn":22,"ts_ms":1},"op":"d","ts_ms":2}"""));

            var created = userChanges.readKeyValue();
            assertThat(created.key).isEqualTo("{\"id\":1}");
            assertThat(created.value).contains("\"op\":\"c\"").contains("\"row\":{\"id\":1,\"name\":\"Ada\"}")
                    .contains("\"version\":\"00000000000000000010.00000000000000000012\"");
            var tombstone = userChanges.readKeyValue();
            assertThat(tombstone.key).isEqualTo("{\"id\":1}");
            assertThat(tombstone.value).isNull();
            assertThat(userChanges.isEmpty()).isTrue();
            assertThat(orderChanges.readKeyValue().value).contains("\"op\":\"d\"");

            var letter = deadLetters.readRecord();
            assertThat(letter.value()).isEqualTo("{\"hello\":\"world\"}");
            assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .contains("has fields [hello], expected Debezium's envelope");
            assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.SOURCE_TOPIC).value(),
                    StandardCharsets.UTF_8)).isEqualTo("dbserver1.public.users");
            assertThat(counters.deadLetteredByFamily().getOrDefault(SinkCounters.UNATTRIBUTED, 0L)).isEqualTo(1L);
        }
    }

    private static String event(String op, String sequence, long lsn) {
        return event(1, op, sequence, lsn, null);
    }

    private static String event(int id, String op, String sequence, long lsn, String snapshot) {
        String row = "{\"id\":" + id + ",\"name\":\"" + op + lsn + "\"}";
        return """
                {"before":%s,"after":%s,"source":{"schema":"public","table":"users",%s%s"lsn":%d,"ts_ms":1},
                 "op":"%s","ts_ms":2}""".formatted(op.equals("d") ? row : "null", op.equals("d") ? "null" : row,
                snapshot == null ? "" : "\"snapshot\":\"" + snapshot + "\",",
                sequence == null ? "" : "\"sequence\":\"" + sequence.replace("\"", "\\\"") + "\",", lsn, op);
    }

    private static String key(int id) {
        return "{\"id\":" + id + "}";
    }

    /**
     * Rows a second snapshot does not read again were deleted while the connector did not stream: once the run of
     * its reads ends (the stream goes on, its last read comes, or the partition stays quiet), they are deleted below
     * every read of the run.
     */
    @Test
    void shouldDeleteTheRowsASecondSnapshotDidNotReadAgain() {
        try (var driver = driver(new SinkCounters())) {
            var users = driver.createInputTopic("dbserver1.public.users", new ByteArraySerializer(), new ByteArraySerializer());
            var changes = driver.createOutputTopic("warm.public.users", new StringDeserializer(), new StringDeserializer());
            for (int id = 1; id <= 4; id++) {
                users.pipeInput(bytes(key(id)), bytes(event(id, "r", null, 5, "true")));       // offsets 0-3
            }
            users.pipeInput(bytes(key(1)), bytes(event(1, "u", "[\"10\",\"12\"]", 12, null)));  // 4
            users.pipeInput(bytes(key(4)), bytes(event(4, "d", "[\"20\",\"22\"]", 22, null)));  // 5: streamed
            users.pipeInput(bytes(key(4)), (byte[]) null);                                        // 6
            changes.readKeyValuesToList();
            // The connector is reset; rows 2 and 3 are deleted meanwhile, row 5 inserted.
            users.pipeInput(bytes(key(1)), bytes(event(1, "r", null, 40, "first")));            // 7: a second snapshot
            users.pipeInput(bytes(key(5)), bytes(event(5, "r", null, 40, "true")));             // 8

            assertThat(changes.readKeyValuesToList()).as("nothing deleted while the run goes on").hasSize(2);

            users.pipeInput(bytes(key(5)), bytes(event(5, "u", "[\"50\",\"52\"]", 52, null)));  // 9: the stream goes on
            var after = changes.readKeyValuesToList();
            assertThat(after).extracting(kv -> kv.key).containsExactly(key(2), key(3), key(5));
            String floor = Version.of(20, 22).then(7).text();
            assertThat(after.get(0).value).contains("\"op\":\"d\"").contains("\"version\":\"" + floor + "\"")
                    .contains("\"before\":{\"id\":2}").contains("\"table\":\"public.users\"");
            assertThat(after.get(2).value).contains("\"op\":\"u\"");

            // A third snapshot, ended by its last read, and one ended by quiet.
            users.pipeInput(bytes(key(1)), bytes(event(1, "r", null, 60, "first")));            // 10
            users.pipeInput(bytes(key(5)), bytes(event(5, "r", null, 60, "last")));             // 11
            assertThat(changes.readKeyValuesToList()).extracting(kv -> kv.key).as("row 5 read, nothing gone")
                    .containsExactly(key(1), key(5));
            users.pipeInput(bytes(key(1)), bytes(event(1, "u", "[\"70\",\"72\"]", 72, null)));  // 12
            users.pipeInput(bytes(key(1)), bytes(event(1, "r", null, 80, "first")));            // 13
            driver.advanceWallClockTime(DebeziumTopicsTopology.RUN_QUIET.plusSeconds(10));
            assertThat(changes.readKeyValuesToList()).extracting(kv -> kv.key).as("row 5 not read again: quiet")
                    .containsExactly(key(1), key(1), key(5));
        }
    }

    /**
     * The connector's first snapshot orders before everything streamed; a second snapshot (its slot or offsets were
     * reset) after what was streamed before it and before what is streamed after.
     */
    @Test
    void shouldPlaceTheRowsOfASecondSnapshotBetweenWhatWasStreamedBeforeAndAfter() {
        try (var driver = driver(new SinkCounters())) {
            var users = driver.createInputTopic("dbserver1.public.users", new ByteArraySerializer(), new ByteArraySerializer());
            var changes = driver.createOutputTopic("warm.public.users", new StringDeserializer(), new StringDeserializer());
            byte[] key = bytes("{\"id\":1}");

            users.pipeInput(key, bytes(event("r", null, 5)));                    // offset 0: the first snapshot
            users.pipeInput(key, bytes(event("u", "[\"10\",\"12\"]", 12)));      // 1
            users.pipeInput(key, bytes(event("u", "[\"20\",\"22\"]", 22)));      // 2
            users.pipeInput(key, bytes(event("r", null, 30)));                   // 3: a second snapshot
            users.pipeInput(key, bytes(event("u", "[\"40\",\"42\"]", 42)));      // 4

            List<String> values = changes.readValuesToList();
            assertThat(values.get(3)).as("the second snapshot's read").contains("\"op\":\"r\"")
                    .contains("\"row\":{\"id\":1,\"name\":\"r30\"}");
            List<String> versions = values.stream()
                    .map(v -> v.replaceAll(".*\"version\":\"([0-9.]+)\".*", "$1").replaceAll("0{2,}(?=[0-9])", ""))
                    .toList();
            assertThat(versions).containsExactly("0.5", "10.12", "20.22", "20.22.3", "40.42");
            var second = Version.of(20, 22).then(3);
            assertThat(second.isNewerThan(Version.of(20, 22))).isTrue();
            assertThat(Version.of(40, 42).isNewerThan(second)).isTrue();
        }
    }

    @Test
    void shouldNameTheTopicOfEveryTable() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(YAML, "warmer.yml");

        assertThat(DebeziumTopicsTopology.inputTopics(config)).containsExactly("dbserver1.public.users", "renamed.orders");
    }
}
