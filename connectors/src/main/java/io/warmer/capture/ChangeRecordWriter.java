package io.warmer.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium's change envelope into our topic format: the key as the primary key's JSON object,
 * the value as a {@link RowChange} document. Debezium's envelope carries connector internals that
 * readers of our topics should not depend on; ours keeps the row, the operation and a version.
 */
final class ChangeRecordWriter {

    /** Plain decimals: 1E+3 is a valid JSON number, but not what an application expects for 1000. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    /**
     * A record for the change topic; {@code value} null for a tombstone.
     *
     * @param table   the source table, null for a tombstone
     * @param version the change's version, null for a tombstone
     * @param txId    the source transaction, or -1 when Debezium did not say
     * @param lsn     the change's own WAL position, 0 for a tombstone
     */
    record TopicRecord(String topic, TableId table, String key, String value, Version version, long txId, long lsn) {
    }

    /** Debezium's header on the delete half of a primary-key update, naming the new key. */
    static final String PK_UPDATE_NEWKEY = "__debezium.newkey";

    /** Where a change stands in commit order, from its envelope's {@code op} and {@code source}. */
    interface Versions {
        Version of(Operation op, Struct source);

        /**
         * The delete half of an UPDATE that changed the primary key: Debezium sends a delete of the old key and a
         * create of the new one from one source position; the delete must order just before the create.
         */
        Version ofDeleteOfMovedKey(Struct source);
    }

    /** Warmer's own capture: see {@link #versionOf}; the delete half one byte of WAL before the update's LSN. */
    static final Versions CAPTURE = new Versions() {
        @Override
        public Version of(Operation op, Struct source) {
            return versionOf(source);
        }

        @Override
        public Version ofDeleteOfMovedKey(Struct source) {
            // No other change of the transaction lies between: WAL records are more than one byte apart.
            Version version = versionOf(source);
            return Version.of(version.position(), version.lsn() - 1);
        }
    };

    private final ConnectJson values;
    private final Versions versions;

    ChangeRecordWriter(TimestampFormat timestamps) {
        this(timestamps, UnavailableValues.WARMER, CAPTURE);
    }

    ChangeRecordWriter(TimestampFormat timestamps, UnavailableValues unavailableValues, Versions versions) {
        this.values = new ConnectJson(timestamps, unavailableValues);
        this.versions = versions;
    }

    TopicRecord translate(SourceRecord record) {
        return translate(record, java.util.Set.of());
    }

    /** @param retyped the columns of the record's table whose type changed while the capture ran */
    TopicRecord translate(SourceRecord record, java.util.Set<String> retyped) {
        String key = record.key() == null ? null : json(record.keySchema(), record.key());
        if (record.value() == null) {
            return new TopicRecord(record.topic(), null, key, null, null, -1, 0);
        }
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            throw new MalformedChangeException("Debezium sent a record on " + record.topic()
                    + " that is not a change envelope: " + record.value());
        }
        Operation op = Operation.fromCode(envelope.getString("op"));
        Struct source = envelope.getStruct("source");
        Version version = versions.of(op, source);
        if (op == Operation.DELETE && record.headers().lastWithName(PK_UPDATE_NEWKEY) != null) {
            // An UPDATE that changed the primary key: Debezium sends a delete of the old key and a create of the new
            // one, both at the update's LSN. The delete orders just before the create, so that a family whose keys
            // do not hold the primary key (the row keeps its key there) is left with the create's write, whichever
            // partition the materializer applies first.
            version = versions.ofDeleteOfMovedKey(source);
        }
        long commitTime = longOr(source, "ts_ms", envelope.getInt64("ts_ms") == null ? 0 : envelope.getInt64("ts_ms"));
        // PostgreSQL names a schema; MySQL a database, which plays its part.
        TableId tableId = new TableId(source.schema().field("schema") != null ? source.getString("schema")
                : source.getString("db"), source.getString("table"));
        String table = tableId.qualified();
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("op", op.code());
            json.writeStringField("version", version.text());
            json.writeNumberField("commitTimeMs", commitTime);
            json.writeStringField("table", table);
            java.util.List<String> unavailable = new java.util.ArrayList<>();
            Struct after = envelope.getStruct("after");
            if (after != null) {
                json.writeFieldName("row");
                values.writeRow(json, after, unavailable);
            }
            Struct before = envelope.getStruct("before");
            if (before != null) {
                json.writeFieldName("before");
                values.writeRow(json, before, new java.util.ArrayList<>());
            }
            if (!unavailable.isEmpty()) {
                // Not sent by PostgreSQL (unchanged TOASTed values): the materializer keeps the last value it saw.
                json.writeArrayFieldStart("unavailable");
                for (String column : unavailable) {
                    json.writeString(column);
                }
                json.writeEndArray();
            }
            if (!retyped.isEmpty()) {
                json.writeArrayFieldStart("retyped");
                for (String column : retyped) {
                    json.writeString(column);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the change of " + table, e);
        }
        return new TopicRecord(record.topic(), tableId, key, out.toString(), version, longOr(source, "txId", -1),
                longOr(source, "lsn", 0));
    }

    /**
     * The change's place in commit order (see {@link Version}): Debezium's {@code source.sequence} is
     * {@code ["<end of the last transaction or message delivered before>", "<the change's LSN>"]}. Before the
     * stream has delivered any commit (the first transaction on a new slot) the first is null; the change's own
     * LSN stands in for it, which is below the end of its transaction and so below every later change.
     */
    static Version versionOf(Struct source) {
        long lsn = longOr(source, "lsn", 0);
        String sequence = source.schema().field("sequence") == null ? null : source.getString("sequence");
        long position = sequence == null ? -1 : firstOf(sequence);
        return Version.of(position < 0 ? lsn : position, lsn);
    }

    /** The first element of {@code ["123","456"]} or {@code [null,"456"]}; -1 when null or absent. */
    static long firstOf(String sequence) {
        int open = sequence.indexOf('"');
        int comma = sequence.indexOf(',');
        if (open < 0 || (comma >= 0 && comma < open)) {
            return -1; // [null,"456"]
        }
        int close = sequence.indexOf('"', open + 1);
        return close < 0 ? -1 : Long.parseLong(sequence, open + 1, close, 10);
    }

    private static long longOr(Struct struct, String field, long fallback) {
        if (struct.schema().field(field) == null) {
            return fallback;
        }
        Object value = struct.get(field);
        return value instanceof Number n ? n.longValue() : fallback;
    }

    String json(org.apache.kafka.connect.data.Schema schema, Object value) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            values.write(json, schema, value, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
