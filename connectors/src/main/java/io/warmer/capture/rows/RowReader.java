package io.warmer.capture.rows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.TimestampFormat;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChangeCodec;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import io.debezium.time.Interval;
import org.postgresql.util.PGInterval;

/**
 * Rows read from PostgreSQL over JDBC, rendered as the capture renders a streamed change (README, "How values are
 * rendered"): the one reading of the database that the snapshot, {@code warmer verify}, the coverage samples and
 * the memory estimate share, so that what they compare is the same bytes. Types are decided by {@link ColumnTypes}
 * (the catalog), not by the driver's type names.
 */
public final class RowReader {

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final ColumnKind[] kinds;
    private final boolean[] arrays;
    private final String[] names;
    private final TimestampFormat timestamps;

    private RowReader(ColumnKind[] kinds, boolean[] arrays, String[] names, TimestampFormat timestamps) {
        this.kinds = kinds;
        this.arrays = arrays;
        this.names = names;
        this.timestamps = timestamps;
    }

    /**
     * A reader for the rows of one result set.
     *
     * @param columns the types of the columns the result set selects, by name ({@link ColumnTypes#of})
     * @throws IllegalArgumentException when the result set has a column {@code columns} does not know
     */
    public static RowReader of(ResultSetMetaData meta, Map<String, ColumnType> columns, TimestampFormat timestamps)
            throws SQLException {
        int count = meta.getColumnCount();
        ColumnKind[] kinds = new ColumnKind[count];
        boolean[] arrays = new boolean[count];
        String[] names = new String[count];
        for (int c = 0; c < count; c++) {
            names[c] = meta.getColumnName(c + 1);
            ColumnType type = columns.get(names[c]);
            if (type == null) {
                throw new IllegalArgumentException("no type known for column '" + names[c] + "' (known: "
                        + columns.keySet() + ")");
            }
            kinds[c] = type.kind();
            arrays[c] = type.array();
        }
        return new RowReader(kinds, arrays, names, timestamps);
    }

    /**
     * The current row as a JSON object of its columns, in result order.
     *
     * @throws MalformedChangeException naming the column when a value cannot be JSON (NaN, infinity)
     */
    public ObjectNode read(ResultSet rs) throws SQLException {
        ObjectNode row = NODES.objectNode();
        for (int c = 0; c < kinds.length; c++) {
            if (kinds[c] != ColumnKind.ABSENT) {
                row.set(names[c], arrays[c] ? array(rs.getArray(c + 1), kinds[c], names[c]) : value(rs, c + 1, kinds[c], names[c]));
            }
        }
        return row;
    }

    /**
     * One column of the current row, rendered as in {@link #read}.
     *
     * @throws IllegalArgumentException when the result set has no such column
     */
    public JsonNode column(ResultSet rs, String name) throws SQLException {
        for (int c = 0; c < names.length; c++) {
            if (names[c].equals(name)) {
                return arrays[c] ? array(rs.getArray(c + 1), kinds[c], name) : value(rs, c + 1, kinds[c], name);
            }
        }
        throw new IllegalArgumentException("the result has no column '" + name + "'");
    }

    private JsonNode value(ResultSet rs, int c, ColumnKind kind, String column) throws SQLException {
        // getString, not getObject: the driver's object for some types (money) fails where its text does not.
        if (rs.getString(c) == null) {
            return NODES.nullNode();
        }
        try {
            return render(rs, c, kind, column);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) { // a data exception: this value
                throw new MalformedChangeException("column '" + column + "' cannot be read as " + kind + ": "
                        + e.getMessage());
            }
            throw e;
        }
    }

    private JsonNode render(ResultSet rs, int c, ColumnKind kind, String column) throws SQLException {
        return switch (kind) {
            case INTEGER -> NODES.numberNode(rs.getLong(c));
            case NUMERIC -> numeric(rs.getString(c), column);
            case FLOAT4 -> {
                float f = rs.getFloat(c);
                requireFinite(f, column);
                yield NODES.numberNode(f);
            }
            case FLOAT8 -> {
                double d = rs.getDouble(c);
                requireFinite(d, column);
                yield NODES.numberNode(d);
            }
            case BOOLEAN -> NODES.booleanNode(rs.getBoolean(c));
            case TIMESTAMPTZ -> {
                OffsetDateTime at = rs.getObject(c, OffsetDateTime.class);
                // PostgreSQL's 'infinity' and '-infinity', which Debezium passes on as such
                yield at.equals(OffsetDateTime.MAX) ? NODES.textNode("infinity")
                        : at.equals(OffsetDateTime.MIN) ? NODES.textNode("-infinity") : instant(at.toInstant());
            }
            case TIMESTAMP -> {
                LocalDateTime local = rs.getObject(c, LocalDateTime.class);
                yield timestamps == TimestampFormat.EPOCH_MILLIS
                        ? NODES.numberNode(local.toInstant(ZoneOffset.UTC).toEpochMilli()) : NODES.textNode(local.toString());
            }
            case DATE -> NODES.textNode(rs.getObject(c, LocalDate.class).toString());
            case TIME -> NODES.textNode(rs.getObject(c, LocalTime.class).toString());
            case TIMETZ -> NODES.textNode(rs.getObject(c, OffsetTime.class).withOffsetSameInstant(ZoneOffset.UTC)
                    .format(DateTimeFormatter.ISO_OFFSET_TIME));
            case INTERVAL -> {
                PGInterval interval = (PGInterval) rs.getObject(c);
                yield NODES.textNode(Interval.toIsoString(interval.getYears(), interval.getMonths(), interval.getDays(),
                        interval.getHours(), interval.getMinutes(), BigDecimal.valueOf(interval.getSeconds())));
            }
            case BIT -> NODES.booleanNode(rs.getString(c).indexOf('1') >= 0);
            case BITS -> NODES.textNode(binaryNumeral(rs.getString(c)));
            case JSON -> json(rs.getString(c));
            case BYTEA -> NODES.textNode(Base64.getEncoder().encodeToString(rs.getBytes(c)));
            case TEXT -> NODES.textNode(rs.getString(c));
            case ABSENT -> throw new IllegalStateException("column '" + column + "' is not rendered");
        };
    }

    /** Each element rendered as a column of the element type would be. */
    private JsonNode array(Array array, ColumnKind kind, String column) throws SQLException {
        if (array == null) {
            return NODES.nullNode();
        }
        ArrayNode items = NODES.arrayNode();
        try (ResultSet elements = array.getResultSet()) {
            while (elements.next()) {
                JsonNode item = value(elements, 2, kind, column + "[]");
                // Debezium streams numeric array elements without trailing zeros (1.50 as 1.5).
                items.add(kind == ColumnKind.NUMERIC && item.isBigDecimal()
                        ? NODES.numberNode(item.decimalValue().stripTrailingZeros()) : item);
            }
        } finally {
            array.free();
        }
        return items;
    }

    /** {@code 00101} as {@code 101}: what Debezium's bytes of a bit string keep. */
    public static String binaryNumeral(String bits) {
        int first = bits.indexOf('1');
        return first < 0 ? "0" : bits.substring(first);
    }

    private JsonNode instant(Instant instant) {
        return timestamps == TimestampFormat.EPOCH_MILLIS ? NODES.numberNode(instant.toEpochMilli())
                : NODES.textNode(instant.toString());
    }

    /** Through the text, where PostgreSQL writes NaN and infinities that BigDecimal refuses. */
    private static JsonNode numeric(String text, String column) {
        try {
            return NODES.numberNode(new BigDecimal(text));
        } catch (NumberFormatException e) {
            throw new MalformedChangeException("column '" + column + "' holds " + text + ", which JSON cannot represent");
        }
    }

    private static void requireFinite(double value, String column) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new MalformedChangeException("column '" + column + "' holds " + value + ", which JSON cannot represent");
        }
    }

    private static JsonNode json(String text) {
        try {
            return RowChangeCodec.json().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PostgreSQL returned JSON that does not parse: " + e.getOriginalMessage(), e);
        }
    }
}
