package io.warmer.capture;

import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Change events that a Debezium deployment of its own (Kafka Connect with the standard JSON converter) wrote,
 * turned into Warmer's change-topic records: the same key, {@code RowChange} and version as Warmer's own capture
 * writes, so that families, fencing, joins and readiness work on them unchanged. A record that is not such an event,
 * or not in the configured format, is a {@link MalformedChangeException} saying what was found and what was expected.
 *
 * <p>Versions come from the events' source position (see docs/design.md, "Debezium topics as a source"):
 * PostgreSQL's {@code source.sequence} and {@code lsn}, as for Warmer's own capture; MySQL's binlog file, position
 * and row. A row read by Debezium's snapshot ({@code op: r}) orders before every streamed change.
 *
 * <p>Not thread-safe (it keeps converters and schemas it built): one per stream task.
 */
public final class DebeziumEvents {

    /** Which Debezium connector wrote the events: it decides what their source position is. */
    public enum Connector {
        POSTGRESQL("postgresql"), MYSQL("mysql");

        private final String wireName;

        Connector(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Connector fromWireName(String text) {
            for (Connector connector : values()) {
                if (connector.wireName.equals(text)) {
                    return connector;
                }
            }
            throw new IllegalArgumentException("found '" + text + "', expected one of: "
                    + Arrays.stream(values()).map(Connector::wireName).collect(Collectors.joining(", ")));
        }
    }

    /** The shape of an event's value. */
    public enum Format {
        /** Debezium's envelope: {@code op}, {@code source}, {@code before}, {@code after}. */
        ENVELOPE("envelope"),
        /**
         * After {@code ExtractNewRecordState}: the row itself, with {@code add.fields} giving {@code __op} and the
         * source position ({@code __lsn} and {@code __sequence} for PostgreSQL; {@code __file}, {@code __pos} and
         * {@code __row} for MySQL) and {@code delete.tombstone.handling.mode=rewrite} marking deletes
         * ({@code __deleted}).
         */
        UNWRAPPED("unwrapped");

        private final String wireName;

        Format(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Format fromWireName(String text) {
            for (Format format : values()) {
                if (format.wireName.equals(text)) {
                    return format;
                }
            }
            throw new IllegalArgumentException("found '" + text + "', expected one of: "
                    + Arrays.stream(values()).map(Format::wireName).collect(Collectors.joining(", ")));
        }
    }

    /**
     * How the events were written.
     *
     * @param schemas     whether the JSON converter embedded schemas ({@code schemas.enable}, its default): without
     *                    them a column's type is unknown, and values are written as the JSON has them
     * @param placeholder the connector's {@code unavailable.value.placeholder}
     */
    public record Settings(Connector connector, Format format, boolean schemas, String placeholder,
                           TimestampFormat timestamps) {
        public Settings {
            placeholder = placeholder == null ? UnavailableValues.DEBEZIUM_DEFAULT : placeholder;
            timestamps = timestamps == null ? TimestampFormat.ISO_8601 : timestamps;
        }
    }

    /**
     * A record for Warmer's change topic of {@code table}: {@code value} null for a tombstone.
     *
     * @param read     what the event says of a snapshot; {@link SnapshotRead#NONE} for a streamed change
     * @param exists   whether the row exists after the event (false for a delete or a tombstone)
     */
    public record Translated(TableId table, String key, String value, Version version, SnapshotRead read,
                             boolean exists) {

        /**
         * The event's own version when it is a streamed change (not a row read by a snapshot, not a tombstone): what
         * raises the floor of later reads ({@link Placement}); else null.
         */
        public Version streamed() {
            return read == SnapshotRead.NONE ? version : null;
        }
    }

    /** Which kind of snapshot read a row, by Debezium's {@code source.snapshot}. */
    public enum SnapshotRead {
        /** Not a read: a streamed change or a tombstone. */
        NONE,
        /** A row read by a snapshot that stops the stream while it reads the table (the connector's own). */
        BLOCKING,
        /** The last row of a blocking snapshot's table ({@code last} or {@code last_in_data_collection}). */
        BLOCKING_LAST,
        /** A row read by an incremental snapshot, between the stream's changes. */
        INCREMENTAL
    }

    /**
     * Where an event stands in its partition, which decides the version of a row read by a snapshot (see
     * docs/design.md, "A second snapshot by the connector").
     *
     * @param floor null before the partition has streamed anything: a read belongs to the connector's first snapshot
     *              and orders before every streamed change. Else the largest version streamed before the event in the
     *              partition followed by the event's offset: a read (a second snapshot, or an incremental one) is
     *              newer than everything streamed before it and older than everything streamed after
     */
    public record Placement(Version floor) {
        /** A partition that has not streamed yet. */
        public static final Placement FIRST_SNAPSHOT = new Placement(null);
    }

    private static final String UNWRAPPED_PREFIX = "__";
    private static final com.fasterxml.jackson.databind.ObjectMapper SCHEMALESS = new com.fasterxml.jackson.databind
            .ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Settings settings;
    private final JsonConverter keys = new JsonConverter();
    private final JsonConverter values = new JsonConverter();
    private final ChangeRecordWriter writer;
    private final PlacedVersions versions;
    /** By unwrapped schema; a few per table over its life (each schema change adds one), so a small bound does. */
    private final Map<Schema, EnvelopeSchemas> envelopeSchemas = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Schema, EnvelopeSchemas> eldest) {
            return size() > 256;
        }
    };

    public DebeziumEvents(Settings settings) {
        this.settings = settings;
        keys.configure(Map.of("schemas.enable", settings.schemas(), "decimal.format", "NUMERIC"), true);
        values.configure(Map.of("schemas.enable", settings.schemas(), "decimal.format", "NUMERIC"), false);
        this.versions = new PlacedVersions(settings.connector() == Connector.MYSQL ? new BinlogVersions()
                : new WalVersions());
        this.writer = new ChangeRecordWriter(settings.timestamps(), new UnavailableValues(settings.placeholder()),
                versions);
    }

    /**
     * @param table the table the topic holds the changes of
     * @throws MalformedChangeException saying what the record holds and what was expected
     */
    public Translated translate(String topic, TableId table, byte[] key, byte[] value, Headers headers) {
        return translate(topic, table, key, value, headers, Placement.FIRST_SNAPSHOT);
    }

    /**
     * @param table     the table the topic holds the changes of
     * @param placement where the event stands in its partition
     * @throws MalformedChangeException saying what the record holds and what was expected
     */
    public Translated translate(String topic, TableId table, byte[] key, byte[] value, Headers headers,
                                Placement placement) {
        Struct keyStruct = asStruct(read(keys, topic, key, "key"), topic, "key");
        if (keyStruct == null) {
            throw new MalformedChangeException("a record on " + topic + " has no key, expected the primary key of "
                    + table + " as Debezium writes it");
        }
        String keyJson = writer.json(keyStruct.schema(), keyStruct);
        if (value == null) {
            return new Translated(table, keyJson, null, null, SnapshotRead.NONE, false);
        }
        Struct event = asStruct(read(values, topic, value, "value"), topic, "value");
        if (event == null) {
            return new Translated(table, keyJson, null, null, SnapshotRead.NONE, false);
        }
        Struct envelope = settings.format() == Format.ENVELOPE ? checkedEnvelope(event, topic) : envelopeOf(event, topic, table);
        boolean read = Operation.SNAPSHOT.code().equals(envelope.getString("op"));
        SnapshotRead kind = read ? snapshotRead(envelope.getStruct("source")) : SnapshotRead.NONE;
        boolean exists = !Operation.DELETE.code().equals(envelope.getString("op"));
        versions.placed = read ? placement.floor() : null;
        ConnectHeaders connectHeaders = new ConnectHeaders();
        if (headers != null && headers.lastHeader(ChangeRecordWriter.PK_UPDATE_NEWKEY) != null) {
            connectHeaders.addString(ChangeRecordWriter.PK_UPDATE_NEWKEY, "moved");
        }
        SourceRecord record = new SourceRecord(null, null, topic, null, keyStruct.schema(), keyStruct,
                envelope.schema(), envelope, null, connectHeaders);
        ChangeRecordWriter.TopicRecord written;
        try {
            written = writer.translate(record);
        } catch (DataException | ClassCastException | NullPointerException e) {
            throw new MalformedChangeException("a record on " + topic + " is not a Debezium change event of "
                    + settings.connector().wireName() + ": " + e.getMessage());
        }
        if (!written.table().equals(table)) {
            throw new MalformedChangeException("a record on " + topic + " is a change of " + written.table()
                    + ", expected one of " + table);
        }
        return new Translated(table, keyJson, written.value(), written.version(), kind, exists);
    }

    private static SnapshotRead snapshotRead(Struct source) {
        String snapshot = source == null || source.schema().field("snapshot") == null ? null
                : String.valueOf(source.get("snapshot"));
        if ("incremental".equals(snapshot)) {
            return SnapshotRead.INCREMENTAL;
        }
        return "last".equals(snapshot) || "last_in_data_collection".equals(snapshot) ? SnapshotRead.BLOCKING_LAST
                : SnapshotRead.BLOCKING;
    }

    private SchemaAndValue read(JsonConverter converter, String topic, byte[] bytes, String part) {
        if (bytes == null) {
            return SchemaAndValue.NULL;
        }
        try {
            // Without schemas, Jackson rather than the converter: it keeps the columns' order and exact decimals.
            return settings.schemas() ? converter.toConnectData(topic, bytes)
                    : new SchemaAndValue(null, SCHEMALESS.readValue(bytes, Object.class));
        } catch (DataException | java.io.IOException e) {
            String found = new String(bytes, 0, Math.min(bytes.length, 120), java.nio.charset.StandardCharsets.UTF_8);
            if (settings.schemas()) {
                throw new MalformedChangeException("the " + part + " of a record on " + topic + " is not JSON with a"
                        + " schema and a payload (found " + found + "), expected Debezium's JSON converter with"
                        + " schemas.enable=true; set source.debezium-topics.schemas: false if the connector writes"
                        + " JSON without schemas");
            }
            throw new MalformedChangeException("the " + part + " of a record on " + topic + " is not JSON (found "
                    + found + "), expected Debezium's JSON converter");
        }
    }

    /** The converted value as a Struct; schemaless JSON gets a schema inferred from its values. */
    private static Struct asStruct(SchemaAndValue converted, String topic, String part) {
        Object value = converted.value();
        if (value == null) {
            return null;
        }
        if (value instanceof Struct struct) {
            return struct;
        }
        if (value instanceof Map<?, ?> map && converted.schema() == null) {
            return SchemalessJson.struct(map);
        }
        throw new MalformedChangeException("the " + part + " of a record on " + topic + " is "
                + value.getClass().getSimpleName() + " '" + abbreviated(value) + "', expected a JSON object");
    }

    private Struct checkedEnvelope(Struct event, String topic) {
        Schema schema = event.schema();
        if (schema.field("op") == null || schema.field("source") == null) {
            boolean unwrapped = schema.fields().stream().anyMatch(f -> f.name().startsWith(UNWRAPPED_PREFIX));
            throw new MalformedChangeException("a record on " + topic + " has fields " + names(schema)
                    + ", expected Debezium's envelope (op, source, before, after)" + (unwrapped
                    ? "; it looks unwrapped by ExtractNewRecordState: set source.debezium-topics.format: unwrapped" : ""));
        }
        return event;
    }

    /** An unwrapped row (ExtractNewRecordState) as the envelope it came from. */
    private Struct envelopeOf(Struct event, String topic, TableId table) {
        Schema schema = event.schema();
        if (schema.field("op") != null && schema.field("source") != null) {
            throw new MalformedChangeException("a record on " + topic + " is Debezium's envelope, expected a row"
                    + " unwrapped by ExtractNewRecordState; set source.debezium-topics.format: envelope");
        }
        List<String> position = settings.connector() == Connector.MYSQL ? List.of("__file", "__pos", "__row")
                : List.of("__lsn");
        List<String> missing = new ArrayList<>();
        for (String field : concat("__op", position)) {
            if (schema.field(field) == null) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            throw new MalformedChangeException("an unwrapped record on " + topic + " has no " + missing + ", which"
                    + " Warmer needs to order changes; configure the unwrap transform with add.fields="
                    + (settings.connector() == Connector.MYSQL ? "op,file,pos,row" : "op,lsn,sequence")
                    + " and delete.tombstone.handling.mode=rewrite");
        }
        EnvelopeSchemas shapes = envelopeSchemas.computeIfAbsent(schema, s -> EnvelopeSchemas.of(s, position));
        Schema row = shapes.row();
        Struct rowValue = new Struct(row);
        for (Field field : row.fields()) {
            rowValue.put(field.name(), event.get(field.name()));
        }
        boolean deleted = schema.field("__deleted") != null && "true".equals(String.valueOf(event.get("__deleted")));
        String op = deleted ? Operation.DELETE.code() : String.valueOf(event.get("__op"));
        Struct source = new Struct(shapes.source()).put("table", table.table())
                .put(settings.connector() == Connector.MYSQL ? "db" : "schema", table.schema());
        for (String f : position) {
            Object v = event.get(f);
            source.put(f.substring(2), f.equals("__file") ? String.valueOf(v) : ((Number) v).longValue());
        }
        if (schema.field("__sequence") != null) {
            source.put("sequence", event.get("__sequence") == null ? null : String.valueOf(event.get("__sequence")));
        }
        for (String ts : List.of("__source_ts_ms", "__ts_ms")) {
            if (schema.field(ts) != null && event.get(ts) instanceof Number n) {
                source.put("ts_ms", n.longValue());
                break;
            }
        }
        Struct envelope = new Struct(shapes.envelope()).put("op", op).put("source", source);
        if (deleted) {
            envelope.put("before", rowValue);
        } else {
            envelope.put("after", rowValue);
        }
        return envelope;
    }

    /**
     * The schemas of the envelope an unwrapped row's schema is rebuilt into; the same for every row of a table until
     * its schema changes, so they are built once per schema.
     */
    private record EnvelopeSchemas(Schema row, Schema source, Schema envelope) {

        static EnvelopeSchemas of(Schema unwrapped, List<String> position) {
            SchemaBuilder rowSchema = SchemaBuilder.struct().optional();
            for (Field field : unwrapped.fields()) {
                if (!field.name().startsWith(UNWRAPPED_PREFIX)) {
                    rowSchema.field(field.name(), field.schema());
                }
            }
            Schema row = rowSchema.build();
            SchemaBuilder sourceSchema = SchemaBuilder.struct()
                    .field("schema", Schema.OPTIONAL_STRING_SCHEMA).field("db", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("table", Schema.OPTIONAL_STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA);
            position.forEach(f -> sourceSchema.field(f.substring(2), f.equals("__file") ? Schema.OPTIONAL_STRING_SCHEMA
                    : Schema.OPTIONAL_INT64_SCHEMA));
            if (unwrapped.field("__sequence") != null) {
                sourceSchema.field("sequence", Schema.OPTIONAL_STRING_SCHEMA);
            }
            Schema source = sourceSchema.build();
            Schema envelope = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("source", source)
                    .field("before", row).field("after", row).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
            return new EnvelopeSchemas(row, source, envelope);
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static String names(Schema schema) {
        return schema.fields().stream().map(Field::name).toList().toString();
    }

    private static String abbreviated(Object value) {
        String text = String.valueOf(value);
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    /** The connector's versions, or the one a {@link Placement} decided for the event being translated. */
    private static final class PlacedVersions implements ChangeRecordWriter.Versions {
        private final ChangeRecordWriter.Versions connector;
        private Version placed;

        PlacedVersions(ChangeRecordWriter.Versions connector) {
            this.connector = connector;
        }

        @Override
        public Version of(Operation op, Struct source) {
            return placed != null ? placed : connector.of(op, source);
        }

        @Override
        public Version ofDeleteOfMovedKey(Struct source) {
            return placed != null ? placed : connector.ofDeleteOfMovedKey(source);
        }
    }

    /**
     * PostgreSQL: as Warmer's own capture ({@link ChangeRecordWriter#versionOf}), except that a row read by the
     * connector's snapshot orders before every streamed change: {@code 0.<lsn>}. A snapshot reads at one WAL
     * position, but a transaction in flight when it began may have written before that position and commit after
     * it; its change must win over the snapshot's read of the same row.
     */
    private static final class WalVersions implements ChangeRecordWriter.Versions {
        @Override
        public Version of(Operation op, Struct source) {
            Version streamed = ChangeRecordWriter.versionOf(source);
            return op == Operation.SNAPSHOT ? Version.of(0, streamed.lsn()) : streamed;
        }

        @Override
        public Version ofDeleteOfMovedKey(Struct source) {
            return ChangeRecordWriter.CAPTURE.ofDeleteOfMovedKey(source);
        }
    }

    /**
     * MySQL: the binlog holds transactions in commit order, so its coordinates order changes: the file's number,
     * the position of the transaction's events and the row within the event, doubled so that the delete half of a
     * moved primary key orders just before its create half. A snapshot's read orders before everything streamed.
     */
    private static final class BinlogVersions implements ChangeRecordWriter.Versions {
        @Override
        public Version of(Operation op, Struct source) {
            return op == Operation.SNAPSHOT ? Version.of(0, 0).then(0) : coordinates(source, 1);
        }

        @Override
        public Version ofDeleteOfMovedKey(Struct source) {
            return coordinates(source, 0);
        }

        private static Version coordinates(Struct source, long half) {
            String file = source.getString("file");
            int dot = file == null ? -1 : file.lastIndexOf('.');
            if (dot < 0) {
                throw new MalformedChangeException("a MySQL change without a binlog file name in its source ("
                        + file + "), expected e.g. mysql-bin.000003");
            }
            long fileNumber = Long.parseLong(file.substring(dot + 1));
            long pos = ((Number) source.get("pos")).longValue();
            Object row = source.schema().field("row") == null ? null : source.get("row");
            long rowNumber = row instanceof Number n ? n.longValue() : 0;
            return Version.of(fileNumber, pos).then(2 * rowNumber + half);
        }
    }
}
