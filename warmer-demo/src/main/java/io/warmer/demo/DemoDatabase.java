package io.warmer.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Creates the demo's tables and fills them, straight from the SQL files beside this class; picks users. */
public final class DemoDatabase {

    private DemoDatabase() {
    }

    public static void createAndSeed(Connection connection, int users) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(resource("schema.sql"));
            st.execute(resource("seed.sql").replace(":users", String.valueOf(users)));
        }
    }

    static String resource(String name) {
        try (InputStream in = DemoDatabase.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("demo resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read demo resource " + name, e);
        }
    }

    /** Users that exist now, at random. */
    static List<Long> randomUsers(Connection db, int sample) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement("SELECT id FROM users ORDER BY random() LIMIT ?")) {
            st.setInt(1, sample);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }
}
