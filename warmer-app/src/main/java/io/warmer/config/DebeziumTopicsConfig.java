package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.capture.DebeziumEvents;
import io.warmer.capture.TimestampFormat;
import io.warmer.change.TableId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code source.debezium-topics}: the change topics an existing Debezium deployment writes (Kafka Connect with the
 * standard JSON converter), read instead of capturing with a replication slot of Warmer's own. Warmer translates each
 * event into its change topics, so that families, fencing, joins, dead letters and readiness work as with its own
 * capture.
 *
 * @param topicPrefix the connector's {@code topic.prefix}: the topic of a table is {@code <prefix>.<schema>.<table>}
 *                    (PostgreSQL) or {@code <prefix>.<database>.<table>} (MySQL)
 * @param connector   {@code postgresql} (default) or {@code mysql}: what the events' source position is
 * @param format      {@code envelope} (default) or {@code unwrapped} (after {@code ExtractNewRecordState} with
 *                    {@code add.fields} giving the operation and the position)
 * @param schemas     whether the JSON converter embeds schemas ({@code schemas.enable}); default true
 * @param unavailableValuePlaceholder the connector's {@code unavailable.value.placeholder}; Debezium's default
 * @param topics      a table's topic where it is not the default name (e.g. after a RegexRouter), by
 *                    {@code schema.table}
 * @param timestamps  how timestamp columns are written into values; {@code iso-8601}
 */
public record DebeziumTopicsConfig(String topicPrefix, String connector, String format, Boolean schemas,
                                   String unavailableValuePlaceholder, Map<String, String> topics,
                                   TimestampFormat timestamps) {

    public DebeziumTopicsConfig {
        require(topicPrefix, "topic-prefix", "dbserver1");
        connector = connector == null ? "postgresql" : connector;
        format = format == null ? "envelope" : format;
        schemas = schemas == null || schemas;
        Map<String, String> named = new LinkedHashMap<>();
        if (topics != null) {
            topics.forEach((table, topic) -> {
                try {
                    named.put(TableId.parse(table).qualified(), topic);
                } catch (IllegalArgumentException e) {
                    throw new InvalidFieldException("topics." + table, e.getMessage());
                }
            });
        }
        topics = Map.copyOf(named);
        timestamps = timestamps == null ? TimestampFormat.ISO_8601 : timestamps;
        try {
            DebeziumEvents.Connector.fromWireName(connector);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("connector", e.getMessage());
        }
        try {
            DebeziumEvents.Format.fromWireName(format);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("format", e.getMessage());
        }
    }

    /** The topic Debezium writes the changes of {@code table} to. */
    public String topicOf(TableId table) {
        String named = topics.get(table.qualified());
        return named != null ? named : topicPrefix + "." + table.schema() + "." + table.table();
    }

    /** How the events are read. */
    public DebeziumEvents.Settings settings() {
        return new DebeziumEvents.Settings(DebeziumEvents.Connector.fromWireName(connector),
                DebeziumEvents.Format.fromWireName(format), schemas, unavailableValuePlaceholder, timestamps);
    }
}
