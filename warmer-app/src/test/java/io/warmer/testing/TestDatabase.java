package io.warmer.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A database created for one test, so its tables, publications and data are its own. */
public final class TestDatabase {

    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;

    TestDatabase(String name, String jdbcUrl, String user, String password) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    public String name() {
        return name;
    }

    /** JDBC URL of this database, without credentials (see {@link PostgresAccess#user()}). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** A new connection as the superuser; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Runs each statement in order, in auto-commit mode. */
    public void execute(String... sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                try {
                    statement.execute(each);
                } catch (SQLException e) {
                    throw new IllegalStateException("SQL failed in test database " + name + ": " + e.getMessage()
                            + "\nStatement: " + each, e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not connect to test database " + name + " at " + jdbcUrl
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return jdbcUrl;
    }
}
