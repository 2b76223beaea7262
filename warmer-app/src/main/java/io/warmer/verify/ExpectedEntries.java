package io.warmer.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.TableSchema;
import io.warmer.capture.TimestampFormat;
import io.warmer.capture.rows.ColumnType;
import io.warmer.capture.rows.ColumnTypes;
import io.warmer.capture.rows.RowReader;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.family.ChangedColumnsException;
import io.warmer.family.CacheWrite;
import io.warmer.family.Join;
import io.warmer.family.KeyFamily;
import io.warmer.family.UnrenderableRowException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the cache should hold according to the database, the truth: rows read straight from PostgreSQL,
 * joined rows folded in, and turned into cache writes by the pipeline's own {@link KeyFamily#map}. Shared by
 * {@link CacheVerifier} (are those entries there?) and the memory estimate (how much will they take?).
 */
public final class ExpectedEntries {

    /**
     * One main row and what its family writes for it.
     *
     * @param row          the row with its joined rows folded in, as the materializer sees it
     * @param writes       the writes of an insert of this row; empty when the family's filter leaves it out
     * @param unrenderable the row cannot be turned into a key or value: the pipeline sets it aside (dead-letter
     *                     topic), so it has no writes
     * @param broken       why the family cannot render the row as the table has it now (a column it reads is gone),
     *                     then {@code writes} are the deletes of its keys, as the pipeline does them; else null
     */
    public record Row(ObjectNode row, List<CacheWrite> writes, boolean unrenderable, String broken) {
    }

    private final Connection db;
    private final Map<TableId, TableSchema> schemas;
    private final TimestampFormat timestamps;
    private final ColumnTypes columnTypes;
    private final Map<TableId, Map<String, ColumnType>> columns = new java.util.HashMap<>();

    /** @param schemas of every table the families read or join, e.g. from {@code PostgresPreflight.check} */
    public ExpectedEntries(PostgresSourceConfig source, Connection db, Map<TableId, TableSchema> schemas) {
        this.db = db;
        this.schemas = schemas;
        this.timestamps = source.timestamps();
        this.columnTypes = new ColumnTypes(db);
    }

    /**
     * @param sample rows at random; null for every row
     * @param nowMs  the wall-clock time, for TTLs taken from a column
     */
    public List<Row> of(KeyFamily family, Integer sample, long nowMs) throws SQLException {
        return rowsOf(family, select(family.table(), sample), sample != null, nowMs);
    }

    /**
     * The row with this primary key as it is now, and what its family writes for it.
     *
     * @return empty when the row does not exist (any more)
     */
    public Optional<Row> ofRow(KeyFamily family, ObjectNode primaryKey, long nowMs) throws SQLException {
        TableSchema schema = schemaOf(family.table());
        Map<String, ColumnType> types = typesOf(family.table());
        List<String> conditions = new ArrayList<>();
        for (String column : schema.primaryKey()) {
            conditions.add(quoted(column) + " = CAST(? AS " + types.get(column).name() + ")");
        }
        List<ObjectNode> rows = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement("SELECT " + selectList(family.table()) + " FROM "
                + quoted(family.table()) + " WHERE "
                + String.join(" AND ", conditions))) {
            for (int i = 0; i < schema.primaryKey().size(); i++) {
                st.setString(i + 1, primaryKey.path(schema.primaryKey().get(i)).asText());
            }
            try (ResultSet rs = st.executeQuery()) {
                RowReader reader = reader(family.table(), rs);
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
        }
        return rows.isEmpty() ? Optional.empty() : Optional.of(rowsOf(family, rows, true, nowMs).get(0));
    }

    /** The primary key of a row of the family's table, as its change records carry it. */
    public ObjectNode primaryKeyOf(KeyFamily family, ObjectNode row) {
        ObjectNode primaryKey = JsonNodeFactory.instance.objectNode();
        schemaOf(family.table()).primaryKey().forEach(c -> primaryKey.set(c, row.get(c)));
        return primaryKey;
    }

    /** @param narrowJoins read only these rows' joined rows (else every joined row) */
    private List<Row> rowsOf(KeyFamily family, List<ObjectNode> mainRows, boolean narrowJoins, long nowMs)
            throws SQLException {
        List<ObjectNode> combinedRows = new ArrayList<>(mainRows.size());
        mainRows.forEach(row -> combinedRows.add(row.deepCopy()));
        withJoinedRows(family.table(), combinedRows, mainRows, family.joins(), narrowJoins);
        List<Row> result = new ArrayList<>(mainRows.size());
        for (int r = 0; r < mainRows.size(); r++) {
            ObjectNode row = mainRows.get(r);
            ObjectNode primaryKey = primaryKeyOf(family, row);
            ObjectNode combined = combinedRows.get(r);
            try {
                List<CacheWrite> writes = family.map(primaryKey, new RowChange(Operation.INSERT, Version.ZERO, 0,
                        family.table().qualified(), combined, null), Set.of(), nowMs).writes();
                result.add(new Row(combined, writes, false, null));
            } catch (ChangedColumnsException e) {
                RowChange asIs = new RowChange(Operation.UPDATE, Version.ZERO, 0, family.table().qualified(), combined,
                        null);
                result.add(new Row(combined, family.deletesOf(primaryKey, asIs, Set.of(), nowMs), false,
                        e.getMessage()));
            } catch (UnrenderableRowException e) {
                result.add(new Row(combined, List.of(), true, null));
            }
        }
        return result;
    }

    private TableSchema schemaOf(TableId table) {
        return Objects.requireNonNull(schemas.get(table), "schema of " + table);
    }

    /** Every row of {@code table}, counted by the database. */
    public long rowCount(TableId table) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT count(*) FROM " + quoted(table));
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A random sample, or every row. A large table is sampled by pages first ({@code TABLESAMPLE SYSTEM}, a few
     * times the rows wanted), so that a sample costs a few pages instead of a sort of the whole table: the status
     * page and {@code /ready} sample every few seconds. Rows come a page at a time, which is still a fair share of
     * the table for a coverage.
     */
    private List<ObjectNode> select(TableId table, Integer sample) throws SQLException {
        if (sample != null) {
            double estimated = estimatedRows(table);
            if (estimated > PAGE_SAMPLING_ABOVE * sample) {
                double percent = Math.min(100, 100.0 * PAGE_SAMPLE_MARGIN * sample / estimated);
                List<ObjectNode> rows = query(table, "SELECT " + selectList(table) + " FROM " + quoted(table) + " TABLESAMPLE SYSTEM ("
                        + String.format(java.util.Locale.ROOT, "%.6f", percent) + ") ORDER BY random() LIMIT " + sample);
                if (rows.size() == sample) {
                    return rows;
                }
                // Statistics behind the table, or an unlucky draw of pages: sample the whole table instead.
            }
        }
        return query(table, "SELECT " + selectList(table) + " FROM " + quoted(table)
                + (sample == null ? "" : " ORDER BY random() LIMIT " + sample));
    }

    /** Column types whose values read back from their text as rendered here: those a join can be narrowed on. */
    private static final Set<String> KEY_TYPES_AS_TEXT = Set.of("smallint", "integer", "bigint", "numeric", "text",
            "character varying", "character", "uuid");

    /** Tables with more rows than this many times the sample are sampled by pages. */
    static final int PAGE_SAMPLING_ABOVE = 20;
    /** Pages for this many times the rows wanted are read. */
    static final int PAGE_SAMPLE_MARGIN = 4;

    private double estimatedRows(TableId table) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT reltuples FROM pg_class WHERE oid = ?::regclass")) {
            st.setString(1, quoted(table));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : -1;
            }
        }
    }

    private List<ObjectNode> query(TableId table, String sql) throws SQLException {
        List<ObjectNode> result = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            RowReader rows = reader(table, rs);
            while (rs.next()) {
                result.add(rows.read(rs));
            }
        }
        return result;
    }

    /** Rows rendered exactly as the capture renders them, the columns' types read from the catalog once. */
    private RowReader reader(TableId table, ResultSet rs) throws SQLException {
        return RowReader.of(rs.getMetaData(), typesOf(table), timestamps);
    }

    private String selectList(TableId table) throws SQLException {
        return ColumnTypes.selectList(typesOf(table));
    }

    /** Forgets the column types read so far: the next rows are read with the catalog's types then. */
    void readColumnsAgain() {
        columns.clear();
    }

    private Map<String, ColumnType> typesOf(TableId table) throws SQLException {
        Map<String, ColumnType> types = columns.get(table);
        if (types == null) {
            types = columnTypes.of(table);
            columns.put(table, types);
        }
        return types;
    }

    /**
     * Folds each join's rows into {@code combined} (the rows of {@code table}, in the order of {@code rows}, which
     * the joins find their rows by), as the pipeline assembles them: {@link Join#applyTo} with the joined rows in
     * primary-key order, each with its own joined rows first.
     *
     * @param narrow read only these rows' joined rows (else every joined row)
     */
    private void withJoinedRows(TableId table, List<ObjectNode> combined, List<ObjectNode> rows, List<Join> joins,
                                boolean narrow) throws SQLException {
        TableSchema schema = schemaOf(table);
        for (Join join : joins) {
            Map<String, List<JsonNode>> joined = joinedRowsByMainKey(join, narrow ? rows : null);
            for (int r = 0; r < rows.size(); r++) {
                ObjectNode row = rows.get(r);
                String joinKey;
                if (join.subscribes()) {
                    joinKey = join.subscriptionKeyOf(row);
                } else {
                    ObjectNode primaryKey = JsonNodeFactory.instance.objectNode();
                    schema.primaryKey().forEach(c -> primaryKey.set(c, row.get(c)));
                    joinKey = RowChangeCodec.writeJson(primaryKey);
                }
                join.applyTo(combined.get(r), joinKey == null ? List.of() : joined.getOrDefault(joinKey, List.of()));
            }
        }
    }

    /**
     * The rows of the joined table, grouped by the main key they belong to (of a lookup: by their own key) and ordered
     * by primary key: those of {@code mainRows} when given and the join is on one column of a plain type, else every
     * row.
     */
    private Map<String, List<JsonNode>> joinedRowsByMainKey(Join join, List<ObjectNode> mainRows) throws SQLException {
        TableSchema schema = Objects.requireNonNull(schemas.get(join.table()), "schema of " + join.table());
        String order = String.join(", ", schema.primaryKey().stream().map(c -> "\"" + c + "\"").toList());
        String where = "";
        java.sql.Array keys = null;
        Map.Entry<String, String> on = join.joinedToMainColumn();
        if (mainRows != null && on != null) {
            String type = schema.columnTypes().get(on.getKey());
            if (KEY_TYPES_AS_TEXT.contains(type)) {
                // Only the sampled rows' joined rows: the values go as text and are cast to the column's type,
                // so that its index is used.
                where = " WHERE \"" + on.getKey() + "\" = ANY (CAST(? AS " + type + "[]))";
                keys = db.createArrayOf("text", mainRows.stream().map(r -> r.get(on.getValue()))
                        .filter(v -> v != null && !v.isNull()).map(JsonNode::asText).toArray());
            }
        }
        List<ObjectNode> read = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement("SELECT " + selectList(join.table()) + " FROM "
                + quoted(join.table()) + where + " ORDER BY " + order)) {
            if (keys != null) {
                st.setArray(1, keys);
            }
            try (ResultSet rs = st.executeQuery()) {
                RowReader rows = reader(join.table(), rs);
                while (rs.next()) {
                    read.add(rows.read(rs));
                }
            }
        }
        List<ObjectNode> shown = read;
        if (!join.joins().isEmpty()) {
            shown = new ArrayList<>(read.size());
            for (ObjectNode row : read) {
                shown.add(row.deepCopy());
            }
            withJoinedRows(join.table(), shown, read, join.joins(), true);
        }
        Map<String, List<JsonNode>> byMain = new LinkedHashMap<>();
        for (int r = 0; r < read.size(); r++) {
            ObjectNode row = read.get(r);
            String mainKey = join.isLookup() ? join.keyOfLookedUp(row) : join.routeKeyOf(row);
            if (mainKey != null) {
                byMain.computeIfAbsent(mainKey, k -> new ArrayList<>()).add(shown.get(r));
            }
        }
        return byMain;
    }

    private static String quoted(TableId table) {
        return quoted(table.schema()) + "." + quoted(table.table());
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
