package io.warmer.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (broker and KRaft controller in one) running inside this JVM, for the demo and tests.
 * Everything it writes lives under the work directory given to {@link #start(Path)}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path workDir;
    private final int brokerPort;
    private final int controllerPort;
    private final SaslSsl security;

    private EmbeddedKafka(KafkaRaftServer server, Path workDir, int brokerPort, int controllerPort, SaslSsl security) {
        this.server = server;
        this.bootstrapServers = HOST + ":" + brokerPort;
        this.workDir = workDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.security = security;
    }

    /**
     * A broker whose only client listener takes SASL (PLAIN or SCRAM-SHA-512) over TLS, as a managed cluster's does;
     * the broker talks to itself over it too, with PLAIN. SCRAM credentials are created with the admin API once the
     * broker runs.
     *
     * @param keyStore   the broker's certificate and key (PKCS-12), for 127.0.0.1
     * @param trustStore the CA that signed it (PKCS-12), which the broker's own client connections trust
     * @param users      the accounts: user name to password; {@code brokerUser} must be one of them
     * @param authorize  whether to check ACLs ({@code StandardAuthorizer}); {@code brokerUser} is a super user
     * @param clientCertificates whether every client must present a certificate signed by the trusted CA (mutual TLS)
     */
    public record SaslSsl(Path keyStore, Path trustStore, String storePassword, Map<String, String> users,
                          String brokerUser, boolean authorize, boolean clientCertificates) {

        /** The client properties of {@code user}, e.g. for a test's admin client. */
        public Map<String, Object> clientProperties(String user) {
            Map<String, Object> p = new HashMap<>();
            p.put("security.protocol", "SASL_SSL");
            p.put("sasl.mechanism", "PLAIN");
            p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                    + user + "\" password=\"" + users.get(user) + "\";");
            p.put("ssl.truststore.location", trustStore.toString());
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.password", storePassword);
            if (clientCertificates) {
                p.put("ssl.keystore.location", keyStore.toString());
                p.put("ssl.keystore.type", "PKCS12");
                p.put("ssl.keystore.password", storePassword);
            }
            return p;
        }

        private Map<String, Object> brokerProperties(String listener) {
            Map<String, Object> p = new HashMap<>();
            String prefix = "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".plain.";
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"" + brokerUser + "\" password=\"" + users.get(brokerUser) + "\"");
            users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
            p.put(prefix + "sasl.jaas.config", jaas.append(';').toString());
            p.put("listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
            if (clientCertificates) {
                // A SASL_SSL listener ignores the broker-wide ssl.client.auth (KIP-684): only its own prefix counts.
                p.put("listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".ssl.client.auth", "required");
            }
            p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            p.put("ssl.keystore.location", keyStore.toString());
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.password", storePassword);
            p.put("ssl.key.password", storePassword);
            p.put("ssl.truststore.location", trustStore.toString());
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.password", storePassword);
            if (authorize) {
                p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
                // The controller listener is plaintext: the broker reaches it as ANONYMOUS.
                p.put("super.users", "User:" + brokerUser + ";User:ANONYMOUS");
                p.put("allow.everyone.if.no.acl.found", "false");
            }
            return p;
        }
    }

    /** Formats storage under {@code workDir}, starts the broker and returns once it answers requests. */
    public static EmbeddedKafka start(Path workDir) {
        return start(workDir, FreePort.find(), FreePort.find(), null);
    }

    /** A broker that accepts only SASL over TLS ({@link SaslSsl}); returns once it answers requests. */
    public static EmbeddedKafka start(Path workDir, SaslSsl security) {
        return start(workDir, FreePort.find(), FreePort.find(), security);
    }

    /** A stopped broker started again: the same ports, the same data; returns once it answers requests. */
    public EmbeddedKafka startAgain() {
        return start(workDir, brokerPort, controllerPort, security);
    }

    private static EmbeddedKafka start(Path workDir, int brokerPort, int controllerPort, SaslSsl security) {
        long began = System.nanoTime();
        Path logDir = workDir.resolve("kafka-logs");
        String bootstrapServers = HOST + ":" + brokerPort;

        Map<String, Object> config = brokerConfig(logDir, brokerPort, controllerPort, security);
        KafkaConfig kafkaConfig = new KafkaConfig(config, false);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            formatStorage(workDir, logDir, config);
        }

        KafkaRaftServer server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, workDir, brokerPort, controllerPort, security);
        try {
            server.startup();
            kafka.awaitReady();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        log.info("Kafka broker listening on {} (started in {} ms, data in {})", bootstrapServers,
                Duration.ofNanos(System.nanoTime() - began).toMillis(), logDir);
        return kafka;
    }

    /** The value for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        log.debug("Kafka broker on {} stopped", bootstrapServers);
    }

    private static Map<String, Object> brokerConfig(Path logDir, int brokerPort, int controllerPort, SaslSsl security) {
        String listener = security == null ? "PLAINTEXT" : "SASL_SSL";
        Map<String, Object> config = new HashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(NODE_ID));
        config.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        config.put("listeners", listener + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        config.put("advertised.listeners", listener + "://" + HOST + ":" + brokerPort);
        config.put("listener.security.protocol.map", listener + ":" + listener + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("controller.listener.names", CONTROLLER_LISTENER);
        config.put("inter.broker.listener.name", listener);
        if (security != null) {
            config.putAll(security.brokerProperties(listener));
        }
        config.put("log.dirs", logDir.toString());
        // One node: every internal topic must make do with one replica.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("min.insync.replicas", "1");
        config.put("default.replication.factor", "1");
        config.put("num.partitions", "1");
        // Warmer creates its topics explicitly; a typo should fail, not create a topic nobody reads.
        config.put("auto.create.topics.enable", "false");
        // Nobody else will join the group, so waiting for them only slows every consumer start down.
        config.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB dedupe buffer is sized for production brokers, not a demo in a laptop JVM.
        config.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "2");
        config.put("num.recovery.threads.per.data.dir", "1");
        return config;
    }

    /**
     * Writes the KRaft metadata a fresh node needs before its first start (what {@code kafka-storage.sh format}
     * does). This goes through {@link StorageTool} rather than {@code org.apache.kafka.metadata.storage.Formatter}
     * because kafka-metadata and kafka-server-common are runtime-only dependencies of kafka_2.13, so the Formatter
     * is not on our compile classpath; StorageTool runs that same Formatter with the production release version
     * and feature levels.
     */
    private static void formatStorage(Path workDir, Path logDir, Map<String, Object> config) {
        Path configFile = workDir.resolve("kafka-server.properties");
        ByteArrayOutputStream toolOutput = new ByteArrayOutputStream();
        int exitCode;
        try {
            Files.createDirectories(logDir);
            Properties properties = new Properties();
            config.forEach((key, value) -> properties.setProperty(key, value.toString()));
            try (Writer writer = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                properties.store(writer, "Written by Warmer's embedded Kafka; only used to format the storage.");
            }
            exitCode = StorageTool.execute(new String[] {
                    "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", configFile.toString()},
                    new PrintStream(toolOutput, true, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not format Kafka storage in " + logDir + ": " + e.getMessage()
                    + ". The directory must be writable and must not hold data of another cluster; "
                    + "use a fresh work directory.", e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("Formatting Kafka storage in " + logDir + " failed (exit code "
                    + exitCode + "): " + toolOutput.toString(StandardCharsets.UTF_8).strip()
                    + ". Use a fresh, writable work directory.");
        }
    }

    private void awaitReady() {
        Map<String, Object> adminConfig = new HashMap<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        if (security != null) {
            adminConfig.putAll(security.clientProperties(security.brokerUser()));
        }
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception lastFailure = null;
        try (Admin admin = Admin.create(adminConfig)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastFailure = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker on "
                    + bootstrapServers + " to start", e);
        }
        throw new IllegalStateException("The embedded Kafka broker on " + bootstrapServers + " did not answer "
                + "within " + STARTUP_TIMEOUT + ". Check the log for broker errors (enable INFO for 'kafka' "
                + "and 'org.apache.kafka'); a slow disk or too little heap can cause this.", lastFailure);
    }
}
