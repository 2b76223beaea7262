package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.warmer.change.ChangeTopics;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every PostgreSQL type the README documents, from a real row to the bytes an application reads. */
@ExtendWith(WarmerInfrastructure.class)
class ValueRenderingIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void shouldRenderColumnsTheWayTheReadmeSays(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("""
                CREATE TABLE typed (
                  id bigint PRIMARY KEY, price numeric(10,2), big numeric, ratio double precision, active boolean,
                  created_at timestamptz, local_at timestamp(6), day date, at_time time, doc jsonb, raw bytea,
                  tags text[], ref uuid, note text)""",
                """
                INSERT INTO typed VALUES (1, 10.50, 12345678901234567890.0001, 0.25, true,
                  '2024-01-01 12:00:00.123+00', '2024-01-01 12:00:00.123456', '2024-01-31', '12:34:56',
                  '{"a": [1, 2], "b": {"c": null}}', '\\x010203', ARRAY['x', 'y'],
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL)""",
                "INSERT INTO typed (id, ratio) VALUES (2, 'NaN')");
        String prefix = infra.uniqueName("typed");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db,
                "  - {name: typed, table: typed, key: \"" + prefix + ":${id}\"}\n"));
        String topicPrefix = config.kafka().topicPrefix();

        RedisClient client = RedisClient.create(infra.redisUri());
        try (WarmerService warmer = WarmerService.start(config); var redis = client.connect()) {
            await().atMost(WAIT).until(() -> redis.sync().get(prefix + ":1") != null);
            String cached = redis.sync().get(prefix + ":1");
            JsonNode value = new ObjectMapper().readTree(cached);

            assertThat(cached).contains("\"price\":10.50", "\"big\":12345678901234567890.0001");
            assertThat(value.get("ratio").asDouble()).isEqualTo(0.25);
            assertThat(value.get("active").booleanValue()).isTrue();
            assertThat(value.get("created_at").asText()).isEqualTo("2024-01-01T12:00:00.123Z");
            assertThat(value.get("local_at").asText()).isEqualTo("2024-01-01T12:00:00.123456");
            assertThat(value.get("day").asText()).isEqualTo("2024-01-31");
            assertThat(value.get("at_time").asText()).isEqualTo("12:34:56");
            assertThat(value.get("doc").toString()).isEqualTo("{\"a\":[1,2],\"b\":{\"c\":null}}");
            assertThat(value.get("raw").asText()).isEqualTo("AQID");
            assertThat(value.get("tags").toString()).isEqualTo("[\"x\",\"y\"]");
            assertThat(value.get("ref").asText()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
            assertThat(value.get("note").isNull()).isTrue();

            ConsumerRecord<String, String> letter = firstDeadLetter(infra, ChangeTopics.deadLetterTopic(topicPrefix));
            assertThat(letter.key()).contains("2");
            assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("column 'ratio' holds NaN, which JSON cannot represent");
            assertThat(redis.sync().exists(prefix + ":2")).isZero();
        } finally {
            client.shutdown();
        }
    }

    private static ConsumerRecord<String, String> firstDeadLetter(TestInfra infra, String topic) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlt-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record on " + topic + " within " + WAIT);
    }
}
