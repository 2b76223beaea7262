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
     * @param key the primary key as the record key, byte for byte as the capture renders a streamed change's key
     */
    record ChunkRow(String key, String rowJson) {
    }

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
                int chunkRows, TimestampFormat timestamps) throws SQLException {
        this.connection = connection;
        this.table = table;
        this.primaryKey = List.copyOf(primaryKey);
        this.columns = columns;
        this.chunkRows = chunkRows;
        this.timestamps = timestamps;
        connection.setAutoCommit(false);
        String from = "SELECT " + ColumnTypes.selectList(columns) + " FROM " + quoted(table);
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
                    RowReader reader = RowReader.of(rs.getMetaData(), columns, timestamps);
                    while (rs.next()) {
                        read++;
                        last = keyTexts(rs);
                        try {
                            ObjectNode row = reader.read(rs);
                            rows.add(new ChunkRow(keyOf(row), RowChangeCodec.writeJson(row)));
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
