package io.warmer.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The shared PostgreSQL server (wal_level=logical) and a superuser that may create replication slots. */
public final class PostgresAccess {

    private static final String MAINTENANCE_DATABASE = "postgres";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Runnable restart;

    /** @param restart a fast shutdown of the server and a start on the same port and data */
    PostgresAccess(String host, int port, String user, String password, Runnable restart) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.restart = restart;
    }

    /**
     * Stops the server with a fast shutdown (every session is ended, as a PostgreSQL restart for maintenance or
     * a failover does) and starts it again on the same port with the same data; returns once it takes connections.
     */
    public void restart() {
        restart.run();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** A superuser: it can create databases, publications and logical replication slots. */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Creates a new, empty database with a name no other test uses. */
    public TestDatabase newDatabase() {
        String name = UniqueNames.next("warmer_test");
        try (Connection connection = DriverManager.getConnection(jdbcUrl(MAINTENANCE_DATABASE), user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name + " on " + host + ":" + port
                    + ": " + e.getMessage(), e);
        }
        return new TestDatabase(name, jdbcUrl(name), user, password);
    }
}
