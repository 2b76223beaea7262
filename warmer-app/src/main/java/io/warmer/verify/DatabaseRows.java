package io.warmer.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.TimestampFormat;
import io.warmer.change.RowChangeCodec;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * Rows read straight from PostgreSQL, rendered as the capture renders them (README, "How values are
 * rendered"), so that what a family would write can be compared byte for byte with what Redis holds.
 */
final class DatabaseRows {

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final TimestampFormat timestamps;

    DatabaseRows(TimestampFormat timestamps) {
        this.timestamps = timestamps;
    }

    ObjectNode current(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        ObjectNode row = NODES.objectNode();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
            row.set(meta.getColumnName(c), value(rs, c, meta.getColumnTypeName(c)));
        }
        return row;
    }

    private JsonNode value(ResultSet rs, int c, String type) throws SQLException {
        if (rs.getObject(c) == null) {
            return NODES.nullNode();
        }
        return switch (type) {
            case "int2", "int4", "int8", "oid" -> NODES.numberNode(rs.getLong(c));
            case "numeric" -> NODES.numberNode(rs.getBigDecimal(c));
            case "float4", "float8" -> NODES.numberNode(rs.getDouble(c));
            case "bool" -> NODES.booleanNode(rs.getBoolean(c));
            case "timestamptz" -> {
                var instant = rs.getObject(c, OffsetDateTime.class).toInstant();
                yield timestamps == TimestampFormat.EPOCH_MILLIS ? NODES.numberNode(instant.toEpochMilli())
                        : NODES.textNode(instant.toString());
            }
            case "timestamp" -> {
                LocalDateTime local = rs.getObject(c, LocalDateTime.class);
                yield timestamps == TimestampFormat.EPOCH_MILLIS
                        ? NODES.numberNode(local.toInstant(ZoneOffset.UTC).toEpochMilli()) : NODES.textNode(local.toString());
            }
            case "date" -> NODES.textNode(rs.getObject(c, LocalDate.class).toString());
            case "time" -> NODES.textNode(rs.getObject(c, LocalTime.class).toString());
            case "json", "jsonb" -> parse(rs.getString(c));
            case "bytea" -> NODES.textNode(Base64.getEncoder().encodeToString(rs.getBytes(c)));
            default -> type.startsWith("_") ? array(rs.getArray(c)) : NODES.textNode(rs.getString(c));
        };
    }

    private static JsonNode array(Array array) throws SQLException {
        ArrayNode items = NODES.arrayNode();
        for (Object item : (Object[]) array.getArray()) {
            if (item == null) {
                items.addNull();
            } else if (item instanceof Number n && !(item instanceof java.math.BigDecimal)) {
                items.add(n.longValue());
            } else if (item instanceof java.math.BigDecimal d) {
                items.add(d);
            } else if (item instanceof Boolean b) {
                items.add(b);
            } else {
                items.add(item.toString());
            }
        }
        return items;
    }

    private static JsonNode parse(String json) {
        try {
            return RowChangeCodec.json().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PostgreSQL returned JSON that does not parse: " + e.getOriginalMessage(), e);
        }
    }
}
