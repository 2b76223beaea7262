package io.warmer.capture;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * JSON written without schemas ({@code schemas.enable=false}) as Connect data with schemas inferred from the values:
 * an object a struct, a whole number int64, a fraction a decimal kept exact, text a string, an array (of anything)
 * its JSON text. The column's database type is unknown, so a value is written as the JSON has it: a timestamp stays
 * the number Debezium wrote, for instance.
 */
final class SchemalessJson {

    private SchemalessJson() {
    }

    /** The fields an envelope holds rows in: null there is a missing row, not a missing string. */
    private static final java.util.Set<String> ROWS = java.util.Set.of("before", "after");
    private static final Schema NO_ROW = SchemaBuilder.struct().optional().build();

    static Struct struct(Map<?, ?> object) {
        SchemaBuilder builder = SchemaBuilder.struct().optional();
        object.forEach((name, value) -> builder.field(String.valueOf(name),
                value == null && ROWS.contains(String.valueOf(name)) ? NO_ROW : schemaOf(value)));
        Schema schema = builder.build();
        Struct struct = new Struct(schema);
        object.forEach((name, value) -> struct.put(String.valueOf(name), valueOf(schema.field(String.valueOf(name))
                .schema(), value)));
        return struct;
    }

    private static Schema schemaOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            return struct(map).schema();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return Schema.OPTIONAL_INT64_SCHEMA;
        }
        if (value instanceof Number) {
            return org.apache.kafka.connect.data.Decimal.builder(0).optional().build();
        }
        if (value instanceof Boolean) {
            return Schema.OPTIONAL_BOOLEAN_SCHEMA;
        }
        return Schema.OPTIONAL_STRING_SCHEMA;
    }

    private static Object valueOf(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            return struct(map);
        }
        if (schema.type() == Schema.Type.INT64) {
            return ((Number) value).longValue();
        }
        if (schema.type() == Schema.Type.BYTES) {
            return value instanceof BigDecimal exact ? exact : new BigDecimal(value.toString());
        }
        if (value instanceof List<?> list) {
            return list.toString();
        }
        return value;
    }
}
