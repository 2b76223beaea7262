package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.DeadLetterHeaders;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
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

    @Test
    void shouldNameTheTopicOfEveryTable() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(YAML, "warmer.yml");

        assertThat(DebeziumTopicsTopology.inputTopics(config)).containsExactly("dbserver1.public.users", "renamed.orders");
    }
}
