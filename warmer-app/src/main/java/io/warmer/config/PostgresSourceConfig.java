package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.TimestampFormat;

/**
 * {@code source.postgres}: the database whose rows are cached.
 *
 * @param password    the password; prefer {@code passwordEnv} so that no secret sits in the file
 * @param passwordEnv the name of an environment variable holding the password
 * @param slot        the logical replication slot, {@link #DEFAULT_SLOT} when absent
 * @param publication the publication, {@link #DEFAULT_PUBLICATION} when absent
 * @param timestamps  how timestamp columns are written into values, {@link #DEFAULT_TIMESTAMPS} when absent
 * @param snapshot    how whole tables are read; {@link SnapshotConfig#DEFAULTS} when absent
 */
public record PostgresSourceConfig(String host, Integer port, String database, String user, String password,
                                   String passwordEnv, String slot, String publication, TimestampFormat timestamps,
                                   SnapshotConfig snapshot) {

    public static final TimestampFormat DEFAULT_TIMESTAMPS = TimestampFormat.ISO_8601;

    public static final int DEFAULT_PORT = 5432;
    public static final String DEFAULT_SLOT = "warmer";
    public static final String DEFAULT_PUBLICATION = "warmer";

    public PostgresSourceConfig {
        require(host, "host", "localhost");
        port = port == null ? DEFAULT_PORT : port;
        if (port < 1 || port > 65535) {
            throw new InvalidFieldException("port", "found " + port + ", expected a TCP port from 1 to 65535");
        }
        require(database, "database", "app");
        require(user, "user", "warmer");
        if (password != null && passwordEnv != null) {
            throw new InvalidFieldException("password-env", "found both password and password-env, expected one of them");
        }
        slot = slot == null ? DEFAULT_SLOT : slot;
        if (!slot.matches("[a-z0-9_]{1,63}")) {
            throw new InvalidFieldException("slot", "found '" + slot
                    + "', expected a replication slot name of lower-case letters, digits and underscores");
        }
        publication = publication == null ? DEFAULT_PUBLICATION : publication;
        timestamps = timestamps == null ? DEFAULT_TIMESTAMPS : timestamps;
        snapshot = snapshot == null ? SnapshotConfig.DEFAULTS : snapshot;
    }

    PostgresSourceConfig withPassword(String resolved) {
        return new PostgresSourceConfig(host, port, database, user, resolved, null, slot, publication, timestamps,
                snapshot);
    }

    @Override
    public String toString() {
        return "PostgresSourceConfig[" + user + "@" + host + ":" + port + "/" + database + ", slot=" + slot
                + ", publication=" + publication + ", password=****]";
    }

    /** Where to connect, with these credentials. */
    public PostgresEndpoint endpoint() {
        return new PostgresEndpoint(host, port, database, user, password);
    }
}
