package io.warmer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warmer.sink.SinkCounters;
import io.warmer.sink.SinkCountersFixture;
import io.warmer.testing.PrometheusText;
import io.warmer.monitor.WarmupGate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The names, types and labels of the warmer_* series: a public contract (dashboard, README). No servers. */
class MetricsSeriesTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SinkCounters counters = new SinkCounters();
    private final SinkMetrics sink = new SinkMetrics(counters, List.of("profile", "by-email"));

    @AfterEach
    void close() {
        sink.close();
        registry.close();
    }

    private PrometheusText scrape() {
        sink.refresh();
        return PrometheusText.parse(registry.scrape(WarmerMetrics.CONTENT_TYPE));
    }

    @Test
    void shouldShowEveryConfiguredFamilysCountersFromTheStart() {
        sink.bindTo(registry);

        PrometheusText text = scrape();

        for (String family : List.of("profile", "by-email")) {
            for (String counter : List.of("warmer_keys_written_total", "warmer_keys_deleted_total",
                    "warmer_writes_fenced_total", "warmer_dead_lettered_total", "warmer_values_unavailable_total")) {
                assertThat(text.value(counter, "family", family)).as(counter + " of " + family).contains(0.0);
            }
            assertThat(text.value("warmer_write_latency_seconds_count", "family", family)).contains(0.0);
            assertThat(text.value("warmer_family_broken", "family", family)).contains(0.0);
        }
        assertThat(text.type("warmer_keys_written_total")).contains("counter");
        assertThat(text.value("warmer_redis_pipeline_depth")).contains(0.0);
    }

    @Test
    void shouldCountWhatTheSinkCountsPerFamily() {
        sink.bindTo(registry);

        SinkCountersFixture.acknowledged(counters, "profile", 7, 2, 1);
        counters.deadLettered("by-email");
        counters.deadLettered("join settings");
        counters.deadLettered(SinkCounters.UNATTRIBUTED);
        counters.unavailable("profile");
        counters.broken("by-email", "column 'email' of public.users is not in its changes any more");
        SinkCountersFixture.submitted(counters, 5);
        PrometheusText text = scrape();

        assertThat(text.value("warmer_keys_written_total", "family", "profile")).contains(7.0);
        assertThat(text.value("warmer_keys_deleted_total", "family", "profile")).contains(2.0);
        assertThat(text.value("warmer_writes_fenced_total", "family", "profile")).contains(1.0);
        assertThat(text.value("warmer_dead_lettered_total", "family", "by-email")).contains(1.0);
        assertThat(text.value("warmer_dead_lettered_total", "family", "join settings")).as("appears once it counts")
                .contains(1.0);
        assertThat(text.value("warmer_dead_lettered_total", "family", "(none)")).contains(1.0);
        assertThat(text.value("warmer_redis_pipeline_depth")).contains(5.0);
        assertThat(text.value("warmer_values_unavailable_total", "family", "profile")).contains(1.0);
        assertThat(text.value("warmer_family_broken", "family", "by-email")).contains(1.0);
        assertThat(text.value("warmer_family_broken", "family", "profile")).contains(0.0);
    }

    @Test
    void shouldTimeEachWriteInAHistogramFromOneMillisecondToTenSeconds() {
        sink.bindTo(registry);

        SinkCountersFixture.timed(counters, "profile", Duration.ofMillis(3).toNanos());
        SinkCountersFixture.timed(counters, "profile", Duration.ofMillis(40).toNanos());
        PrometheusText text = scrape();

        assertThat(text.type("warmer_write_latency_seconds")).contains("histogram");
        assertThat(text.value("warmer_write_latency_seconds_count", "family", "profile")).contains(2.0);
        assertThat(text.value("warmer_write_latency_seconds_sum", "family", "profile")).hasValueSatisfying(
                sum -> assertThat(sum).isCloseTo(0.043, org.assertj.core.data.Offset.offset(1e-9)));
        for (String le : List.of("0.001", "0.005", "0.05", "1.0", "10.0")) {
            assertThat(text.value("warmer_write_latency_seconds_bucket", "family", "profile", "le", le)).as("le " + le)
                    .isPresent();
        }
        assertThat(text.value("warmer_write_latency_seconds_bucket", "family", "profile", "le", "0.005")).contains(1.0);
        assertThat(text.value("warmer_write_latency_seconds_bucket", "family", "profile", "le", "+Inf")).contains(2.0);
    }

    @Test
    void shouldStopTimingTheWritesWhenClosed() {
        sink.bindTo(registry);
        assertThat(SinkCountersFixture.timed(counters)).isTrue();

        sink.close();

        assertThat(SinkCountersFixture.timed(counters)).as("no timer: the writers take no timestamps").isFalse();
    }

    @Test
    void shouldRefuseASecondTimerOfTheSameWrites() {
        sink.bindTo(registry);

        assertThatThrownBy(() -> counters.timeWrites((family, nanos) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("timed already");
    }

    @Test
    void shouldReadTheLastCheckAndBeNaNBeforeTheFirst() {
        AtomicReference<WarmupGate.Status> lastCheck = new AtomicReference<>();
        new ReadinessMetrics(lastCheck::get, List.of("profile", "by-email"), true).bindTo(registry);

        PrometheusText before = scrape();
        assertThat(before.value("warmer_ready")).hasValueSatisfying(v -> assertThat(v).isNaN());
        assertThat(before.value("warmer_coverage_ratio", "family", "profile")).hasValueSatisfying(v -> assertThat(v).isNaN());

        lastCheck.set(new WarmupGate.Status(true, 12, List.of(
                new WarmupGate.FamilyReadiness("profile", 0L, 100, 0, 1.0, 0, 0, true, null, null),
                new WarmupGate.FamilyReadiness("by-email", 12L, 100, 10, 0.88, 2, 1, false, "coverage", null)), null, false));
        PrometheusText after = scrape();

        assertThat(after.value("warmer_ready")).contains(0.0);
        assertThat(after.value("warmer_snapshot_completed")).contains(1.0);
        assertThat(after.value("warmer_family_ready", "family", "profile")).contains(1.0);
        assertThat(after.value("warmer_family_ready", "family", "by-email")).contains(0.0);
        assertThat(after.value("warmer_coverage_ratio", "family", "by-email")).contains(0.88);
        assertThat(after.value("warmer_stale_ratio", "family", "by-email")).contains(0.02);
        assertThat(after.value("warmer_stale_ratio", "family", "profile")).contains(0.0);
        assertThat(after.value("warmer_consumer_lag_records", "family", "by-email")).contains(12.0);
        assertThat(after.type("warmer_ready")).contains("gauge");
    }

    @Test
    void shouldLeaveOutTheSnapshotWhenThisProcessDoesNotCapture() {
        new ReadinessMetrics(() -> null, List.of("profile"), false).bindTo(registry);

        assertThat(scrape().value("warmer_snapshot_completed")).isEmpty();
    }

    /**
     * The names the Grafana dashboard is checked against (MonitoringStackTest) are the names published: a renamed
     * series fails here, not on a dashboard. The round trip, the eviction guard and the JVM come from the binders
     * of a running service, which MetricsIT scrapes.
     */
    @Test
    void shouldPublishTheSeriesTheDashboardIsCheckedAgainst() {
        sink.bindTo(registry);
        new ReadinessMetrics(() -> null, List.of("profile", "by-email"), true).bindTo(registry);

        PrometheusText text = scrape();

        java.util.Set<String> ofARunningService = java.util.Set.of("warmer_eviction_guard_paused", "jvm_memory_used_bytes",
                "warmer_redis_round_trip_seconds");
        io.warmer.MonitoringStackTest.WARMER_METRICS.stream().filter(name -> !ofARunningService.contains(name))
                .forEach(name -> assertThat(text.named(name)).as(name).isNotEmpty());
        io.warmer.MonitoringStackTest.WARMER_HISTOGRAMS.stream().filter(name -> !ofARunningService.contains(name))
                .forEach(name -> assertThat(text.named(name + "_bucket")).as(name + "_bucket").isNotEmpty());
    }
}
