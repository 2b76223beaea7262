package io.warmer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(WarmerInfrastructure.class)
class WarmerInfrastructureIT {

    @Test
    void postgresDecodesLogically(TestInfra infra) throws Exception {
        TestDatabase database = infra.postgres().newDatabase();
        String slot = infra.uniqueName("slot");
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            try (ResultSet walLevel = statement.executeQuery("SHOW wal_level")) {
                walLevel.next();
                assertThat(walLevel.getString(1)).isEqualTo("logical");
            }
            try (ResultSet created = statement.executeQuery(
                    "SELECT slot_name FROM pg_create_logical_replication_slot('" + slot + "', 'pgoutput')")) {
                created.next();
                assertThat(created.getString(1)).isEqualTo(slot);
            }
            statement.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void everyNewDatabaseIsDistinctAndUsable(TestInfra infra) throws Exception {
        TestDatabase first = infra.postgres().newDatabase();
        TestDatabase second = infra.postgres().newDatabase();

        assertThat(first.name()).isNotEqualTo(second.name());
        first.execute("CREATE TABLE only_in_first (id int PRIMARY KEY)", "INSERT INTO only_in_first VALUES (1)");
        try (Connection connection = second.connect(); Statement statement = connection.createStatement();
                ResultSet tables = statement.executeQuery(
                        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'only_in_first'")) {
            tables.next();
            assertThat(tables.getInt(1)).isZero();
        }
    }

    @Test
    void uniqueNamesAreSafeIdentifiers(TestInfra infra) {
        String a = infra.uniqueName("My-Topic.Prefix");
        String b = infra.uniqueName("My-Topic.Prefix");

        assertThat(a).matches("[a-z][a-z0-9_]*").startsWith("my_topic_prefix_").isNotEqualTo(b);
    }

    @Test
    void kafkaDeliversARecord(TestInfra infra) throws Exception {
        String topic = infra.uniqueName("infra_check");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                infra.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }

        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", "value")).get();
        }

        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, infra.uniqueName("infra_check_group"));
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }
        assertThat(received).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("key");
            assertThat(record.value()).isEqualTo("value");
        });
    }

    @Test
    void redisStoresAndReturnsAValue(TestInfra infra) {
        String key = infra.uniqueName("infra_check") + ":greeting";
        RedisClient client = RedisClient.create(infra.redisUri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().set(key, "hello");
            assertThat(connection.sync().get(key)).isEqualTo("hello");
        } finally {
            client.shutdown();
        }
    }
}
