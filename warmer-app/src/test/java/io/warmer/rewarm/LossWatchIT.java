package io.warmer.rewarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.config.RedisSettings;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.redis.Redis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The loss watch on a private Redis small enough to evict: an eviction that takes its counter is told apart from a
 * FLUSHALL, which is a loss to rebuild from.
 */
class LossWatchIT {

    static final String APP = "loss-watch-it";
    static final String COUNTER = LossWatch.counterKey(APP, APP);

    private EmbeddedRedis small;
    private Redis process;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger watchLogger = (Logger) LoggerFactory.getLogger(LossWatch.class);

    @BeforeEach
    void startASmallRedis(@TempDir Path dir) {
        small = EmbeddedRedis.start(dir);
        process = Redis.of(new RedisSettings(small.uri(), null, null));
        client = RedisClient.create(small.uri());
        connection = client.connect();
        redis = connection.sync();
        log.start();
        watchLogger.addAppender(log);
    }

    @AfterEach
    void stopRedis() {
        watchLogger.detachAppender(log);
        connection.close();
        client.shutdown();
        process.close();
        small.close();
    }

    private long counter() {
        String value = redis.get(COUNTER);
        return value == null ? 0 : Long.parseLong(value);
    }

    /** Fills the small Redis to its maxmemory under allkeys-random, so that every further write evicts. */
    private void fillToEviction(String value) {
        redis.configSet("maxmemory", "4mb");
        redis.configSet("maxmemory-policy", "allkeys-random");
        int written = 0;
        while (info("evicted_keys") == 0) {
            assertThat(written).as("keys written without an eviction").isLessThan(1_000_000);
            redis.mset(fillers(written, 100, value));
            written += 100;
        }
    }

    private static Map<String, String> fillers(int from, int count, String value) {
        Map<String, String> batch = new HashMap<>();
        for (int i = from; i < from + count; i++) {
            batch.put("filler:" + i, value);
        }
        return batch;
    }

    private long info(String field) {
        return redis.info("stats").lines().filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.substring(field.length() + 1).trim())).findFirst().orElseThrow();
    }

    @Test
    void shouldTellACounterEvictedRightAfterItsFirstIncrementFromALoss() {
        // CI saw it (EvictionGuardIT): the first look's increment made the counter, and it was evicted before the
        // second. Nothing was read from INFO before that increment, so the watch took it for a loss.
        String value = "v".repeat(1_000);
        fillToEviction(value);
        List<String> losses = new CopyOnWriteArrayList<>();
        try (LossWatch watch = LossWatch.start(process, APP, false, losses::add)) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> counter() == 1);
            // About 4,000 values fit: each batch of 1,000 evicts a quarter of the keys, well within the second before
            // the next look.
            for (int from = 1_000_000; redis.exists(COUNTER) == 1; from += 1_000) {
                assertThat(from).as("keys written without evicting the counter").isLessThan(2_000_000);
                redis.mset(fillers(from, 1_000, value));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> counter() >= 1); // looked at again
            assertThat(losses).as("losses reported for an eviction").isEmpty();
            assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .startsWith("Redis at " + small.host() + ":" + small.port() + " evicted " + COUNTER + " at 1 ("));
        }
    }

    @Test
    void shouldTellAnEvictedCounterFromAFlushall() {
        // allkeys-random takes any key, the counter too, and about 2,000 values of 1 kB fit.
        redis.configSet("maxmemory", "4mb");
        redis.configSet("maxmemory-policy", "allkeys-random");
        List<String> losses = new CopyOnWriteArrayList<>();
        try (LossWatch watch = LossWatch.start(process, APP, false, losses::add)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> counter() >= 3);

            String value = "v".repeat(1_000);
            int written = 0;
            while (redis.exists(COUNTER) == 1) {
                assertThat(written).as("keys written without evicting the counter").isLessThan(1_000_000);
                Map<String, String> batch = new HashMap<>();
                for (int i = 0; i < 100; i++) {
                    batch.put("filler:" + written++, value);
                }
                redis.mset(batch);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> counter() >= 2); // looked at twice since
            assertThat(losses).as("losses reported for an eviction").isEmpty();
            assertThat(log.list).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("Redis at " + small.host() + ":" + small.port()
                        + " evicted " + COUNTER + " at ").contains(" (evicted_keys rose by ").contains(
                        "the same server, no FLUSHALL or FLUSHDB", "Warmer does not rebuild into a full Redis");
            });

            redis.configSet("maxmemory", "0"); // nothing evicts any more: what goes now is flushed
            await().atMost(Duration.ofSeconds(10)).until(() -> counter() >= 3);
            redis.flushall();
            await().atMost(Duration.ofSeconds(10)).until(() -> !losses.isEmpty());
            assertThat(losses).singleElement().asString().startsWith("Redis at " + small.host() + ":" + small.port()
                    + " lost data: " + COUNTER + " went back from ");
        }
    }
}
