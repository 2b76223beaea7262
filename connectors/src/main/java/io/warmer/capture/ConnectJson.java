package io.warmer.capture;

import com.fasterxml.jackson.core.JsonGenerator;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.data.VariableScaleDecimal;
import io.warmer.change.MalformedChangeException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Writes Kafka Connect values, as Debezium hands them over, as the JSON applications expect to read
 * from a cache (documented in the README, "How values are rendered"): timestamps as ISO-8601, numeric
 * exactly, json/jsonb nested, bytea as base64. Straight into our generator: no intermediate tree.
 */
final class ConnectJson {

    private final TimestampFormat timestamps;
    private final UnavailableValues unavailableValues;

    ConnectJson(TimestampFormat timestamps) {
        this(timestamps, UnavailableValues.WARMER);
    }

    /** @param unavailableValues how the connector marks a value PostgreSQL did not send */
    ConnectJson(TimestampFormat timestamps, UnavailableValues unavailableValues) {
        this.timestamps = timestamps;
        this.unavailableValues = unavailableValues;
    }

    /**
     * A row's columns as a JSON object, with null in the place of a value PostgreSQL did not send (see
     * {@link UnavailableValues}), whose column is added to {@code unavailable}: filled in later, it keeps its place
     * among the columns, so that a whole-row value has the table's column order.
     */
    void writeRow(JsonGenerator json, Struct row, java.util.List<String> unavailable) throws IOException {
        json.writeStartObject();
        for (Field field : row.schema().fields()) {
            Object value = row.get(field);
            json.writeFieldName(field.name());
            if (value != null && unavailableValues.isPlaceholder(value)) {
                unavailable.add(field.name());
                json.writeNull();
                continue;
            }
            write(json, field.schema(), value, field.name());
        }
        json.writeEndObject();
    }

    void write(JsonGenerator json, Schema schema, Object value, String path) throws IOException {
        if (value == null) {
            json.writeNull();
            return;
        }
        String logical = schema == null ? null : schema.name();
        if (logical != null && writeLogical(json, logical, value, path)) {
            return;
        }
        if (value instanceof Struct struct) {
            json.writeStartObject();
            for (Field field : struct.schema().fields()) {
                json.writeFieldName(field.name());
                write(json, field.schema(), struct.get(field), field.name());
            }
            json.writeEndObject();
        } else if (value instanceof String s) {
            json.writeString(s);
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new MalformedChangeException("column '" + path + "' holds " + d + ", which JSON cannot represent");
            }
            if (value instanceof Float f) {
                json.writeNumber(f);
            } else {
                json.writeNumber(d);
            }
        } else if (value instanceof BigDecimal d) {
            json.writeNumber(d);
        } else if (value instanceof byte[] bytes) {
            json.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            json.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof java.util.Date date) {
            if (timestamps == TimestampFormat.EPOCH_MILLIS) {
                json.writeNumber(date.getTime());
            } else {
                json.writeString(date.toInstant().toString());
            }
        } else if (value instanceof Collection<?> list) {
            json.writeStartArray();
            Schema items = schema == null || schema.type() != Schema.Type.ARRAY ? null : schema.valueSchema();
            for (Object item : list) {
                write(json, items, item, path + "[]");
            }
            json.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            Schema values = schema == null || schema.type() != Schema.Type.MAP ? null : schema.valueSchema();
            for (var entry : map.entrySet()) {
                json.writeFieldName(String.valueOf(entry.getKey()));
                write(json, values, entry.getValue(), path + "." + entry.getKey());
            }
            json.writeEndObject();
        } else {
            json.writeString(value.toString());
        }
    }

    /** @return false when the logical type is not one we render specially */
    private boolean writeLogical(JsonGenerator json, String logical, Object value, String path) throws IOException {
        switch (logical) {
            case "io.debezium.time.Date" -> json.writeString(LocalDate.ofEpochDay(((Number) value).longValue()).toString());
            case "io.debezium.time.Time" -> json.writeString(LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000).toString());
            case "io.debezium.time.MicroTime" -> json.writeString(LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000).toString());
            case "io.debezium.time.NanoTime" -> json.writeString(LocalTime.ofNanoOfDay(((Number) value).longValue()).toString());
            case "io.debezium.time.Timestamp" -> writeTimestamp(json, ((Number) value).longValue(), 1_000_000);
            case "io.debezium.time.MicroTimestamp" -> writeTimestamp(json, ((Number) value).longValue(), 1_000);
            case "io.debezium.time.NanoTimestamp" -> writeTimestamp(json, ((Number) value).longValue(), 1);
            case "io.debezium.time.ZonedTimestamp" -> {
                if (value.equals("infinity") || value.equals("-infinity")) {
                    json.writeString((String) value);
                    return true;
                }
                // Canonical UTC (Instant.toString), not Debezium's padded text: `warmer verify` renders
                // the database's value the same way and compares bytes.
                Instant instant = java.time.OffsetDateTime.parse((String) value).toInstant();
                if (timestamps == TimestampFormat.EPOCH_MILLIS) {
                    json.writeNumber(instant.toEpochMilli());
                } else {
                    json.writeString(instant.toString());
                }
            }
            case "io.debezium.data.Json" -> json.writeRawValue((String) value);
            case "io.debezium.data.Bits" -> json.writeString(bits(value));
            case Decimal.LOGICAL_NAME -> json.writeNumber((BigDecimal) value);
            case VariableScaleDecimal.LOGICAL_NAME -> {
                SpecialValueDecimal decimal = VariableScaleDecimal.toLogical((Struct) value);
                BigDecimal exact = decimal.getDecimalValue().orElseThrow(() -> new MalformedChangeException(
                        "column '" + path + "' holds " + decimal + ", which JSON cannot represent"));
                json.writeNumber(exact);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Debezium's bytes of a bit string (little-endian, without leading zero bytes) as the binary numeral
     * {@code io.warmer.capture.rows.RowReader} reads from the database: the bits without leading zeros.
     */
    static String bits(Object value) {
        byte[] bytes = value instanceof ByteBuffer buffer ? bytesOf(buffer) : (byte[]) value;
        java.util.BitSet set = java.util.BitSet.valueOf(bytes);
        if (set.isEmpty()) {
            return "0";
        }
        StringBuilder text = new StringBuilder(set.length());
        for (int i = set.length() - 1; i >= 0; i--) {
            text.append(set.get(i) ? '1' : '0');
        }
        return text.toString();
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private void writeTimestamp(JsonGenerator json, long units, long nanosPerUnit) throws IOException {
        if (timestamps == TimestampFormat.EPOCH_MILLIS) {
            json.writeNumber(Math.floorDiv(units * nanosPerUnit, 1_000_000L));
        } else {
            json.writeString(localDateTime(units, nanosPerUnit));
        }
    }

    /** A timestamp without time zone, as PostgreSQL's {@code timestamp}: ISO-8601 without offset. */
    private static String localDateTime(long units, long nanosPerUnit) {
        long seconds = Math.floorDiv(units * nanosPerUnit, 1_000_000_000L);
        long nanos = Math.floorMod(units * nanosPerUnit, 1_000_000_000L);
        return Instant.ofEpochSecond(seconds, nanos).atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
    }
}
