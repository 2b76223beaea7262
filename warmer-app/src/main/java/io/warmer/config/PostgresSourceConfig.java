package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.PostgresTls;
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
 * @param sslMode     libpq's sslmode for every connection (disable, allow, prefer, require, verify-ca, verify-full);
 *                    the driver's default ({@code prefer}) when absent
 * @param sslRootCert the CA certificate (PEM) the server's certificate must be signed by (verify-ca, verify-full)
 * @param sslCert     Warmer's client certificate (PEM), for servers that require one
 * @param sslKey      its private key: PKCS-8 DER ({@code .pk8}) or PKCS-12 ({@code .p12})
 */
public record PostgresSourceConfig(String host, Integer port, String database, String user, String password,
                                   String passwordEnv, String slot, String publication, TimestampFormat timestamps,
                                   SnapshotConfig snapshot, String sslMode, String sslRootCert, String sslCert,
                                   String sslKey) {

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
        if (sslMode != null) {
            try {
                PostgresTls.Mode.fromWireName(sslMode);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("ssl-mode", e.getMessage());
            }
        }
        if ((sslCert == null) != (sslKey == null)) {
            throw new InvalidFieldException(sslCert == null ? "ssl-cert" : "ssl-key", "is required with "
                    + (sslCert == null ? "ssl-key" : "ssl-cert") + ": a client certificate needs its private key");
        }
    }

    /** Without TLS settings: the driver's defaults. */
    public PostgresSourceConfig(String host, Integer port, String database, String user, String password,
                                String passwordEnv, String slot, String publication, TimestampFormat timestamps,
                                SnapshotConfig snapshot) {
        this(host, port, database, user, password, passwordEnv, slot, publication, timestamps, snapshot, null, null,
                null, null);
    }

    /** These settings with the password looked up and the certificate files checked. */
    PostgresSourceConfig resolve(Secrets secrets) {
        String at = "source.postgres.";
        secrets.readableFile(at + "ssl-root-cert", sslRootCert);
        secrets.readableFile(at + "ssl-cert", sslCert);
        secrets.readableFile(at + "ssl-key", sslKey);
        return new PostgresSourceConfig(host, port, database, user, secrets.secret(at + "password-env", password,
                passwordEnv), null, slot, publication, timestamps, snapshot, sslMode, sslRootCert, sslCert, sslKey);
    }

    @Override
    public String toString() {
        return "PostgresSourceConfig[" + user + "@" + host + ":" + port + "/" + database + ", slot=" + slot
                + ", publication=" + publication + ", password=****" + (sslMode == null ? "" : ", ssl-mode=" + sslMode)
                + "]";
    }

    /** Where to connect, with these credentials. */
    public PostgresEndpoint endpoint() {
        return new PostgresEndpoint(host, port, database, user, password, new PostgresTls(
                sslMode == null ? null : PostgresTls.Mode.fromWireName(sslMode), sslRootCert, sslCert, sslKey));
    }
}
