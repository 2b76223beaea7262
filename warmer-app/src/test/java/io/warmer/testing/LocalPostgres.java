package io.warmer.testing;

import io.warmer.embedded.ChildProcess;
import io.warmer.embedded.FreePort;
import io.warmer.embedded.StopSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The installed PostgreSQL (15 by default) run from a throwaway data directory on a free port, configured for
 * logical decoding. Authentication is "trust", so any password works for the superuser.
 */
final class LocalPostgres implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    static final String SUPERUSER = "postgres";
    static final String PASSWORD = "postgres";
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final TemporaryDirectory root;
    private ChildProcess server;
    private final int port;
    private final List<String> command;

    private LocalPostgres(TemporaryDirectory root, ChildProcess server, int port, List<String> command) {
        this.root = root;
        this.server = server;
        this.port = port;
        this.command = command;
    }

    /**
     * A server that takes TCP connections only over TLS: with a client certificate signed by {@code ca} and a
     * password, except for the test's own superuser {@code postgres}, trusted over TLS.
     *
     * @param cert the server's certificate (PEM), @param key its key (PEM), @param ca the CA of client certificates
     */
    record Tls(Path cert, Path key, Path ca) {
    }

    static LocalPostgres start(Path binDir) {
        return start(binDir, null);
    }

    static LocalPostgres start(Path binDir, Tls tls) {
        TemporaryDirectory directory = TemporaryDirectory.create("warmer-it-postgres-");
        Path root = directory.path();
        try {
            Path dataDir = root.resolve("data");
            Path socketDir = Files.createDirectory(root.resolve("socket"));
            Path tlsDir = Files.createDirectory(root.resolve("tls"));
            if (tls != null) {
                Files.copy(tls.cert(), tlsDir.resolve("server.pem"));
                Files.copy(tls.key(), tlsDir.resolve("server.key"));
                Files.copy(tls.ca(), tlsDir.resolve("ca.pem"));
                // PostgreSQL refuses a key others may read.
                Files.setPosixFilePermissions(tlsDir.resolve("server.key"),
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
            handToPostgresUser(root);
            initdb(binDir, root, dataDir);
            List<String> options = new ArrayList<>();
            if (tls != null) {
                Files.writeString(dataDir.resolve("pg_hba.conf"), String.join("\n",
                        "local all all trust",
                        "hostssl all postgres 127.0.0.1/32 trust",
                        "hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca",
                        "hostssl replication all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca", ""));
                options.addAll(List.of("-c", "ssl=on",
                        "-c", "ssl_cert_file=" + tlsDir.resolve("server.pem"),
                        "-c", "ssl_key_file=" + tlsDir.resolve("server.key"),
                        "-c", "ssl_ca_file=" + tlsDir.resolve("ca.pem")));
            }
            int port = FreePort.find();
            List<String> server = new ArrayList<>(List.of(binDir.resolve("postgres").toString(),
                    "-D", dataDir.toString(),
                    "-p", Integer.toString(port),
                    "-k", socketDir.toString(),
                    "-c", "listen_addresses=" + HOST,
                    "-c", "wal_level=logical",
                    "-c", "max_replication_slots=400",
                    "-c", "max_wal_senders=50",
                    // Test data is disposable: durability only costs time here.
                    "-c", "fsync=off",
                    "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off"));
            server.addAll(options);
            List<String> command = asPostgresUser(server);
            // SIGINT is PostgreSQL's fast shutdown: it does not wait for test clients to disconnect.
            ChildProcess process = ChildProcess.start("postgres", command, root, root.resolve("postgres.log"),
                    StopSignal.INT);
            LocalPostgres postgres = new LocalPostgres(directory, process, port, command);
            try {
                postgres.awaitConnections();
            } catch (RuntimeException e) {
                postgres.close();
                throw e;
            }
            return postgres;
        } catch (IOException e) {
            directory.close();
            throw new IllegalStateException("Could not prepare PostgreSQL's directories in " + root + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    PostgresAccess access() {
        return new PostgresAccess(HOST, port, SUPERUSER, PASSWORD, this::restart);
    }

    /** A fast shutdown (SIGINT), then the same server on the same port and data. */
    private synchronized void restart() {
        server.close();
        server = ChildProcess.start("postgres", command, root.path(), root.path().resolve("postgres.log"),
                StopSignal.INT);
        awaitConnections();
    }

    @Override
    public void close() {
        server.close();
        root.close();
    }

    private static void initdb(Path binDir, Path root, Path dataDir) {
        List<String> command = asPostgresUser(List.of(binDir.resolve("initdb").toString(),
                "-D", dataDir.toString(), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C",
                "--no-sync"));
        Path log = root.resolve("initdb.log");
        try {
            Process initdb = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!initdb.waitFor(INITDB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                initdb.destroyForcibly();
                throw new IllegalStateException("initdb did not finish within " + INITDB_TIMEOUT + ": " + command);
            }
            if (initdb.exitValue() != 0) {
                throw new IllegalStateException("initdb failed with exit code " + initdb.exitValue() + ": "
                        + command + "\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run initdb (" + command + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running initdb", e);
        }
    }

    /**
     * PostgreSQL refuses to run as root. setpriv (unlike runuser or su, which fork and translate signals into
     * SIGTERM followed by SIGKILL) execs the server, so our child's PID is the postmaster's and SIGINT reaches it.
     */
    private static List<String> asPostgresUser(List<String> command) {
        if (!LocalPrerequisites.runningAsRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + LocalPrerequisites.POSTGRES_OS_USER,
                "--regid=" + LocalPrerequisites.POSTGRES_OS_USER, "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private void awaitConnections() {
        String url = "jdbc:postgresql://" + HOST + ":" + port + "/postgres";
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        SQLException lastFailure = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("PostgreSQL exited during startup. Its log (" + server.logFile()
                        + ") ends with:\n" + server.logTail());
            }
            try (Connection connection = DriverManager.getConnection(url, SUPERUSER, PASSWORD)) {
                if (connection.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                lastFailure = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for PostgreSQL to accept connections", e);
            }
        }
        throw new IllegalStateException("PostgreSQL did not accept connections on " + url + " within "
                + STARTUP_TIMEOUT + ". Its log (" + server.logFile() + ") ends with:\n" + server.logTail(),
                lastFailure);
    }

    /** As root, the postgres OS user must own the data and socket directories (and be able to enter root). */
    private static void handToPostgresUser(Path root) throws IOException {
        if (!LocalPrerequisites.runningAsRoot()) {
            return;
        }
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        var user = lookup.lookupPrincipalByName(LocalPrerequisites.POSTGRES_OS_USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(LocalPrerequisites.POSTGRES_OS_USER);
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }
}
