package io.warmer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.warmer.change.Version;
import io.warmer.config.RedisSettings;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisUnavailableException;
import io.warmer.embedded.FreePort;
import io.warmer.family.CacheWrite;
import io.warmer.family.Fencing;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sink on a real three-master Redis Cluster: writes routed per node, fencing within one slot. */
@ExtendWith(WarmerInfrastructure.class)
class RedisClusterIT {

    private static final Fencing TOMBSTONE_10_MIN = new Fencing(true, Duration.ofMinutes(10));

    private final SinkCounters counters = new SinkCounters();
    private Redis process;
    private RedisCacheWriterFactory writers;
    private CacheWriter writer;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;
    private RedisAdvancedClusterCommands<String, String> redis;
    private String prefix;

    @BeforeEach
    void connect(TestInfra infra) {
        String uri = infra.redisClusterUri();
        process = Redis.of(new RedisSettings(uri, null, null, RedisSettings.Mode.CLUSTER));
        writers = RedisCacheWriterFactory.connect(process, counters);
        writer = writers.open("cluster-test");
        client = RedisClusterClient.create(uri);
        connection = client.connect();
        redis = connection.sync();
        prefix = infra.uniqueName("cluster");
    }

    @AfterEach
    void close() {
        writer.close();
        process.close();
        connection.close();
        client.shutdown();
    }

    private void apply(CacheWrite... writes) {
        for (CacheWrite write : writes) {
            writer.submit("test", write);
        }
        writer.awaitAcknowledged();
    }

    private static CacheWrite put(String key, String value, long version) {
        return new CacheWrite.Put(key, value, null, Version.legacy(version), TOMBSTONE_10_MIN);
    }

    private String masterOf(String key) {
        return connection.getPartitions().getMasterBySlot(SlotHash.getSlot(key)).getNodeId();
    }

    @Test
    void shouldApplyFencedWritesForKeysSpreadOverEveryMaster() {
        List<String> keys = new ArrayList<>();
        for (int id = 0; id < 1_000; id++) {
            keys.add(prefix + ":user:" + id + ":profile");
        }

        keys.forEach(key -> writer.submit("test", put(key, "value-of-" + key, 7)));
        writer.awaitAcknowledged();

        assertThat(keys.stream().map(this::masterOf).collect(Collectors.toSet())).hasSize(3);
        for (String key : keys) {
            assertThat(redis.get(key)).as(key).isEqualTo("value-of-" + key);
        }
        assertThat(counters.puts()).isEqualTo(1_000);
        assertThat(counters.fenced()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {":user:42:profile", ":{user:42}:profile", ":odd}key"})
    void shouldFenceAnOlderWriteWithTheVersionKeyInTheKeysSlot(String suffix) {
        String key = prefix + suffix;
        String versionKey = FencedWrites.versionKeyOf(key);

        apply(put(key, "new", 10), put(key, "old", 5));

        assertThat(redis.clusterKeyslot(versionKey)).isEqualTo(redis.clusterKeyslot(key));
        assertThat(redis.get(key)).isEqualTo("new");
        assertThat(redis.get(versionKey)).isEqualTo("00000000000000000010");
        assertThat(counters.puts()).isEqualTo(2);
        assertThat(counters.fenced()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {":user:42:profile", ":{user:42}:profile"})
    void shouldNotResurrectADeletedKeyWhenAnOlderWriteIsReplayed(String suffix) {
        String key = prefix + suffix;

        apply(put(key, "alive", 10), new CacheWrite.Delete(key, Version.legacy(11), TOMBSTONE_10_MIN), put(key, "alive", 10));

        assertThat(redis.exists(key)).isZero();
        assertThat(redis.pttl(FencedWrites.versionKeyOf(key))).isBetween(590_000L, 600_000L);
        assertThat(counters.puts()).isEqualTo(2);
        assertThat(counters.deletes()).isEqualTo(1);
        assertThat(counters.fenced()).isEqualTo(1);
    }

    @Test
    void shouldWritePlainSetsAndUnlinksWhenFencingIsOff() {
        List<String> keys = List.of(prefix + ":a", prefix + ":b", prefix + ":c", prefix + ":d", prefix + ":e");

        keys.forEach(key -> writer.submit("test", new CacheWrite.Put(key, "v", Duration.ofHours(1), Version.legacy(1), Fencing.OFF)));
        writer.submit("test", new CacheWrite.Delete(keys.get(0), Version.legacy(2), Fencing.OFF));
        writer.awaitAcknowledged();

        assertThat(redis.exists(keys.get(0))).isZero();
        for (String key : keys.subList(1, keys.size())) {
            assertThat(redis.get(key)).isEqualTo("v");
            assertThat(redis.pttl(key)).isBetween(3_590_000L, 3_600_000L);
            assertThat(redis.exists(FencedWrites.versionKeyOf(key))).isZero();
        }
        assertThat(counters.puts()).isEqualTo(5);
        assertThat(counters.deletes()).isEqualTo(1);
        assertThat(counters.fenced()).isZero();
    }

    @Test
    void shouldFailTheBatchWhenANodeForgotTheScriptAndWorkOnAFreshConnection() {
        String key = prefix + ":user:1:profile";
        redis.scriptFlush(); // on every node
        writer.submit("test", put(key, "lost?", 1));

        assertThatThrownBy(writer::awaitAcknowledged).isInstanceOf(CacheWriteException.class)
                .hasMessageContaining("NOSCRIPT").hasMessageContaining("retried from Kafka on a new connection");

        try (CacheWriter fresh = writers.open("retry")) {
            fresh.submit("test", put(key, "retried", 1));
            fresh.awaitAcknowledged();
        }
        assertThat(redis.get(key)).isEqualTo("retried");
    }

    @Test
    void shouldNameTheSeedNodesInOneLineWhenTheClusterIsUnreachable() {
        String seeds = "127.0.0.1:" + FreePort.find() + ",127.0.0.1:" + FreePort.find();
        RedisSettings unreachable = new RedisSettings("redis://:s3cret@" + seeds, null, null, RedisSettings.Mode.CLUSTER);

        try (Redis unreachableRedis = Redis.of(unreachable)) {
            assertThatThrownBy(() -> RedisCacheWriterFactory.connect(unreachableRedis, new SinkCounters()))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessageStartingWith("Cannot reach Redis Cluster at seed nodes " + seeds + ": ")
                .hasMessageEndingWith("; check that Redis is running and that redis.uri (and redis.mode) are right.")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void shouldSayWhichModeToSetWhenTheModeDoesNotMatchTheServer(TestInfra infra) {
        RedisSettings clusterOnStandalone = new RedisSettings(infra.redisUri(), null, null, RedisSettings.Mode.CLUSTER);
        RedisSettings standaloneOnCluster = new RedisSettings(
                "redis://127.0.0.1:" + infra.redisClusterPorts().get(0), null, null, RedisSettings.Mode.STANDALONE);

        try (Redis onStandalone = Redis.of(clusterOnStandalone); Redis onCluster = Redis.of(standaloneOnCluster)) {
            assertThatThrownBy(() -> RedisCacheWriterFactory.connect(onStandalone, new SinkCounters()))
                    .isInstanceOf(RedisUnavailableException.class)
                    .hasMessageContaining("is not a Redis Cluster node").hasMessageContaining("set redis.mode: standalone");
            assertThatThrownBy(() -> RedisCacheWriterFactory.connect(onCluster, new SinkCounters()))
                    .isInstanceOf(RedisUnavailableException.class)
                    .hasMessageContaining("is a Redis Cluster node").hasMessageContaining("set redis.mode: cluster");
        }
    }

    @Test
    void shouldFollowASlotThatMovedToAnotherMasterAfterTheWriterConnected() {
        String key = keyInAnEmptySlot();
        int slot = SlotHash.getSlot(key);
        String from = masterOf(key);
        String to = connection.getPartitions().stream()
                .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getNodeId().equals(from))
                .findFirst().orElseThrow().getNodeId();
        assignSlot(slot, to);
        try {
            apply(put(key, "moved", 3)); // the writer still routes the slot to its old master: MOVED

            assertThat(connection.getConnection(to).sync().get(key)).isEqualTo("moved");
            assertThat(connection.getConnection(to).sync().get(FencedWrites.versionKeyOf(key)))
                    .isEqualTo("00000000000000000003");
        } finally {
            connection.getConnection(to).sync().del(key, FencedWrites.versionKeyOf(key));
            assignSlot(slot, from);
        }
    }

    /** A key of this test whose slot holds no key yet, so that the slot can be reassigned without MIGRATE. */
    private String keyInAnEmptySlot() {
        for (int id = 0; ; id++) {
            String key = prefix + ":moving:" + id;
            int slot = SlotHash.getSlot(key);
            if (connection.getConnection(masterOf(key)).sync().clusterCountKeysInSlot(slot) == 0) {
                return key;
            }
        }
    }

    /** What 'redis-cli --cluster reshard' ends with for an empty slot: every master learns the new owner. */
    private void assignSlot(int slot, String nodeId) {
        connection.getConnection(nodeId).sync().clusterSetSlotNode(slot, nodeId);
        for (RedisClusterNode node : connection.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getNodeId().equals(nodeId)) {
                connection.getConnection(node.getNodeId()).sync().clusterSetSlotNode(slot, nodeId);
            }
        }
    }
}
