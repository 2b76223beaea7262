package io.warmer.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.warmer.capture.PostgresCapture;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Debezium connector's own metrics, bridged from the JMX MBeans it registers
 * ({@link PostgresCapture#connectorMetrics}, one per context, snapshot and streaming): every
 * numeric or boolean attribute becomes the gauge {@code debezium_<context>_<attribute_in_snake_case>} (a boolean reads
 * 1 or 0), and the per-table map {@code RowsScanned} one gauge per table, labelled {@code table}. Text, arrays and
 * other maps are left out.
 *
 * <p>The MBeans appear only once the engine runs, so {@link #refresh()} looks for them again (at every scrape) and
 * registers what is new. A gauge reads its attribute at each scrape, by name: it reads NaN while the MBean is gone
 * and follows a restarted engine's new one.
 */
final class DebeziumJmxMetrics implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumJmxMetrics.class);
    static final List<String> CONTEXTS = List.of("snapshot", "streaming");
    /** The maps worth a labelled gauge, by attribute, with their keys' label. */
    private static final Map<String, String> MAP_LABELS = Map.of("RowsScanned", "table");
    private static final Set<String> NUMERIC_TYPES = Set.of("int", "long", "double", "float", "short", "byte",
            "boolean", Integer.class.getName(), Long.class.getName(), Double.class.getName(), Float.class.getName(),
            Short.class.getName(), Byte.class.getName(), Boolean.class.getName());

    private final MBeanServer mbeans;
    private final String server;
    /** Gauges registered, as context/attribute[/key]. */
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;

    /** @param server the connector's logical name: {@code kafka.topic-prefix} */
    DebeziumJmxMetrics(MBeanServer mbeans, String server) {
        this.mbeans = mbeans;
        this.server = server;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        refresh();
    }

    /** Registers gauges for the MBeans and map keys that appeared since the last look. */
    void refresh() {
        MeterRegistry bound = registry;
        if (bound == null) {
            return;
        }
        for (String context : CONTEXTS) {
            try {
                ObjectName name = PostgresCapture.connectorMetrics(server, context);
                if (mbeans.isRegistered(name)) {
                    for (MBeanAttributeInfo attribute : mbeans.getMBeanInfo(name).getAttributes()) {
                        if (!attribute.isReadable()) {
                            continue;
                        }
                        if (NUMERIC_TYPES.contains(attribute.getType())) {
                            attributeGauge(bound, context, name, attribute.getName());
                        } else if (MAP_LABELS.containsKey(attribute.getName())) {
                            mapGauges(bound, context, name, attribute.getName());
                        }
                    }
                }
            } catch (JMException | RuntimeException e) {
                // The engine may be unregistering its MBeans right now: the next scrape looks again.
                LOG.debug("Cannot read the connector's {} metrics: {}", context, e.getMessage());
            }
        }
    }

    private void attributeGauge(MeterRegistry registry, String context, ObjectName name, String attribute) {
        if (registered.add(context + "/" + attribute)) {
            Gauge.builder(meterName(context, attribute), () -> read(name, attribute, null))
                    .description("Debezium connector metric " + attribute + " (" + context + ")")
                    .register(registry);
        }
    }

    private void mapGauges(MeterRegistry registry, String context, ObjectName name, String attribute)
            throws JMException {
        if (!(mbeans.getAttribute(name, attribute) instanceof TabularData table)) {
            return;
        }
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            String key = String.valueOf(entry.get("key"));
            if (entry.get("value") instanceof Number && registered.add(context + "/" + attribute + "/" + key)) {
                Gauge.builder(meterName(context, attribute), () -> read(name, attribute, key))
                        .description("Debezium connector metric " + attribute + " (" + context + ")")
                        .tag(MAP_LABELS.get(attribute), key)
                        .register(registry);
            }
        }
    }

    /** The attribute's value now, or the value of {@code key} in it when it is a map; NaN when unreadable. */
    private double read(ObjectName name, String attribute, String key) {
        try {
            Object value = mbeans.getAttribute(name, attribute);
            if (key != null && value instanceof TabularData table) {
                value = table.values().stream().map(CompositeData.class::cast)
                        .filter(entry -> key.equals(String.valueOf(entry.get("key"))))
                        .findFirst().map(entry -> entry.get("value")).orElse(null);
            }
            if (value instanceof Number number) {
                return number.doubleValue();
            }
            if (value instanceof Boolean flag) {
                return flag ? 1 : 0;
            }
        } catch (JMException | RuntimeException e) {
            // gone with a stopped engine, or not yet there
        }
        return Double.NaN;
    }

    /** {@code debezium_<context>_<attribute_in_snake_case>}, e.g. {@code debezium_streaming_milli_seconds_behind_source}. */
    static String meterName(String context, String attribute) {
        return "debezium_" + context + "_" + snakeCase(attribute);
    }

    /** {@code MilliSecondsBehindSource} → {@code milli_seconds_behind_source}; {@code LSNValue} → {@code lsn_value}. */
    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2")
                .toLowerCase(java.util.Locale.ROOT);
    }
}
