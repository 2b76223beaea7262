package io.warmer.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.EvictionGuardMode;
import io.warmer.guard.MemoryReport.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The estimate's verdict and what it tells the person about to warm, from given numbers. */
class MemoryReportTest {

    private static final long MIB = Bytes.MIB;

    private static MemoryReport.FamilyNeed need(long bytes) {
        return new MemoryReport.FamilyNeed("docs", 12_000, 12_000, 0, bytes / 12_000, "MEMORY USAGE of 20 probe entries",
                bytes);
    }

    private static MemoryReport report(EvictionGuardMode guard, long needed, NodeMemory... nodes) {
        return new MemoryReport("127.0.0.1:6379", guard, List.of(need(needed)), List.of(nodes));
    }

    private static NodeMemory node(long used, long max, String policy) {
        return new NodeMemory("127.0.0.1:6379", used, max, policy, 0);
    }

    private static String verdictLine(MemoryReport report) {
        return report.lines().get(report.lines().size() - 1);
    }

    @Test
    void shouldSayItFitsAndHowFullRedisWillBe() {
        MemoryReport report = report(EvictionGuardMode.PAUSE, 2 * MIB, node(4 * MIB, 8 * MIB, "allkeys-lru"));

        assertThat(report.verdict()).isEqualTo(Verdict.FITS);
        assertThat(verdictLine(report)).isEqualTo("estimate: fits: the new entries need ~2.0 MiB, 4.0 MiB is free"
                + " (used_memory 4.0 MiB of maxmemory 8.0 MiB, policy allkeys-lru); afterwards Redis uses about 75% of"
                + " maxmemory.");
    }

    @Test
    void shouldWarnWithTheNumbersAndTheFixWhenAnEvictingRedisIsTooSmall() {
        MemoryReport report = report(EvictionGuardMode.PAUSE, 14 * MIB, node(5 * MIB, 8 * MIB, "allkeys-lru"));

        assertThat(report.verdict()).isEqualTo(Verdict.WILL_EVICT);
        assertThat(verdictLine(report)).isEqualTo("WARNING: the new entries will not fit in Redis at 127.0.0.1:6379:"
                + " they need ~14.0 MiB, only 3.0 MiB is free (used_memory 5.0 MiB of maxmemory 8.0 MiB, policy"
                + " allkeys-lru). With maxmemory-policy allkeys-lru Redis will evict existing keys to make room, hot old"
                + " keys production still reads among them. Before warming, raise maxmemory by at least 11.0 MiB (e.g."
                + " CONFIG SET maxmemory 19mb, and in redis.conf), or free memory first, e.g. `warmer cleanup --pattern"
                + " '<old key generation>'` once nothing reads it. If Redis starts evicting, the eviction guard pauses"
                + " writing (redis.eviction-guard: pause).");
    }

    @Test
    void shouldSayOnlyKeysWithATtlAreAtRiskUnderAVolatilePolicy() {
        MemoryReport report = report(EvictionGuardMode.PAUSE, 14 * MIB, node(5 * MIB, 8 * MIB, "volatile-lru"));

        assertThat(verdictLine(report)).contains("Redis will evict keys with a TTL to make room");
    }

    @Test
    void shouldSayWhenNothingWillStopTheEvictions() {
        MemoryReport report = report(EvictionGuardMode.OFF, 14 * MIB, node(5 * MIB, 8 * MIB, "allkeys-lru"));

        assertThat(verdictLine(report)).endsWith("redis.eviction-guard is off: nothing will stop the evictions.");
    }

    @Test
    void shouldWarnOfRefusedWritesUnderNoeviction() {
        MemoryReport report = report(EvictionGuardMode.PAUSE, 14 * MIB, node(5 * MIB, 8 * MIB, "noeviction"));

        assertThat(report.verdict()).isEqualTo(Verdict.WILL_REFUSE_WRITES);
        assertThat(verdictLine(report)).startsWith("WARNING: the new entries will not fit in Redis at 127.0.0.1:6379:")
                .contains("With maxmemory-policy noeviction Redis refuses writes once full (OOM errors), production's as"
                        + " well as Warmer's, and the warm-up stalls", "raise maxmemory by at least 11.0 MiB")
                .doesNotContain("evict existing keys");
    }

    @Test
    void shouldSayNoLimitIsSetWhenMaxmemoryIsZero() {
        MemoryReport report = report(EvictionGuardMode.PAUSE, 14 * MIB, node(5 * MIB, 0, "noeviction"));

        assertThat(report.verdict()).isEqualTo(Verdict.NO_LIMIT);
        assertThat(verdictLine(report)).isEqualTo("estimate: no maxmemory is set on Redis at 127.0.0.1:6379"
                + " (maxmemory 0): nothing but the host's memory limits the new entries' ~14.0 MiB.");
    }

    @Test
    void shouldNeedEveryMasterOfAClusterToHoldItsShare() {
        NodeMemory roomy = new NodeMemory("a:7000", MIB, 8 * MIB, "allkeys-lru", 0);
        NodeMemory tight = new NodeMemory("b:7001", 6 * MIB, 8 * MIB, "allkeys-lru", 0);

        MemoryReport report = new MemoryReport("a:7000,b:7001", EvictionGuardMode.PAUSE, List.of(need(6 * MIB)),
                List.of(roomy, tight));

        assertThat(report.verdict()).as("3 MiB each; b has 2 MiB free").isEqualTo(Verdict.WILL_EVICT);
        assertThat(report.lines()).contains("estimate: Redis at a:7000,b:7001: 2 masters, 7.0 MiB used of maxmemory"
                + " 16.0 MiB in total, policy allkeys-lru");
        assertThat(verdictLine(report)).contains("only 9.0 MiB are free in total over 2 masters",
                "raise maxmemory on every master by at least 1.0 MiB");
    }

    @Test
    void shouldGiveEachFamilyItsOwnLine() {
        MemoryReport.FamilyNeed docs = new MemoryReport.FamilyNeed("docs", 10_000, 5_000, 0.2, 1_200,
                "MEMORY USAGE of 20 probe entries", 4_800_000);

        MemoryReport report = new MemoryReport("r:6379", EvictionGuardMode.PAUSE, List.of(docs),
                List.of(node(0, 0, "noeviction")));

        assertThat(report.lines().get(0)).isEqualTo("estimate: docs: 10,000 rows, 5,000 entries, 20% already in Redis:"
                + " ~4,000 new entries of ~1.2 KiB (MEMORY USAGE of 20 probe entries) = ~4.6 MiB");
    }
}
