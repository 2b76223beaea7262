package io.warmer.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * How to reach the source database: every connection Warmer opens to it, JDBC or replication, is made from this.
 * {@link #toString()} never shows the password.
 *
 * @param tls how connections use TLS; {@link PostgresTls#DRIVER_DEFAULTS} when null
 */
public record PostgresEndpoint(String host, int port, String database, String user, String password, PostgresTls tls) {

    /** A server that does not answer by then is down or misaddressed; waiting longer only delays the message. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;

    public PostgresEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        tls = tls == null ? PostgresTls.DRIVER_DEFAULTS : tls;
    }

    /** The driver's default TLS behaviour. */
    public PostgresEndpoint(String host, int port, String database, String user, String password) {
        this(host, port, database, user, password, null);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String address() {
        return host + ":" + port;
    }

    /**
     * A new JDBC connection with these credentials and TLS settings; the caller closes it.
     *
     * @see PostgresPreflight#open for the same with the failure worded as one line
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), jdbcProperties());
    }

    private Properties jdbcProperties() {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        props.putAll(tls.jdbcProperties());
        return props;
    }

    /** The TLS settings under the capture engine's names ({@code database.sslmode}, ...). */
    Map<String, String> engineTlsProperties() {
        return tls.engineProperties();
    }

    @Override
    public String toString() {
        return "PostgresEndpoint[" + user + "@" + address() + "/" + database + ", password=****, " + tls + "]";
    }
}
