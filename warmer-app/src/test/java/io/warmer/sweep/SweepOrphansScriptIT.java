package io.warmer.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.change.Version;
import io.warmer.config.RedisSettings;
import io.warmer.family.CacheWrite;
import io.warmer.family.Fencing;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.sink.CacheWriter;
import io.warmer.sink.FencedWrites;
import io.warmer.sink.RedisCacheWriterFactory;
import io.warmer.sink.SinkCounters;
import io.warmer.sink.SortedSetCap;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** sweep-orphans.lua on a real Redis, on what fenced-writes.lua leaves: members older than a snapshot go. */
@ExtendWith(WarmerInfrastructure.class)
class SweepOrphansScriptIT {

    private static final Fencing FENCED = new Fencing(true, Duration.ofMinutes(10));

    @Test
    void shouldRemoveACappedSortedSetsOlderMembersFromEitherSideAndShowTheHighestLeft(TestInfra infra) {
        String key = infra.uniqueName("sweep") + ":customer:7:recent";
        String versions = FencedWrites.versionKeyOf(key);
        String rest = FencedWrites.restKeyOf(key);
        try (Redis process = Redis.of(new RedisSettings(infra.redisUri(), null, null));
             RedisConnection<String, String> connection = process.connect()) {
            try (CacheWriter writer = RedisCacheWriterFactory.connect(process, new SinkCounters()).open("sweep-test")) {
                // Members 1-6 scored as their number, cap 3; 2, 4 and 6 written before the snapshot began (version 5).
                for (int member = 1; member <= 6; member++) {
                    writer.submit("test", new CacheWrite.AddMember(key, String.valueOf(member), (double) member, 3,
                            Version.legacy(member % 2 == 0 ? 1 : 7), FENCED));
                }
                writer.awaitAcknowledged();
            }
            RedisClusterCommands<String, String> redis = connection.sync();
            assertThat(redis.zrevrange(key, 0, -1)).containsExactly("6", "5", "4");

            Long removed = redis.eval(OrphanSweep.SCRIPT.source(), ScriptOutputType.INTEGER,
                    new String[] {key, versions, rest}, Version.legacy(5).text(), "600000", "3");

            assertThat(removed).isEqualTo(3);
            assertThat(redis.zrevrange(key, 0, -1)).as("the ones written since, shown").containsExactly("5", "3", "1");
            assertThat(redis.exists(rest)).isZero();
            assertThat(SortedSetCap.misplaced(redis, key, 3)).isNull();
            assertThat(redis.hget(versions, "6")).as("raised, so a replay cannot bring it back")
                    .isEqualTo(Version.legacy(5).text());
            assertThat(redis.pttl(versions)).as("kept while the key has members").isEqualTo(-1L);
        }
    }
}
