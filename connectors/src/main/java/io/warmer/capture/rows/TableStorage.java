package io.warmer.capture.rows;

import io.warmer.change.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How PostgreSQL stores a table's columns, as far as what logical decoding sends depends on it: under the default
 * REPLICA IDENTITY an update does not send a column whose value is TOASTed (stored out of line) and unchanged.
 *
 * @param toastable            the columns whose values may be stored out of line (variable length, storage other
 *                             than {@code plain})
 * @param fullReplicaIdentity  REPLICA IDENTITY FULL: every update also sends the whole old row, TOASTed values
 *                             included, so nothing needs to be remembered
 */
public record TableStorage(Set<String> toastable, boolean fullReplicaIdentity) {

    public TableStorage {
        toastable = Set.copyOf(toastable);
    }

    public static TableStorage of(Connection connection, TableId table) throws SQLException {
        Set<String> toastable = new LinkedHashSet<>();
        boolean full = false;
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT a.attname, c.relreplident = 'f' FROM pg_class c"
                        + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                        + " AND a.attlen = -1 AND a.attstorage <> 'p'"
                        + " WHERE c.oid = to_regclass(quote_ident(?) || '.' || quote_ident(?))")) {
            st.setString(1, table.schema());
            st.setString(2, table.table());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    toastable.add(rs.getString(1));
                    full = rs.getBoolean(2);
                }
            }
        }
        if (toastable.isEmpty()) {
            try (PreparedStatement st = connection.prepareStatement(
                    "SELECT relreplident = 'f' FROM pg_class WHERE oid = to_regclass(quote_ident(?) || '.' || quote_ident(?))")) {
                st.setString(1, table.schema());
                st.setString(2, table.table());
                try (ResultSet rs = st.executeQuery()) {
                    full = rs.next() && rs.getBoolean(1);
                }
            }
        }
        return new TableStorage(toastable, full);
    }
}
