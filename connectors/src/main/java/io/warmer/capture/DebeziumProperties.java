package io.warmer.capture;

import io.warmer.change.TableId;
import java.util.Properties;
import java.util.stream.Collectors;

/** The embedded engine's configuration, derived from {@link CaptureSettings} and nothing else. */
final class DebeziumProperties {

    /** How often the engine stores the source offsets of records marked processed. */
    static final long OFFSET_FLUSH_INTERVAL_MS = 1_000;
    /** Changes handed to the publisher at once. */
    static final int MAX_BATCH_SIZE = 8_192;
    static final int POLL_INTERVAL_MS = 10;
    /** How often the capture writes a heartbeat into the WAL when nothing else is delivered. */
    static final long HEARTBEAT_INTERVAL_MS = 10_000;

    private DebeziumProperties() {
    }

    static Properties of(CaptureSettings settings) {
        PostgresEndpoint pg = settings.postgres();
        Properties p = new Properties();
        p.setProperty("name", "warmer-capture-" + settings.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        // Offsets live in Kafka so the process keeps no local state and can be moved.
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.setProperty("offset.storage.topic", settings.offsetTopic());
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", String.valueOf(settings.replicationFactor()));
        p.setProperty("offset.flush.interval.ms", String.valueOf(OFFSET_FLUSH_INTERVAL_MS));
        // The offset store's producer, consumer and admin client connect as every other client does.
        p.putAll(settings.kafka().properties());

        p.setProperty("database.hostname", pg.host());
        p.setProperty("database.port", String.valueOf(pg.port()));
        p.setProperty("database.user", pg.user());
        p.setProperty("database.password", pg.password());
        p.setProperty("database.dbname", pg.database());
        p.putAll(pg.engineTlsProperties());
        p.setProperty("topic.prefix", settings.topicPrefix());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", settings.slotName());
        p.setProperty("publication.name", settings.publicationName());
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list",
                settings.tables().stream().map(TableId::qualified).map(DebeziumProperties::quoteRegex)
                        .collect(Collectors.joining(",")));
        // Debezium streams; Warmer's own snapshot (TableSnapshots) reads the tables in resumable chunks and places
        // them into the stream, so that a crash never restarts a snapshot and snapshot rows get ordered versions.
        p.setProperty("snapshot.mode", "no_data");
        // Warmer's markers and heartbeats are logical decoding messages (PostgreSQL 14+); others' are not ours.
        p.setProperty("message.prefix.include.list", "warmer");
        // A truncate is not a change a row can carry: it starts a new snapshot of the table (TableSnapshots).
        p.setProperty("skipped.operations", "none");
        // A quiet captured table on a busy database: nothing is delivered, so the stored offset and the slot's
        // confirmed position stand still and PostgreSQL keeps the WAL. A message every heartbeat is delivered, moves
        // both on, and needs no table of its own (any user may emit one).
        p.setProperty("heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL_MS));
        p.setProperty("heartbeat.action.query", "SELECT pg_logical_emit_message(false, 'warmer', 'heartbeat')");
        p.setProperty("tombstones.on.delete", "true");
        // Exact decimals (BigDecimal, written as plain JSON numbers): a cache must not round money.
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("binary.handling.mode", "base64");
        // What an unchanged TOASTed value is replaced with; the capture recognises it (UnavailableValues).
        p.setProperty("unavailable.value.placeholder", UnavailableValues.PLACEHOLDER);
        // Intervals as ISO-8601 (P1Y2M3DT4H5M6.78S), exact, instead of microseconds that count a month as 30 days.
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("errors.max.retries", "-1");
        // Bigger batches amortise the wait for Kafka's acknowledgement that ends every batch.
        p.setProperty("max.batch.size", String.valueOf(MAX_BATCH_SIZE));
        // How long the engine waits for a batch to fill before handing over what it has (default 500 ms):
        // every streamed change waited for it. A snapshot fills its batches long before.
        p.setProperty("poll.interval.ms", String.valueOf(POLL_INTERVAL_MS));
        p.setProperty("max.queue.size", String.valueOf(4 * MAX_BATCH_SIZE));
        return p;
    }

    /** table.include.list takes regular expressions; a table name must match only itself. */
    private static String quoteRegex(String qualified) {
        return qualified.replace(".", "\\.").replace("$", "\\$");
    }
}
