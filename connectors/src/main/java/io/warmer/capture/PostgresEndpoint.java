package io.warmer.capture;

import java.util.Objects;

/** How to reach the source database. {@link #toString()} never shows the password. */
public record PostgresEndpoint(String host, int port, String database, String user, String password) {

    public PostgresEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return "PostgresEndpoint[" + user + "@" + address() + "/" + database + ", password=****]";
    }
}
