package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.change.ChangeTopics;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.SnapshotMarker;
import io.warmer.change.TableId;
import io.warmer.config.RedisSettings;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole warm path on real servers: PostgreSQL → Debezium → Kafka → Streams → Redis. */
@ExtendWith(WarmerInfrastructure.class)
class WarmPathIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROWS = 50;

    private TestInfra infra;
    private TestDatabase db;
    private String configYaml;
    private WarmerConfig config;
    private String keyPrefix;
    private RedisClient redisClient;
    private StatefulRedisConnection<String, String> redisConnection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void createTableAndConfig(TestInfra infra) {
        this.infra = infra;
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text, secret text)",
                "INSERT INTO users SELECT i, 'user ' || i, 'u' || i || '@example.com', 'hush'"
                        + " FROM generate_series(1, " + ROWS + ") i");
        keyPrefix = infra.uniqueName("it");
        configYaml = TestConfigs.yaml(infra, db, """
                  - name: profile-v2
                    table: users
                    key: "%s:v2:user:${id}:profile"
                    columns: [id, name, email]
                    ttl: 1h
                """.formatted(keyPrefix));
        config = TestConfigs.parse(configYaml);
        redisClient = RedisClient.create(infra.redisUri());
        redisConnection = redisClient.connect();
        redis = redisConnection.sync();
    }

    @AfterEach
    void closeRedis() {
        redisConnection.close();
        redisClient.shutdown();
    }

    private String key(long id) {
        return keyPrefix + ":v2:user:" + id + ":profile";
    }

    @Test
    void shouldSnapshotAnExistingTableIntoRedisInTheNewKeyFormat() {
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> redis.exists(key(ROWS)) > 0 && redis.keys(keyPrefix + ":*").size() == ROWS);

            assertThat(redis.get(key(7))).isEqualTo("{\"id\":7,\"name\":\"user 7\",\"email\":\"u7@example.com\"}");
            await().atMost(WAIT).until(() -> warmer.capture().snapshotCompleted());
            assertThat(redis.ttl(key(7))).isBetween(3500L, 3600L);
        }
    }

    @Test
    void shouldSpreadTheTtlsOfAKeyspaceWarmedInOneBurst() {
        WarmerConfig jittered = TestConfigs.parse(configYaml.replace("ttl: 1h", "ttl: 1h\n    ttl-jitter: 10%"));
        try (WarmerService warmer = WarmerService.start(jittered)) {
            await().atMost(WAIT).until(() -> redis.keys(keyPrefix + ":*").size() == ROWS);

            java.util.Set<Long> ttls = new java.util.TreeSet<>();
            for (long id = 1; id <= ROWS; id++) {
                long ttl = redis.ttl(key(id));
                assertThat(ttl).as("TTL of %s", key(id)).isBetween(3240L - 5, 3960L);
                ttls.add(ttl);
            }
            assertThat(ttls).as("distinct TTLs among %d keys written in one burst", ROWS).hasSizeGreaterThan(ROWS / 2);
            assertThat(ttls.iterator().next()).as("shortest").isLessThan(3500L);
            assertThat(((java.util.TreeSet<Long>) ttls).last()).as("longest").isGreaterThan(3700L);
        }
    }

    @Test
    void shouldApplyInsertsUpdatesAndDeletesMadeWhileStreaming() {
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> redis.exists(key(ROWS)) > 0);

            db.execute("INSERT INTO users VALUES (1001, 'new', 'n@example.com', 'x')",
                    "UPDATE users SET name = 'renamed' WHERE id = 1",
                    "DELETE FROM users WHERE id = 2");

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(redis.get(key(1001))).isEqualTo("{\"id\":1001,\"name\":\"new\",\"email\":\"n@example.com\"}");
                assertThat(redis.get(key(1))).contains("\"name\":\"renamed\"");
                assertThat(redis.exists(key(2))).isZero();
            });
        }
    }

    @Test
    void shouldResumeFromStoredOffsetsAfterARestartWithoutASecondSnapshot() {
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> redis.keys(keyPrefix + ":*").size() == ROWS);
        }

        db.execute("UPDATE users SET name = 'changed while stopped' WHERE id = 3",
                "INSERT INTO users VALUES (2002, 'born while stopped', null, 'x')",
                "DELETE FROM users WHERE id = 4");

        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> warmer.capture().snapshotCompleted());
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(redis.get(key(3))).contains("changed while stopped");
                assertThat(redis.get(key(2002))).contains("born while stopped");
                assertThat(redis.exists(key(4))).isZero();
            });
        }
        assertThat(snapshotRecordsOnTheTopic()).as("rows read by a snapshot").isEqualTo(ROWS);
    }

    @Test
    void shouldLoseNothingWhenRedisStallsLongerThanTheWriteTimeout() {
        WarmerConfig impatient = new WarmerConfig(config.source(), config.kafka(),
                new RedisSettings(config.redis().uri(), null, Duration.ofSeconds(2)), config.families());
        try (WarmerService warmer = WarmerService.start(impatient)) {
            await().atMost(WAIT).until(() -> redis.keys(keyPrefix + ":*").size() == ROWS);

            redis.clientPause(6_000); // every client, Warmer's writes included, waits 6 s
            db.execute("UPDATE users SET name = 'written during the stall' WHERE id <= 20");

            await().atMost(WAIT).untilAsserted(() -> {
                for (long id = 1; id <= 20; id++) {
                    assertThat(redis.get(key(id))).contains("written during the stall");
                }
            });
            assertThat(warmer.failure()).as("the pipeline survives the stall").isNotDone();
        }
    }

    @Test
    void shouldShareThePartitionsBetweenMaterializeOnlyProcesses() {
        try (WarmerService capture = WarmerService.start(config, Role.CAPTURE);
             WarmerService first = WarmerService.start(config, Role.MATERIALIZE);
             WarmerService second = WarmerService.start(config, Role.MATERIALIZE)) {
            // Streams may follow a rebalance with another: wait for an assignment that holds.
            await().during(Duration.ofSeconds(3)).atMost(WAIT)
                    .until(() -> first.activeTasks() == 1 && second.activeTasks() == 1);
            long firstBefore = first.counters().puts();
            long secondBefore = second.counters().puts();

            db.execute("INSERT INTO users SELECT i, 'later ' || i, null, 'x' FROM generate_series(3001, 3200) i");

            await().atMost(WAIT).until(() -> redis.keys(keyPrefix + ":*").size() == ROWS + 200);
            // Writes reach Redis within milliseconds; the counters learn of them at the next commit.
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(first.counters().puts()).as("writes of the first process").isGreaterThan(firstBefore);
                assertThat(second.counters().puts()).as("writes of the second process").isGreaterThan(secondBefore);
            });
            assertThat(capture.counters().puts()).as("the capture-only process writes nothing").isZero();
        }
    }

    @Test
    void shouldRefuseToMaterializeBeforeAnyCaptureCreatedTheTopics() {
        assertThatThrownBy(() -> WarmerService.start(config, Role.MATERIALIZE))
                .hasMessageContaining("do not exist on Kafka at " + infra.kafkaBootstrapServers())
                .hasMessageEndingWith("start a process with --role capture (or all) for this configuration first.");
    }

    private long snapshotRecordsOnTheTopic() {
        String topic = ChangeTopics.topicFor(config.kafka().topicPrefix(), TableId.parse("users"));
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "count-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long snapshots = 0;
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long idleSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - idleSince < 3_000) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    idleSince = System.currentTimeMillis();
                }
                for (ConsumerRecord<String, String> record : records) {
                    if (record.value() != null && !SnapshotMarker.isControl(record.headers())
                            && RowChangeCodec.read(record.value()).op().code().equals("r")) {
                        snapshots++;
                    }
                }
            }
        }
        return snapshots;
    }
}
