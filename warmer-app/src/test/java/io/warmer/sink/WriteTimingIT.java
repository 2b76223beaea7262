package io.warmer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmer.change.Version;
import io.warmer.config.RedisSettings;
import io.warmer.redis.Redis;
import io.warmer.family.CacheWrite;
import io.warmer.family.Fencing;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the writer tells its SinkCounters about each write on a real Redis: its time to acknowledgement, and what is in flight. */
@ExtendWith(WarmerInfrastructure.class)
class WriteTimingIT {

    private record Timed(String family, long nanos) {
    }

    private final SinkCounters counters = new SinkCounters();
    private final Queue<Timed> timed = new ConcurrentLinkedQueue<>();
    private final SinkCounters.WriteTimer timer = (family, nanos) -> timed.add(new Timed(family, nanos));
    private Redis process;
    private RedisCacheWriterFactory writers;
    private CacheWriter writer;
    private String prefix;

    @BeforeEach
    void connect(TestInfra infra) {
        process = Redis.of(new RedisSettings(infra.redisUri(), null, null));
        writers = RedisCacheWriterFactory.connect(process, counters);
        writer = writers.open("timing-test");
        prefix = infra.uniqueName("timing");
    }

    @AfterEach
    void close() {
        writer.close();
        process.close();
    }

    private CacheWrite plain(int i) {
        return new CacheWrite.Put(prefix + ":plain:" + i, "v", null, Version.legacy(i), Fencing.OFF);
    }

    private CacheWrite fenced(int i) {
        return new CacheWrite.Put(prefix + ":fenced:" + i, "v", null, Version.legacy(i), new Fencing(true, Duration.ofMinutes(1)));
    }

    @Test
    void shouldTimeEveryPlainAndScriptedWriteOnceAndCountItInFlightUntilAcknowledged() {
        counters.timeWrites(timer);

        for (int i = 0; i < 10; i++) {
            writer.submit("plain", plain(i));
            writer.submit("fenced", fenced(i));
        }
        assertThat(counters.unacknowledged()).as("submitted, buffered or sent").isEqualTo(20);
        writer.awaitAcknowledged();

        assertThat(counters.unacknowledged()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> timed.size() >= 20); // timed on the I/O thread
        assertThat(timed).hasSize(20).allSatisfy(t -> assertThat(t.nanos()).isPositive());
        assertThat(timed).extracting(Timed::family).filteredOn("fenced"::equals).hasSize(10);
    }

    @Test
    void shouldNotTimeAWriteSubmittedBeforeTheTimerWasSet() {
        writer.submit("fenced", fenced(1));
        writer.submit("fenced", fenced(2));
        counters.timeWrites(timer);
        writer.submit("fenced", fenced(3)); // the same script call as the two before

        writer.awaitAcknowledged();

        await().atMost(Duration.ofSeconds(5)).until(() -> !timed.isEmpty());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> timed.size() == 1);
    }

    @Test
    void shouldWaitForAcknowledgementsOnceTheWritesInFlightReachTheirSizeBound() {
        String value = "v".repeat(64 * 1024);
        long fit = RedisCacheWriter.MAX_UNACKNOWLEDGED_BYTES / (value.length() + prefix.length() + 12);
        for (int i = 0; i < fit - 1; i++) {
            writer.submit("fenced", new CacheWrite.Put(prefix + ":big:" + i, value, null, Version.legacy(i),
                    new Fencing(true, Duration.ofMinutes(1))));
        }
        assertThat(counters.unacknowledged()).as("below the bound: all in flight").isEqualTo(fit - 1);

        for (long i = fit - 1; counters.unacknowledged() > 0; i++) {
            assertThat(i).as("writes of 64 KiB submitted without waiting").isLessThan(fit + 2);
            writer.submit("fenced", new CacheWrite.Put(prefix + ":big:" + i, value, null, Version.legacy(i),
                    new Fencing(true, Duration.ofMinutes(1))));
        }
        assertThat(RedisCacheWriter.MAX_UNACKNOWLEDGED_BYTES / value.length())
                .as("far fewer writes than the count bound").isLessThan(RedisCacheWriter.MAX_UNACKNOWLEDGED);
    }

    @Test
    void shouldTakeTheWritesOfAClosedWriterOutOfFlight() {
        writer.submit("plain", plain(1));
        writer.submit("fenced", fenced(1));
        assertThat(counters.unacknowledged()).isEqualTo(2);

        writer.close(); // as a failed task's store is closed: its writes are retried by a new writer

        assertThat(counters.unacknowledged()).isZero();
        writer = writers.open("timing-test");
    }
}
