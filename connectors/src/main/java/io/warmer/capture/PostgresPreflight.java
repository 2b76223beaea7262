package io.warmer.capture;

import io.warmer.change.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks, before Debezium starts, what would otherwise surface as a stack trace deep in the engine:
 * the server is reachable, decodes logically, and every table exists with a primary key.
 */
public final class PostgresPreflight {

    private PostgresPreflight() {
    }

    /**
     * @param requiredColumns columns each table must have (e.g. those used in key templates)
     * @return each table's primary key and column types
     * @throws CaptureException naming the problem and its fix
     */
    public static Map<TableId, TableSchema> check(PostgresEndpoint pg, List<TableId> tables,
                                                   Map<TableId, Set<String>> requiredColumns) {
        return check(pg, tables, requiredColumns, true);
    }

    /** @param streams whether Warmer streams from this database itself, which needs logical decoding and REPLICATION */
    public static Map<TableId, TableSchema> check(PostgresEndpoint pg, List<TableId> tables,
                                                   Map<TableId, Set<String>> requiredColumns, boolean streams) {
        try (Connection connection = open(pg)) {
            if (streams) {
                checkWalLevel(connection, pg);
                checkReplicationPrivilege(connection, pg);
            }
            var schemas = new java.util.LinkedHashMap<TableId, TableSchema>();
            for (TableId table : tables) {
                Map<String, String> columnTypes = columnsOf(connection, table);
                Set<String> columns = columnTypes.keySet();
                if (columns.isEmpty()) {
                    throw new SourceSchemaException("Table " + table + " does not exist in database '" + pg.database()
                            + "' at " + pg.address() + " (or user '" + pg.user() + "' cannot see it): check the"
                            + " table name in the configuration, or GRANT SELECT ON " + table + " TO " + pg.user() + ".");
                }
                for (String column : requiredColumns.getOrDefault(table, Set.of())) {
                    if (!columns.contains(column)) {
                        throw new MissingColumnException(table, column, List.copyOf(columns));
                    }
                }
                List<String> key = primaryKeyOf(connection, table);
                if (key.isEmpty()) {
                    throw new SourceSchemaException("Table " + table + " has no primary key, so its rows cannot be told"
                            + " apart in the cache: ALTER TABLE " + table + " ADD PRIMARY KEY (...).");
                }
                schemas.put(table, new TableSchema(key, columnTypes));
            }
            return schemas;
        } catch (SQLException e) {
            throw new CaptureException("PostgreSQL at " + pg.address() + " could not be checked: " + e.getMessage(), e);
        }
    }

    /** A connection with the capture's credentials, or one line naming the server and what to check. */
    public static Connection open(PostgresEndpoint pg) {
        try {
            return pg.connect();
        } catch (SQLException e) {
            throw new CaptureException("Cannot connect to PostgreSQL at " + pg.address() + " (database '"
                    + pg.database() + "', user '" + pg.user() + "'): " + firstLine(e.getMessage()) + "; " + hint(e) + ".", e);
        }
    }

    /** What to check for a failed connection: worded once, for every connection Warmer opens. */
    public static String hint(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("SSL") || message.contains("PKIX") || message.contains("certificate")
                || message.contains("no encryption")) {
            return "check source.postgres.ssl-mode (the server may require TLS: require, verify-ca or verify-full)"
                    + " and ssl-root-cert (the CA that signed the server's certificate), ssl-cert and ssl-key";
        }
        return switch (state) {
            case "08001", "08004" -> "check that the server is running and that host and port are right";
            case "28P01", "28000" -> "check the user and password (password-env) in the configuration";
            case "3D000" -> "create the database or fix its name in the configuration";
            default -> "check host, port, database, user and password";
        };
    }

    private static void checkWalLevel(Connection connection, PostgresEndpoint pg) throws SQLException {
        String level = single(connection, "SHOW wal_level");
        if (!"logical".equals(level)) {
            throw new CaptureException("PostgreSQL at " + pg.address() + " has wal_level=" + level
                    + "; change capture needs logical decoding: set wal_level = logical in postgresql.conf"
                    + " (or ALTER SYSTEM SET wal_level = logical) and restart the server.");
        }
    }

    private static void checkReplicationPrivilege(Connection connection, PostgresEndpoint pg) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user");
             ResultSet rs = st.executeQuery()) {
            if (rs.next() && !rs.getBoolean(1)) {
                throw new CaptureException("User '" + pg.user() + "' may not stream changes from " + pg.address()
                        + ": ALTER ROLE " + pg.user() + " WITH REPLICATION;");
            }
        }
    }

    private static Map<String, String> columnsOf(Connection connection, TableId table) throws SQLException {
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        + " ORDER BY ordinal_position")) {
            st.setString(1, table.schema());
            st.setString(2, table.table());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return columns;
    }

    private static List<String> primaryKeyOf(Connection connection, TableId table) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT a.attname FROM pg_index i"
                        + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                        + " WHERE i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass AND i.indisprimary"
                        + " ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
            st.setString(1, table.schema());
            st.setString(2, table.table());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return key;
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
