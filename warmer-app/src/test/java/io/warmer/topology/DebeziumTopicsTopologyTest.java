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
        String row = "{\"id\":1,\"name\":\"" + op + lsn + "\"}";
        return """
                {"before":null,"after":%s,"source":{"schema":"public","table":"users",%s"lsn":%d,"ts_ms":1},
                 "op":"%s","ts_ms":2}""".formatted(row, sequence == null ? ""
                : "\"sequence\":\"" + sequence.replace("\"", "\\\"") + "\",", lsn, op);
    }

    /**
     * The connector's first snapshot orders before everything streamed; a second snapshot (its slot or offsets were
     * reset) after what was streamed before it and before what is streamed after; a change that carries no position
     * and lies before what was streamed (the first on a new slot) deletes its row rather than be misordered.
     */
    @Test
    void shouldPlaceTheRowsOfASecondSnapshotBetweenWhatWasStreamedBeforeAndAfter() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(YAML, "warmer.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (var driver = new TopologyTestDriver(DebeziumTopicsTopology.build(config, new SinkCounters()), props)) {
            var users = driver.createInputTopic("dbserver1.public.users", new ByteArraySerializer(), new ByteArraySerializer());
            var changes = driver.createOutputTopic("warm.public.users", new StringDeserializer(), new StringDeserializer());
            byte[] key = bytes("{\"id\":1}");

            users.pipeInput(key, bytes(event("r", null, 5)));                    // offset 0: the first snapshot
            users.pipeInput(key, bytes(event("u", "[\"10\",\"12\"]", 12)));      // 1
            users.pipeInput(key, bytes(event("u", "[\"20\",\"22\"]", 22)));      // 2
            users.pipeInput(key, bytes(event("r", null, 30)));                   // 3: a second snapshot
            users.pipeInput(key, bytes(event("u", "[\"40\",\"42\"]", 42)));      // 4
            users.pipeInput(key, bytes(event("u", "[null,\"15\"]", 15)));        // 5: no position, before 40.42

            List<String> values = changes.readValuesToList();
            assertThat(values.get(3)).as("the second snapshot's read").contains("\"op\":\"r\"")
                    .contains("\"row\":{\"id\":1,\"name\":\"r30\"}");
            assertThat(values.get(5)).as("the change without a position").contains("\"op\":\"d\"")
                    .contains("\"before\":{\"id\":1,\"name\":\"u15\"}").doesNotContain("\"row\"");
            List<String> versions = values.stream()
                    .map(v -> v.replaceAll(".*\"version\":\"([0-9.]+)\".*", "$1").replaceAll("0{2,}(?=[0-9])", ""))
                    .toList();
            assertThat(versions).containsExactly("0.5", "10.12", "20.22", "20.22.3", "40.42", "40.42.5");
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
