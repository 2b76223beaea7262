package io.warmer.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.TableSchema;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import io.warmer.config.PostgresSourceConfig;
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
     */
    public record Row(ObjectNode row, List<CacheWrite> writes, boolean unrenderable) {
    }

    private final Connection db;
    private final Map<TableId, TableSchema> schemas;
    private final DatabaseRows rows;

    /** @param schemas of every table the families read or join, e.g. from {@code PostgresPreflight.check} */
    public ExpectedEntries(PostgresSourceConfig source, Connection db, Map<TableId, TableSchema> schemas) {
        this.db = db;
        this.schemas = schemas;
        this.rows = new DatabaseRows(source.timestamps());
    }

    /**
     * @param sample rows at random; null for every row
     * @param nowMs  the wall-clock time, for TTLs taken from a column
     */
    public List<Row> of(KeyFamily family, Integer sample, long nowMs) throws SQLException {
        TableSchema schema = Objects.requireNonNull(schemas.get(family.table()), "schema of " + family.table());
        List<ObjectNode> mainRows = select(family.table(), sample);
        List<Map<String, List<JsonNode>>> joined = new ArrayList<>();
        for (Join join : family.joins()) {
            joined.add(joinedRowsByMainKey(join));
        }
        List<Row> result = new ArrayList<>(mainRows.size());
        for (ObjectNode row : mainRows) {
            ObjectNode primaryKey = JsonNodeFactory.instance.objectNode();
            schema.primaryKey().forEach(c -> primaryKey.set(c, row.get(c)));
            ObjectNode combined = row.deepCopy();
            for (int i = 0; i < family.joins().size(); i++) {
                Join join = family.joins().get(i);
                combined.set(join.as(), join.render(joined.get(i).getOrDefault(RowChangeCodec.writeJson(primaryKey),
                        List.of())));
            }
            try {
                List<CacheWrite> writes = family.map(primaryKey, new RowChange(Operation.INSERT, 0, 0,
                        family.table().qualified(), combined, null), Set.of(), nowMs).writes();
                result.add(new Row(combined, writes, false));
            } catch (UnrenderableRowException e) {
                result.add(new Row(combined, List.of(), true));
            }
        }
        return result;
    }

    /** Every row of {@code table}, counted by the database. */
    public long rowCount(TableId table) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT count(*) FROM " + quoted(table));
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<ObjectNode> select(TableId table, Integer sample) throws SQLException {
        String sql = "SELECT * FROM " + quoted(table) + (sample == null ? "" : " ORDER BY random() LIMIT " + sample);
        List<ObjectNode> result = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                result.add(rows.current(rs));
            }
        }
        return result;
    }

    /** Every row of the joined table, grouped by the main key it belongs to and ordered by primary key. */
    private Map<String, List<JsonNode>> joinedRowsByMainKey(Join join) throws SQLException {
        TableSchema schema = Objects.requireNonNull(schemas.get(join.table()), "schema of " + join.table());
        String order = String.join(", ", schema.primaryKey().stream().map(c -> "\"" + c + "\"").toList());
        Map<String, List<JsonNode>> byMain = new LinkedHashMap<>();
        try (PreparedStatement st = db.prepareStatement("SELECT * FROM " + quoted(join.table()) + " ORDER BY " + order);
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                ObjectNode row = rows.current(rs);
                String mainKey = join.mainKeyOf(row);
                if (mainKey != null) {
                    byMain.computeIfAbsent(mainKey, k -> new ArrayList<>()).add(row);
                }
            }
        }
        return byMain;
    }

    private static String quoted(TableId table) {
        return "\"" + table.schema() + "\".\"" + table.table() + "\"";
    }
}
