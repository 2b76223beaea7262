package io.warmer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.change.Version;
import io.warmer.config.RedisSettings;
import io.warmer.redis.Redis;
import io.warmer.family.CacheWrite;
import io.warmer.family.Fencing;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fencing script on a real Redis: a write applies only when it is newer than what the key holds. */
@ExtendWith(WarmerInfrastructure.class)
class FencedWritesIT {

    private static final Fencing TOMBSTONE_10_MIN = new Fencing(true, Duration.ofMinutes(10));

    private final SinkCounters counters = new SinkCounters();
    private Redis process;
    private RedisCacheWriterFactory writers;
    private CacheWriter writer;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private String key;

    @BeforeEach
    void connect(TestInfra infra) {
        process = Redis.of(new RedisSettings(infra.redisUri(), null, null));
        writers = RedisCacheWriterFactory.connect(process, counters);
        writer = writers.open("fencing-test");
        client = RedisClient.create(infra.redisUri());
        connection = client.connect();
        redis = connection.sync();
        key = infra.uniqueName("fence") + ":user:42:profile";
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

    @Test
    void shouldApplyANewerWriteAndFenceAnOlderOne() {
        apply(put(key, "new", 10), put(key, "old", 5));

        assertThat(redis.get(key)).isEqualTo("new");
        assertThat(redis.get(FencedWrites.versionKeyOf(key))).isEqualTo("00000000000000000010");
        assertThat(counters.fenced()).isEqualTo(1);
    }

    @Test
    void shouldApplyScriptedAndPlainWritesOfOneKeyInTheOrderSubmitted() {
        // An unfenced hash goes through the script (batched), its delete is a plain UNLINK: the batch must go first.
        apply(new CacheWrite.PutHash(key, java.util.Map.of("a", "1"), null, Version.legacy(1), Fencing.OFF),
                new CacheWrite.Delete(key, Version.legacy(2), Fencing.OFF));
        assertThat(redis.exists(key)).isZero();

        apply(new CacheWrite.Delete(key, Version.legacy(3), Fencing.OFF),
                new CacheWrite.PutHash(key, java.util.Map.of("a", "2"), null, Version.legacy(4), Fencing.OFF));
        assertThat(redis.hgetall(key)).containsExactly(java.util.Map.entry("a", "2"));
    }

    @Test
    void shouldCountEveryFencedWriteOfABatchLargerThanOneScriptCall() {
        CacheWrite[] writes = new CacheWrite[3 * RedisCacheWriter.SCRIPT_BATCH + 5];
        for (int i = 0; i < writes.length; i++) {
            // Every other write repeats the version before it: fenced.
            writes[i] = put(key + ":" + (i / 2), "v" + i, 100);
        }
        apply(writes);

        assertThat(counters.fenced()).isEqualTo(writes.length / 2);
        assertThat(counters.puts()).isEqualTo(writes.length);
        assertThat(redis.get(key + ":0")).isEqualTo("v0");
    }

    @Test
    void shouldFenceARepeatOfTheSameVersion() {
        apply(put(key, "first", 10), put(key, "again", 10));

        assertThat(redis.get(key)).isEqualTo("first");
        assertThat(counters.fenced()).isEqualTo(1);
    }

    @Test
    void shouldNotResurrectADeletedKeyWhenAnOlderWriteIsReplayed() {
        apply(put(key, "alive", 10), new CacheWrite.Delete(key, Version.legacy(11), TOMBSTONE_10_MIN), put(key, "alive", 10));

        assertThat(redis.exists(key)).isZero();
        assertThat(redis.pttl(FencedWrites.versionKeyOf(key))).isBetween(590_000L, 600_000L);
    }

    @Test
    void shouldExpireTheVersionKeyWithTheValue() {
        apply(new CacheWrite.Put(key, "v", Duration.ofHours(1), Version.legacy(3), TOMBSTONE_10_MIN));

        assertThat(redis.pttl(key)).isBetween(3_590_000L, 3_600_000L);
        assertThat(redis.pttl(FencedWrites.versionKeyOf(key))).isBetween(3_590_000L, 3_600_000L);
    }

    @Test
    void shouldReplaceAHashWholeSoThatANullColumnLosesItsField() {
        apply(new CacheWrite.PutHash(key, java.util.Map.of("name", "Ada", "nick", "A"), Duration.ofMinutes(5), Version.legacy(1), TOMBSTONE_10_MIN),
                new CacheWrite.PutHash(key, java.util.Map.of("name", "Ada L."), Duration.ofMinutes(5), Version.legacy(2), TOMBSTONE_10_MIN),
                new CacheWrite.PutHash(key, java.util.Map.of("name", "stale"), Duration.ofMinutes(5), Version.legacy(1), TOMBSTONE_10_MIN));

        assertThat(redis.hgetall(key)).containsExactly(java.util.Map.entry("name", "Ada L."));
        assertThat(redis.pttl(key)).isBetween(290_000L, 300_000L);
        assertThat(counters.fenced()).isEqualTo(1);
    }

    @Test
    void shouldReplaceAHashAtomicallyEvenWithoutFencing() {
        apply(new CacheWrite.PutHash(key, java.util.Map.of("a", "1", "b", "2"), null, Version.legacy(1), Fencing.OFF),
                new CacheWrite.PutHash(key, java.util.Map.of("a", "3"), null, Version.legacy(2), Fencing.OFF));

        assertThat(redis.hgetall(key)).containsExactly(java.util.Map.entry("a", "3"));
        assertThat(redis.exists(FencedWrites.versionKeyOf(key))).isZero();
    }

    @Test
    void shouldWriteWithoutAVersionKeyWhenFencingIsOff() {
        apply(new CacheWrite.Put(key, "new", null, Version.legacy(10), Fencing.OFF), new CacheWrite.Put(key, "old", null, Version.legacy(5), Fencing.OFF));

        assertThat(redis.get(key)).isEqualTo("old");
        assertThat(redis.exists(FencedWrites.versionKeyOf(key))).isZero();
    }

    @Test
    void shouldFailTheBatchWhenRedisForgotTheScriptAndWorkOnAFreshConnection() {
        redis.scriptFlush();
        writer.submit("test", put(key, "lost?", 1));

        assertThatThrownBy(writer::awaitAcknowledged).isInstanceOf(CacheWriteException.class).hasMessageContaining("NOSCRIPT");

        try (CacheWriter fresh = writers.open("retry")) {
            fresh.submit("test", put(key, "retried", 1));
            fresh.awaitAcknowledged();
        }
        assertThat(redis.get(key)).isEqualTo("retried");
    }
}
