package io.warmer.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warmer.config.FamilyConfig;
import io.warmer.http.MonitoringServer;
import io.warmer.monitor.PipelineMonitor;
import io.warmer.rewarm.Rewarm;
import io.warmer.config.WarmerConfig;
import io.warmer.service.ServiceState;
import io.warmer.service.ServiceView;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /metrics} answers for a running service: a Prometheus registry with the JVM's metrics (memory, GC,
 * threads, class loading, processor, uptime), Kafka Streams' own ({@code kafka_stream_*}, {@code kafka_consumer_*},
 * {@code kafka_producer_*}, {@code kafka_admin_client_*}), the Debezium connector's ({@code debezium_*}, when this
 * process captures) and Warmer's:
 *
 * <ul>
 *   <li>{@code warmer_keys_written_total{family}}, {@code warmer_keys_deleted_total{family}},
 *       {@code warmer_writes_fenced_total{family}}, {@code warmer_dead_lettered_total{family}}: counters (see
 *       {@link SinkMetrics}); every configured family from the start, a join's route ({@code join <as>}) and
 *       {@code (none)} once they set a change aside;</li>
 *   <li>{@code warmer_write_latency_seconds{family}}: histogram of submit to Redis acknowledgement per write;</li>
 *   <li>{@code warmer_redis_pipeline_depth}: writes submitted and not yet acknowledged;</li>
 *   <li>{@code warmer_redis_round_trip_seconds}: histogram of the monitor's PINGs, one a second;</li>
 *   <li>{@code warmer_coverage_ratio{family}}, {@code warmer_consumer_lag_records{family}},
 *       {@code warmer_family_ready{family}}, {@code warmer_ready}, {@code warmer_snapshot_completed}: gauges of the
 *       monitor's last check (see {@link ReadinessMetrics}), NaN before the first;</li>
 *   <li>{@code warmer_eviction_guard_paused}: 1 while writing is paused because Redis is evicting;</li>
 *   <li>{@code warmer_service_state{state}}: 1 for the service's state ({@link ServiceState}), 0 for the others.</li>
 * </ul>
 */
public final class WarmerMetrics implements MonitoringServer.Metrics, AutoCloseable {

    /** The Prometheus text format, which every Prometheus scrapes; the registry writes what it is asked for. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** PINGs on an idle local Redis take a fraction of a millisecond; a stalled one, seconds. */
    static final Duration ROUND_TRIP_MIN = Duration.ofNanos(50_000);
    static final Duration ROUND_TRIP_MAX = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry;
    private final SinkMetrics sink;
    private final DebeziumJmxMetrics debezium;
    private final List<AutoCloseable> binders;

    private WarmerMetrics(PrometheusMeterRegistry registry, SinkMetrics sink, DebeziumJmxMetrics debezium,
                          List<AutoCloseable> binders) {
        this.registry = registry;
        this.sink = sink;
        this.debezium = debezium;
        this.binders = binders;
    }

    /** Registers every series and starts timing the sink's writes, until {@link #close()}. */
    public static WarmerMetrics start(WarmerConfig config, ServiceView service, PipelineMonitor monitor) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<AutoCloseable> binders = new ArrayList<>();
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        List<String> families = config.families().stream().map(FamilyConfig::name).toList();
        SinkMetrics sink = new SinkMetrics(service.counters(), families);
        sink.bindTo(registry);
        binders.add(sink);
        boolean contends = service.election() != null;
        new ReadinessMetrics(monitor::lastCheck, families, contends).bindTo(registry);
        for (ServiceState state : ServiceState.values()) {
            Gauge.builder("warmer.service.state", () -> service.state() == state ? 1 : 0).tag("state", state.wireName())
                    .description("1 for the state the service is in (starting, snapshotting, streaming, standby,"
                            + " degraded, stopping, stopped, failed), 0 for the others").register(registry);
        }
        if (contends) {
            Gauge.builder("warmer.capture.standby",
                            () -> service.election().role() == io.warmer.capture.CaptureElection.Role.STANDBY ? 1 : 0)
                    .description("1 while another process holds the replication slot and this one stands by to take"
                            + " over, 0 while this one captures").register(registry);
        }
        Timer roundTrip = Timer.builder("warmer.redis.round.trip")
                .description("Round trip of a PING to Redis, sent by the monitor every second")
                .publishPercentileHistogram().minimumExpectedValue(ROUND_TRIP_MIN).maximumExpectedValue(ROUND_TRIP_MAX)
                .register(registry);
        monitor.onRedisRoundTrip(nanos -> roundTrip.record(nanos, TimeUnit.NANOSECONDS));
        Gauge.builder("warmer.eviction.guard.paused", () -> service.evictionGuard().paused() ? 1 : 0)
                .description("1 while writing is paused because Redis is evicting keys, else 0")
                .register(registry);
        Gauge.builder("warmer.rewarming", () -> service.rewarm().state() != Rewarm.State.IDLE ? 1 : 0)
                .description("1 while the cache is rebuilt from the change topics after Redis lost its data, else 0")
                .register(registry);
        Gauge.builder("warmer.rewarm.remaining", () -> service.rewarm().remaining())
                .description("Change records the rebuild after a loss of Redis data still has to apply")
                .baseUnit("records").register(registry);

        KafkaStreamsMetrics streams = service.materializerMetrics();
        if (streams != null) {
            streams.bindTo(registry);
            binders.add(streams);
        }
        DebeziumJmxMetrics debezium = null;
        if (contends) {
            debezium = new DebeziumJmxMetrics(ManagementFactory.getPlatformMBeanServer(),
                    config.kafka().topicPrefix());
            debezium.bindTo(registry);
        }
        return new WarmerMetrics(registry, sink, debezium, binders);
    }

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    /** Registers the series that appeared since the last scrape (the connector's MBeans, new dead-letter families). */
    @Override
    public String scrape() {
        sink.refresh();
        if (debezium != null) {
            debezium.refresh();
        }
        return registry.scrape(CONTENT_TYPE);
    }

    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                // a binder's close only stops its refresh thread or hook; nothing is left to tell
            }
        }
        registry.close();
    }
}
