package io.warmer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warmer.capture.PostgresCapture;
import io.warmer.testing.PrometheusText;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JMX bridge, on an MXBean shaped like the connector's snapshot metrics, under a name of its own. */
class DebeziumJmxMetricsTest {

    /** The attributes' kinds the connector has: numbers, booleans, text, arrays and a per-table map. */
    public interface SnapshotLikeMXBean {
        long getTotalTableCount();

        boolean getSnapshotCompleted();

        Map<String, Long> getRowsScanned();

        String getLastEvent();

        String[] getCapturedTables();
    }

    public static final class SnapshotLike implements SnapshotLikeMXBean {
        final Map<String, Long> rows = new TreeMap<>();
        volatile boolean completed;

        @Override
        public long getTotalTableCount() {
            return 3;
        }

        @Override
        public boolean getSnapshotCompleted() {
            return completed;
        }

        @Override
        public Map<String, Long> getRowsScanned() {
            return new TreeMap<>(rows);
        }

        @Override
        public String getLastEvent() {
            return "an event";
        }

        @Override
        public String[] getCapturedTables() {
            return new String[] {"public.users"};
        }
    }

    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    private final String server = "jmxtest" + UUID.randomUUID().toString().replace("-", "");
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DebeziumJmxMetrics bridge = new DebeziumJmxMetrics(mbeans, server);

    @AfterEach
    void unregister() throws Exception {
        ObjectName name = PostgresCapture.connectorMetrics(server, "snapshot");
        if (mbeans.isRegistered(name)) {
            mbeans.unregisterMBean(name);
        }
        registry.close();
    }

    private PrometheusText scrape() {
        bridge.refresh();
        return PrometheusText.parse(registry.scrape(WarmerMetrics.CONTENT_TYPE));
    }

    @Test
    void shouldBridgeNumbersBooleansAndRowsPerTableOnceTheMBeanAppears() throws Exception {
        bridge.bindTo(registry);
        assertThat(scrape().hasSeriesStartingWith("debezium_")).as("no MBean yet").isFalse();

        SnapshotLike snapshot = new SnapshotLike();
        snapshot.rows.put("public.users", 42L);
        snapshot.completed = true;
        mbeans.registerMBean(snapshot, PostgresCapture.connectorMetrics(server, "snapshot"));
        PrometheusText text = scrape();

        assertThat(text.value("debezium_snapshot_total_table_count")).contains(3.0);
        assertThat(text.value("debezium_snapshot_snapshot_completed")).contains(1.0);
        assertThat(text.value("debezium_snapshot_rows_scanned", "table", "public.users")).contains(42.0);
        assertThat(text.samples()).filteredOn(s -> s.name().startsWith("debezium_"))
                .extracting(PrometheusText.Sample::name)
                .as("text and arrays are left out")
                .doesNotContain("debezium_snapshot_last_event", "debezium_snapshot_captured_tables");
    }

    @Test
    void shouldAddATableThatAppearsLaterAndReadNaNOnceTheMBeanIsGone() throws Exception {
        bridge.bindTo(registry);
        SnapshotLike snapshot = new SnapshotLike();
        snapshot.rows.put("public.users", 1L);
        ObjectName name = PostgresCapture.connectorMetrics(server, "snapshot");
        mbeans.registerMBean(snapshot, name);
        scrape();

        snapshot.rows.put("public.orders", 5L);
        assertThat(scrape().value("debezium_snapshot_rows_scanned", "table", "public.orders")).contains(5.0);

        mbeans.unregisterMBean(name);
        assertThat(scrape().value("debezium_snapshot_total_table_count"))
                .hasValueSatisfying(v -> assertThat(v).isNaN());
    }

    @Test
    void shouldNameAttributesInSnakeCase() {
        assertThat(DebeziumJmxMetrics.meterName("streaming", "MilliSecondsBehindSource"))
                .isEqualTo("debezium_streaming_milli_seconds_behind_source");
        assertThat(DebeziumJmxMetrics.snakeCase("LSNValue")).isEqualTo("lsn_value");
        assertThat(DebeziumJmxMetrics.snakeCase("NumberOfEventsFiltered")).isEqualTo("number_of_events_filtered");
    }
}
