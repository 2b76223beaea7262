package io.warmer.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
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

    /** The version of every row read by a snapshot: below any streamed change. */
    static final long SNAPSHOT_VERSION = 0;

    /** A record for the change topic; {@code value} null for a tombstone. */
    record TopicRecord(String topic, String key, String value, long version) {
    }

    private final ConnectJson values;

    ChangeRecordWriter(TimestampFormat timestamps) {
        this.values = new ConnectJson(timestamps);
    }

    TopicRecord translate(SourceRecord record) {
        String key = record.key() == null ? null : json(record.keySchema(), record.key());
        if (record.value() == null) {
            return new TopicRecord(record.topic(), key, null, 0);
        }
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            throw new MalformedChangeException("Debezium sent a record on " + record.topic()
                    + " that is not a change envelope: " + record.value());
        }
        Operation op = Operation.fromCode(envelope.getString("op"));
        Struct source = envelope.getStruct("source");
        // A snapshot row is older than every streamed change of it. Its LSN (the snapshot's) is not:
        // a transaction already running when the snapshot began is not in the snapshot, yet its
        // changes carry LSNs below the snapshot's, and would be fenced as older than the snapshot row.
        long version = op == Operation.SNAPSHOT ? SNAPSHOT_VERSION : longOr(source, "lsn", 0);
        long commitTime = longOr(source, "ts_ms", envelope.getInt64("ts_ms") == null ? 0 : envelope.getInt64("ts_ms"));
        String table = source.getString("schema") + "." + source.getString("table");
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("op", op.code());
            json.writeNumberField("version", version);
            json.writeNumberField("commitTimeMs", commitTime);
            json.writeStringField("table", table);
            writeIfPresent(json, envelope, "after", "row");
            writeIfPresent(json, envelope, "before", "before");
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the change of " + table, e);
        }
        return new TopicRecord(record.topic(), key, out.toString(), version);
    }

    private void writeIfPresent(JsonGenerator json, Struct envelope, String field, String name)
            throws IOException {
        Object value = envelope.get(field);
        if (value != null) {
            json.writeFieldName(name);
            values.write(json, envelope.schema().field(field).schema(), value, "");
        }
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
