package io.warmer.bench;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The benchmark's data: {@code users(id, name, email, tier, payload, touched_us)}, about 300 bytes a
 * row and as cache value (JSON). W2's updates stamp {@code touched_us} with the time of the update.
 */
final class UsersTable {

    static final String TABLE = "public.users";

    /** Pads a row (and its cache value, JSON of every column) to about 300 bytes. */
    static final int PAYLOAD_CHARS = 170;

    private UsersTable() {
    }

    /** Creates and fills the table with ids 1..rows, then VACUUMs it so every reader finds the same pages. */
    static void create(BenchServers servers, long rows) throws SQLException {
        try (Statement st = servers.db.createStatement()) {
            st.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
                    + " tier text NOT NULL, payload text NOT NULL, touched_us bigint)");
            st.execute("INSERT INTO users SELECT i, 'user ' || i, 'user' || i || '@example.com',"
                    + " (ARRAY['free','pro','team'])[1 + i % 3], repeat('x', " + PAYLOAD_CHARS + "), NULL"
                    + " FROM generate_series(1, " + rows + ") i");
            st.execute("VACUUM (ANALYZE) users");
        }
    }

    /** The average stored row size in bytes ({@code pg_column_size} of the whole row). */
    static double averageRowBytes(BenchServers servers) throws SQLException {
        try (Statement st = servers.db.createStatement();
             var rs = st.executeQuery("SELECT avg(pg_column_size(u.*)) FROM (SELECT * FROM users LIMIT 10000) u")) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    /**
     * PostgreSQL's own ceiling for reading the table out: {@code COPY users TO '/dev/null'} (server side,
     * text format), in rows per second. Run twice; the second, warm run is reported.
     */
    static double copyRowsPerSecond(BenchServers servers, long rows) throws SQLException {
        double seconds = 0;
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            try (Statement st = servers.db.createStatement()) {
                st.execute("COPY users TO '/dev/null'");
            }
            seconds = (System.nanoTime() - start) / 1e9;
        }
        return rows / seconds;
    }
}
