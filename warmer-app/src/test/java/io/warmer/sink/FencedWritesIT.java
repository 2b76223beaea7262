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
    void shouldFenceEachMemberOfASetOnItsOwn() {
        String set = key + ":set";
        apply(new CacheWrite.AddMember(set, "1", null, Version.legacy(10), TOMBSTONE_10_MIN),
                new CacheWrite.AddMember(set, "2", null, Version.legacy(5), TOMBSTONE_10_MIN),
                // Member 1's older change, delivered again: refused; member 2's is newer than its own: applied.
                new CacheWrite.RemoveMember(set, "1", false, Version.legacy(9), TOMBSTONE_10_MIN),
                new CacheWrite.RemoveMember(set, "2", false, Version.legacy(8), TOMBSTONE_10_MIN),
                new CacheWrite.AddMember(set, "2", null, Version.legacy(7), TOMBSTONE_10_MIN));

        assertThat(redis.smembers(set)).containsExactly("1");
        assertThat(redis.hgetall(FencedWrites.versionKeyOf(set))).containsOnly(
                java.util.Map.entry("1", Version.legacy(10).text()), java.util.Map.entry("2", Version.legacy(8).text()));
        assertThat(redis.pttl(FencedWrites.versionKeyOf(set))).as("kept while the set has members").isEqualTo(-1);
        assertThat(counters.fenced()).isEqualTo(2);

        apply(new CacheWrite.RemoveMember(set, "1", false, Version.legacy(11), TOMBSTONE_10_MIN));
        assertThat(redis.exists(set)).as("empty, so Redis removed it").isZero();
        assertThat(redis.pttl(FencedWrites.versionKeyOf(set))).as("the versions outlive it as tombstones")
                .isBetween(590_000L, 600_000L);
    }

    @Test
    void shouldScoreASortedSetsMembersAndMoveThemOnlyForward() {
        String zset = key + ":zset";
        apply(new CacheWrite.AddMember(zset, "9", 1_767_225_601_000.0, Version.legacy(3), TOMBSTONE_10_MIN),
                new CacheWrite.AddMember(zset, "9", 1_767_225_603_000.0, Version.legacy(5), TOMBSTONE_10_MIN),
                new CacheWrite.AddMember(zset, "9", 1_767_225_602_000.0, Version.legacy(4), TOMBSTONE_10_MIN),
                new CacheWrite.AddMember(zset, "10", 2.5, Version.legacy(1), TOMBSTONE_10_MIN));

        assertThat(redis.zscore(zset, "9")).isEqualTo(1_767_225_603_000.0);
        assertThat(redis.zrange(zset, 0, -1)).containsExactly("10", "9");
        apply(new CacheWrite.RemoveMember(zset, "10", true, Version.legacy(2), TOMBSTONE_10_MIN));
        assertThat(redis.zrange(zset, 0, -1)).containsExactly("9");
    }

    @Test
    void shouldShowACappedSortedSetsHighestMembersAndBringTheNextOneBackWhenOneLeaves() {
        String zset = key + ":recent";
        String rest = FencedWrites.restKeyOf(zset);
        apply(add(zset, "1", 10, 3, 1), add(zset, "2", 20, 3, 1), add(zset, "3", 30, 3, 1), add(zset, "4", 40, 3, 1));
        assertThat(redis.zrevrange(zset, 0, -1)).containsExactly("4", "3", "2");
        assertThat(redis.zrange(rest, 0, -1)).containsExactly("1");

        // The newest leaves: the one waiting takes its place. One falls below the one waiting: they swap.
        apply(new CacheWrite.RemoveMember(zset, "4", true, 3, Version.legacy(2), TOMBSTONE_10_MIN));
        assertThat(redis.zrevrange(zset, 0, -1)).containsExactly("3", "2", "1");
        assertThat(redis.exists(rest)).isZero();
        apply(add(zset, "5", 5, 3, 1), add(zset, "3", 1, 3, 2));
        assertThat(redis.zrevrange(zset, 0, -1)).containsExactly("2", "1", "5");
        assertThat(redis.zrange(rest, 0, -1)).containsExactly("3");

        // An older change of a member, delivered again, moves nothing on either side.
        apply(add(zset, "3", 99, 3, 1), new CacheWrite.RemoveMember(zset, "5", true, 3, Version.legacy(0), TOMBSTONE_10_MIN));
        assertThat(redis.zrevrange(zset, 0, -1)).containsExactly("2", "1", "5");
        assertThat(counters.fenced()).isEqualTo(2);

        // A cap made smaller (the family changed) takes effect at the key's next write.
        apply(add(zset, "6", 0, 2, 1));
        assertThat(redis.zrevrange(zset, 0, -1)).containsExactly("2", "1");
        assertThat(redis.zrevrange(rest, 0, -1)).containsExactly("5", "3", "6");

        for (String member : java.util.List.of("1", "2", "3", "5", "6")) {
            apply(new CacheWrite.RemoveMember(zset, member, true, 2, Version.legacy(9), TOMBSTONE_10_MIN));
        }
        assertThat(redis.exists(zset, rest)).as("empty, so Redis removed both").isZero();
        assertThat(redis.pttl(FencedWrites.versionKeyOf(zset))).isBetween(590_000L, 600_000L);
    }

    /**
     * Random adds, rescores (ties included), removals and older changes delivered again, in batches that mix capped
     * members with other writes of the same slot: after each batch the key shows exactly the highest {@code cap} live
     * members in Redis's order, and its rest key exactly the others, each with its newest score.
     */
    @Test
    void shouldKeepACappedSortedSetExactThroughAnyOrderOfItsMembersChanges() {
        String zset = "{" + key + "}:recent";
        String plain = "{" + key + "}:other";
        int cap = 4;
        java.util.Random random = new java.util.Random(42);
        java.util.Map<String, Long> versions = new java.util.HashMap<>();
        java.util.Map<String, Double> live = new java.util.HashMap<>();
        for (int batch = 0; batch < 150; batch++) {
            java.util.List<CacheWrite> writes = new java.util.ArrayList<>();
            for (int i = 1 + random.nextInt(8); i > 0; i--) {
                String member = String.valueOf(random.nextInt(12));
                long version = versions.getOrDefault(member, 0L);
                if (random.nextInt(6) == 0 && version > 0) {
                    writes.add(add(zset, member, random.nextInt(5), cap, version - 1)); // older, fenced
                } else if (random.nextInt(3) == 0) {
                    versions.put(member, version + 1);
                    live.remove(member);
                    writes.add(new CacheWrite.RemoveMember(zset, member, true, cap, Version.legacy(version + 1),
                            TOMBSTONE_10_MIN));
                } else {
                    double score = random.nextInt(5); // few scores: ties are ordered by the member
                    versions.put(member, version + 1);
                    live.put(member, score);
                    writes.add(add(zset, member, score, cap, version + 1));
                }
                if (random.nextBoolean()) {
                    writes.add(put(plain, "b" + batch, batch + 1));
                }
            }
            apply(writes.toArray(CacheWrite[]::new));

            java.util.List<String> order = live.entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()
                            .thenComparing(java.util.Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                    .map(java.util.Map.Entry::getKey).toList();
            java.util.List<String> shown = order.subList(0, Math.min(cap, order.size()));
            assertThat(redis.zrevrange(zset, 0, -1)).as("batch %d", batch).isEqualTo(shown);
            assertThat(redis.zrevrange(FencedWrites.restKeyOf(zset), 0, -1)).as("batch %d", batch)
                    .isEqualTo(order.subList(shown.size(), order.size()));
            for (String member : order) {
                assertThat(SortedSetCap.scoreOf(redis, zset, member, cap)).isEqualTo(live.get(member));
            }
            assertThat(SortedSetCap.misplaced(redis, zset, cap)).isNull();
        }
    }

    @Test
    void shouldTellACappedSortedSetThatShowsTheWrongMembers() {
        String zset = key + ":recent";
        String rest = FencedWrites.restKeyOf(zset);
        apply(add(zset, "a", 1, 2, 1), add(zset, "b", 2, 2, 1), add(zset, "c", 2, 2, 1));
        assertThat(redis.zrevrange(zset, 0, -1)).as("a tie goes to the greater member").containsExactly("c", "b");
        assertThat(SortedSetCap.misplaced(redis, zset, 2)).isNull();

        redis.zadd(rest, 2, "d"); // waits, yet ties with b and is greater
        assertThat(SortedSetCap.misplaced(redis, zset, 2)).contains("shows b (score 2.0) while d (score 2.0) waits");
        redis.zrem(rest, "d");
        redis.zrem(zset, "b");
        assertThat(SortedSetCap.misplaced(redis, zset, 2)).contains("shows 1 members while 1 wait");
        redis.zadd(zset, 3.0, "e", 4.0, "f");
        assertThat(SortedSetCap.misplaced(redis, zset, 2)).contains("shows 3 members, more than its cap of 2");
    }

    private static CacheWrite add(String key, String member, double score, int cap, long version) {
        return new CacheWrite.AddMember(key, member, score, cap, Version.legacy(version), TOMBSTONE_10_MIN);
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
