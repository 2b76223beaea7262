package io.warmer.capture.snapshot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.TimestampFormat;
import io.warmer.capture.rows.ColumnType;
import io.warmer.capture.rows.ColumnTypes;
import io.warmer.capture.rows.RowReader;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads one chunk of a table: the next {@code chunkRows} rows by primary key after a cursor, in a REPEATABLE READ
 * transaction whose snapshot it reports, and then writes the chunk's marker into the WAL as a non-transactional
 * logical decoding message, so that the stream delivers the marker after every transaction the chunk's snapshot
 * sees (see {@link ChunkWindows} and docs/design.md, "Snapshots").
 */
final class ChunkReader {

    /** Logical decoding messages of Warmer carry this prefix. */
    static final String MESSAGE_PREFIX = "warmer";

    private final Connection connection;
    private final TableId table;
    private final List<String> primaryKey;
    private final Map<String, ColumnType> columns;
    /** The name of the result column {@link #STORED_INLINE}. */
    private final String inlineColumn;
    /** {@link #columns} and {@link #inlineColumn}, which the row's reader skips: the result's columns. */
    private final Map<String, ColumnType> readColumns;
    private final int chunkRows;
    private final TimestampFormat timestamps;
    private final String firstChunk;
    private final String nextChunk;

    /** A chunk's snapshot cannot be used: a transaction the stream already delivered is not visible in it yet. */
    static final class SnapshotBehindStream extends Exception {
        SnapshotBehindStream() {
            super(null, null, false, false);
        }
    }

    /**
     * One row, rendered as the change topic carries it.
     *
     * @param key          the primary key as the record key, byte for byte as the capture renders a streamed change's key
     * @param storedInline every value of the row was stored inline and uncompressed in the table (none TOASTed), so
     *                     that no later update can omit one unchanged ({@link io.warmer.change.RowChange#storedInline})
     */
    record ChunkRow(String key, String rowJson, boolean storedInline) {
    }

    /**
     * The result column saying whether the row's values are all stored inline; not a column of the table (a quoted
     * name no table of the shop-like schemas has, and renamed if one does).
     */
    static final String STORED_INLINE = "warmer:stored-inline";

    /** Types whose {@code octet_length} is the length of the value's own bytes, without a header. */
    private static final java.util.Set<String> RAW_LENGTH_TYPES = java.util.Set.of("text", "varchar", "bpchar", "bytea");

    /** A row that cannot be rendered (a NaN, say): set aside with the reason. */
    record UnrenderableRow(String key, String text, String reason) {
    }

    /**
     * @param nextCursor the primary key of the last row read, as each column's text; the cursor of the next chunk
     * @param last       fewer rows than asked for: the table has no more
     */
    record ReadChunk(TransactionSnapshot snapshot, List<ChunkRow> rows, List<UnrenderableRow> unrenderable,
                     List<String> nextCursor, boolean last, long readAtMs) {
    }

    /**
     * @param connection its own connection, which this reader uses for transactions (auto-commit off)
     * @param columns    every column of the table with its type, in table order
     */
    ChunkReader(Connection connection, TableId table, List<String> primaryKey, Map<String, ColumnType> columns,
                java.util.Set<String> toastable, int chunkRows, TimestampFormat timestamps) throws SQLException {
        this.connection = connection;
        this.table = table;
        this.primaryKey = List.copyOf(primaryKey);
        this.inlineColumn = columns.containsKey(STORED_INLINE) ? STORED_INLINE + ":" + java.util.UUID.randomUUID()
                : STORED_INLINE;
        this.columns = columns;
        Map<String, ColumnType> read = new java.util.LinkedHashMap<>(columns);
        read.put(inlineColumn, new ColumnType("boolean", io.warmer.capture.rows.ColumnKind.ABSENT, false));
        this.readColumns = read;
        this.chunkRows = chunkRows;
        this.timestamps = timestamps;
        connection.setAutoCommit(false);
        String from = "SELECT " + ColumnTypes.selectList(columns) + ", " + storedInline(columns, toastable) + " AS "
                + quoted(inlineColumn) + " FROM " + quoted(table);
        String order = " ORDER BY " + String.join(", ", primaryKey.stream().map(ChunkReader::quoted).toList())
                + " LIMIT " + chunkRows;
        this.firstChunk = from + order;
        List<String> casts = new ArrayList<>();
        for (String column : primaryKey) {
            casts.add("CAST(? AS " + columns.get(column).name() + ")");
        }
        this.nextChunk = from + " WHERE (" + String.join(", ", primaryKey.stream().map(ChunkReader::quoted).toList())
                + ") > (" + String.join(", ", casts) + ")" + order;
    }

    /**
     * A condition true when none of the row's TOASTable values is stored out of line (or compressed). PostgreSQL's
     * {@code pg_column_size} is the bytes a value takes where it is stored: an inline, uncompressed value's own bytes
     * plus its 1- or 4-byte header, a compressed one fewer, and an out-of-line one its stored bytes without a header.
     * So for types whose {@code octet_length} is their own bytes, size above length means inline and uncompressed.
     * For other types an out-of-line value always takes more than 20 bytes (PostgreSQL moves only values larger than
     * its pointer out of line), so any larger value counts as possibly out of line. A NULL is inline.
     */
    static String storedInline(Map<String, ColumnType> columns, java.util.Set<String> toastable) {
        List<String> outOfLine = new ArrayList<>();
        for (Map.Entry<String, ColumnType> column : columns.entrySet()) {
            if (!toastable.contains(column.getKey())) {
                continue;
            }
            String c = quoted(column.getKey());
            ColumnType type = column.getValue();
            String test = !type.array() && RAW_LENGTH_TYPES.contains(type.name()) ? "pg_column_size(" + c + ") <= octet_length(" + c + ")"
                    : !type.array() && type.name().equals("json") ? "pg_column_size(" + c + ") <= octet_length(" + c + "::text)"
                    : "pg_column_size(" + c + ") > 20";
            outOfLine.add("coalesce(" + test + ", false)");
        }
        return outOfLine.isEmpty() ? "true" : "NOT (" + String.join(" OR ", outOfLine) + ")";
    }

    /**
     * @param cursor    the primary key after which to read, null for the first chunk
     * @param marker    the content of the chunk's logical decoding message
     * @param conflicts whether the chunk's snapshot misses a transaction the stream already delivered
     * @throws SnapshotBehindStream when {@code conflicts} holds; nothing was read, try again shortly
     */
    ReadChunk read(List<String> cursor, String marker, Predicate<TransactionSnapshot> conflicts)
            throws SQLException, SnapshotBehindStream {
        try {
            try (var st = connection.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            TransactionSnapshot snapshot;
            // The first statement takes the transaction's snapshot; this one reports it.
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_current_snapshot()::text");
                 ResultSet rs = st.executeQuery()) {
                rs.next();
                snapshot = TransactionSnapshot.parse(rs.getString(1));
            }
            if (conflicts.test(snapshot)) {
                connection.rollback();
                throw new SnapshotBehindStream();
            }
            List<ChunkRow> rows = new ArrayList<>();
            List<UnrenderableRow> unrenderable = new ArrayList<>();
            List<String> last = cursor;
            int read = 0;
            try (PreparedStatement st = connection.prepareStatement(cursor == null ? firstChunk : nextChunk)) {
                if (cursor != null) {
                    for (int i = 0; i < cursor.size(); i++) {
                        st.setString(i + 1, cursor.get(i));
                    }
                }
                try (ResultSet rs = st.executeQuery()) {
                    RowReader reader = RowReader.of(rs.getMetaData(), readColumns, timestamps);
                    while (rs.next()) {
                        read++;
                        last = keyTexts(rs);
                        try {
                            ObjectNode row = reader.read(rs);
                            rows.add(new ChunkRow(keyOf(row), RowChangeCodec.writeJson(row), rs.getBoolean(inlineColumn)));
                        } catch (MalformedChangeException e) {
                            unrenderable.add(new UnrenderableRow(keyOf(rs, reader), texts(rs), e.getMessage()));
                        }
                    }
                }
            }
            try (PreparedStatement st = connection.prepareStatement(
                    "SELECT pg_logical_emit_message(false, '" + MESSAGE_PREFIX + "', ?)")) {
                st.setString(1, marker);
                st.executeQuery().close();
            }
            connection.commit();
            return new ReadChunk(snapshot, rows, unrenderable, last, read < chunkRows, System.currentTimeMillis());
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private List<String> keyTexts(ResultSet rs) throws SQLException {
        List<String> texts = new ArrayList<>(primaryKey.size());
        for (String column : primaryKey) {
            texts.add(rs.getString(column));
        }
        return texts;
    }

    /** The record key: the primary-key columns in key order, rendered like every other value. */
    private String keyOf(ObjectNode row) {
        ObjectNode key = JsonNodeFactory.instance.objectNode();
        for (String column : primaryKey) {
            key.set(column, row.get(column));
        }
        return RowChangeCodec.writeJson(key);
    }

    /** The key of a row that cannot be rendered whole: its key columns still can (or the row is not a row). */
    private String keyOf(ResultSet rs, RowReader reader) throws SQLException {
        ObjectNode key = JsonNodeFactory.instance.objectNode();
        for (String column : primaryKey) {
            key.set(column, reader.column(rs, column));
        }
        return RowChangeCodec.writeJson(key);
    }

    private String texts(ResultSet rs) throws SQLException {
        ObjectNode text = JsonNodeFactory.instance.objectNode();
        for (String column : columns.keySet()) {
            text.put(column, rs.getString(column));
        }
        return RowChangeCodec.writeJson(text);
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the caller replaces it
        }
    }

    TableId table() {
        return table;
    }

    static String quoted(TableId table) {
        return quoted(table.schema()) + "." + quoted(table.table());
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
