package io.warmer.capture.rows;

import io.warmer.change.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The columns of tables with their types as {@code pg_type} defines them, read from the catalog of one
 * connection: a column's type OID is followed through domains (and a domain over a domain) to its base type, and an
 * array's element likewise. Cached per type OID, so that reading many tables costs a few small queries.
 */
public final class ColumnTypes {

    private final Connection connection;
    private final Map<Long, ColumnType> resolved = new HashMap<>();

    public ColumnTypes(Connection connection) {
        this.connection = connection;
    }

    /**
     * Every column of {@code table}, in table order.
     *
     * @return empty when the table does not exist (or the user cannot see it)
     */
    public Map<String, ColumnType> of(TableId table) throws SQLException {
        Map<String, ColumnType> columns = new LinkedHashMap<>();
        Map<String, Long> oids = new LinkedHashMap<>();
        Map<String, String> names = new HashMap<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                        + " WHERE a.attrelid = to_regclass(quote_ident(?) || '.' || quote_ident(?))"
                        + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            st.setString(1, table.schema());
            st.setString(2, table.table());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    oids.put(rs.getString(1), rs.getLong(2));
                    names.put(rs.getString(1), rs.getString(3));
                }
            }
        }
        for (var column : oids.entrySet()) {
            ColumnType type = resolve(column.getValue());
            String name = names.get(column.getKey());
            ColumnKind kind = type.kind();
            if (kind == ColumnKind.BITS && !type.array() && (name.endsWith("(1)") || name.equals("bit"))) {
                kind = ColumnKind.BIT; // Debezium streams bit(1) and bit varying(1) as booleans
            }
            columns.put(column.getKey(), new ColumnType(name, kind, type.array(), type.readAs()));
        }
        return Collections.unmodifiableMap(columns);
    }

    /**
     * The select list reading every column of a table as {@link RowReader} renders it, in table order: {@code *}
     * where no column needs a cast.
     */
    public static String selectList(Map<String, ColumnType> columns) {
        if (columns.values().stream().noneMatch(t -> t.readAs() != null)) {
            return "*";
        }
        return String.join(", ", columns.entrySet().stream().map(c -> c.getValue().select(c.getKey())).toList());
    }

    /** The kind of a type OID, through domains; {@link ColumnKind#TEXT} for a type we render as text. */
    ColumnType resolve(long oid) throws SQLException {
        ColumnType known = resolved.get(oid);
        if (known != null) {
            return known;
        }
        ColumnType type;
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT t.typname, t.typtype, t.typbasetype, t.typelem, t.typcategory, n.nspname = 'pg_catalog'"
                        + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ?")) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("pg_type has no type with OID " + oid);
                }
                String name = rs.getString(1);
                String typtype = rs.getString(2);
                long base = rs.getLong(3);
                long element = rs.getLong(4);
                String category = rs.getString(5);
                boolean builtIn = rs.getBoolean(6);
                if ("d".equals(typtype)) {
                    type = resolve(base);
                } else if ("A".equals(category) && element != 0) {
                    ColumnType of = resolve(element);
                    // Debezium has no converter for arrays of domains or of composites: it leaves them out.
                    boolean streamed = !isDomainOrComposite(element) && of.kind() != ColumnKind.ABSENT;
                    type = new ColumnType(name, streamed ? of.kind() : ColumnKind.ABSENT, true, of.readAs());
                } else if ("c".equals(typtype)) {
                    type = new ColumnType(name, ColumnKind.ABSENT, false);
                } else {
                    ColumnKind kind = builtIn ? kindOf(name) : ColumnKind.TEXT;
                    type = new ColumnType(name, kind, false, builtIn && name.equals("money") ? "numeric" : null);
                }
            }
        }
        resolved.put(oid, type);
        return type;
    }

    private boolean isDomainOrComposite(long oid) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT typtype IN ('d', 'c') FROM pg_type WHERE oid = ?")) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static ColumnKind kindOf(String builtInTypeName) {
        return switch (builtInTypeName) {
            case "int2", "int4", "int8", "oid" -> ColumnKind.INTEGER;
            case "numeric", "money" -> ColumnKind.NUMERIC;
            case "timetz" -> ColumnKind.TIMETZ;
            case "interval" -> ColumnKind.INTERVAL;
            case "bit", "varbit" -> ColumnKind.BITS;
            case "float4" -> ColumnKind.FLOAT4;
            case "float8" -> ColumnKind.FLOAT8;
            case "bool" -> ColumnKind.BOOLEAN;
            case "timestamptz" -> ColumnKind.TIMESTAMPTZ;
            case "timestamp" -> ColumnKind.TIMESTAMP;
            case "date" -> ColumnKind.DATE;
            case "time" -> ColumnKind.TIME;
            case "json", "jsonb" -> ColumnKind.JSON;
            case "bytea" -> ColumnKind.BYTEA;
            default -> ColumnKind.TEXT;
        };
    }
}
