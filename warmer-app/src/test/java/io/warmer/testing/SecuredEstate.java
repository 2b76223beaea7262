package io.warmer.testing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.warmer.embedded.ChildProcess;
import io.warmer.embedded.EmbeddedKafka;
import io.warmer.embedded.FreePort;
import io.warmer.embedded.StopSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * An estate with security on everywhere, as production has it, started from local binaries for one test class:
 * <ul>
 *   <li>Kafka in this JVM whose only listener takes SASL (PLAIN or SCRAM-SHA-512) over TLS with client
 *       certificates, with ACLs checked: Warmer's principal has the topic and group ACLs README lists, and another
 *       principal has none;</li>
 *   <li>PostgreSQL that takes TCP connections only over TLS, with a client certificate and a password;</li>
 *   <li>redis-server on a TLS port only, requiring client certificates, whose default user is off and whose Warmer
 *       user has {@link #REDIS_RULES} alone.</li>
 * </ul>
 * One CA signs every certificate; a second CA ({@link #strangerCa()}) signs nothing the servers present.
 */
public final class SecuredEstate implements AutoCloseable {

    public static final String KAFKA_USER = "warmer";
    public static final String KAFKA_PASSWORD = "kafka-sasl-s3cret-9141";
    /** A principal the brokers authenticate but grant nothing. */
    public static final String KAFKA_INTRUDER = "intruder";
    public static final String KAFKA_INTRUDER_PASSWORD = "intruder-s3cret-2210";
    public static final String STORE_PASSWORD = "store-s3cret-7262";
    public static final String PG_USER = "warmer";
    public static final String PG_PASSWORD = "pg-s3cret-5343";
    public static final String REDIS_USER = "warmer";
    public static final String REDIS_PASSWORD = "redis-s3cret-3474";
    /** A Redis user that may connect and nothing else. */
    public static final String REDIS_MEEK_USER = "meek";
    public static final String REDIS_MEEK_PASSWORD = "meek-s3cret-8815";
    /** The commands Warmer's Redis user needs: README's ACL line (Production: Redis ACL) holds exactly these. */
    public static final String REDIS_RULES = "-@all +ping +info +hello +auth +client|setname"
            + " +get +set +del +unlink +exists +type +scan +ttl +pttl +pexpire +incr +hset +hdel +hincrby +hgetall +dump"
            + " +restore +copy +eval +evalsha +script|load +memory|usage +cluster|info +cluster|slots";
    /** The key patterns of Warmer's Redis user: the families' keys (here v2:...), version keys and Warmer's own. */
    public static final String REDIS_KEYS = "~v2:* ~{* ~warmer:*";

    private static final String BROKER_USER = "broker";
    private static final String BROKER_PASSWORD = "broker-s3cret-6606";
    private static final String REDIS_ADMIN_PASSWORD = "admin-s3cret-1199";

    private final Deque<AutoCloseable> stopInReverse = new ArrayDeque<>();
    private final Path dir;
    private TestCertificates ca;
    private TestCertificates stranger;
    private TestCertificates.Issued client;
    private EmbeddedKafka.SaslSsl kafkaSecurity;
    private String kafkaBootstrapServers;
    private PostgresAccess postgres;
    private int redisPort;

    private SecuredEstate(Path dir) {
        this.dir = dir;
    }

    /** Starts the three servers with their files under {@code dir}. */
    public static SecuredEstate start(Path dir) {
        SecuredEstate estate = new SecuredEstate(dir);
        try {
            estate.startServers();
            return estate;
        } catch (RuntimeException | IOException e) {
            estate.close();
            throw new IllegalStateException("could not start the secured estate: " + e.getMessage(), e);
        }
    }

    private void startServers() throws IOException {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        ca = TestCertificates.authority("estate", certs);
        stranger = TestCertificates.authority("stranger", certs);
        TestCertificates.Issued server = ca.issue("server", STORE_PASSWORD);
        client = ca.issue("warmer", STORE_PASSWORD);
        // Servers run as the postgres OS user when the tests run as root: they must be able to read the files.
        for (Path file : List.of(certs, server.certPem(), server.keyPem(), client.certPem(), client.keyPem(),
                client.keyPk8(), client.pkcs12(), ca.caPem())) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(
                    Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
        }

        LocalPostgres pg = LocalPostgres.start(LocalPrerequisites.POSTGRES_BIN,
                new LocalPostgres.Tls(server.certPem(), server.keyPem(), ca.caPem()));
        stopInReverse.push(pg);
        postgres = pg.access();

        startRedis(server);

        Map<String, String> users = new LinkedHashMap<>();
        users.put(BROKER_USER, BROKER_PASSWORD);
        users.put(KAFKA_USER, KAFKA_PASSWORD);
        users.put(KAFKA_INTRUDER, KAFKA_INTRUDER_PASSWORD);
        kafkaSecurity = new EmbeddedKafka.SaslSsl(server.pkcs12(), ca.caTrustStore(STORE_PASSWORD), STORE_PASSWORD,
                users, BROKER_USER, true, true);
        EmbeddedKafka kafka = EmbeddedKafka.start(Files.createDirectories(dir.resolve("kafka")), kafkaSecurity);
        stopInReverse.push(kafka);
        kafkaBootstrapServers = kafka.bootstrapServers();
        try (Admin admin = Admin.create(brokerAdminProperties())) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    KAFKA_USER, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192), KAFKA_PASSWORD)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the SCRAM credentials: " + e.getMessage(), e);
        }
    }

    private void startRedis(TestCertificates.Issued server) throws IOException {
        redisPort = FreePort.find();
        Path redisDir = Files.createDirectories(dir.resolve("redis"));
        Path conf = redisDir.resolve("redis.conf");
        Files.writeString(conf, String.join("\n",
                "port 0",
                "tls-port " + redisPort,
                "bind 127.0.0.1",
                "tls-cert-file " + server.certPem(),
                "tls-key-file " + server.keyPem(),
                "tls-ca-cert-file " + ca.caPem(),
                "tls-auth-clients yes",
                "save \"\"",
                "appendonly no",
                "dir " + redisDir,
                "user default off",
                "user admin on >" + REDIS_ADMIN_PASSWORD + " ~* &* +@all",
                "user " + REDIS_USER + " on >" + REDIS_PASSWORD + " " + REDIS_KEYS + " " + REDIS_RULES,
                "user " + REDIS_MEEK_USER + " on >" + REDIS_MEEK_PASSWORD + " ~* -@all +hello +auth +ping",
                ""));
        ChildProcess redis = ChildProcess.start("redis-server", List.of(LocalPrerequisites.redisServer().toString(),
                conf.toString()), redisDir, redisDir.resolve("redis.log"), StopSignal.TERM);
        stopInReverse.push(redis);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (var admin = redisAdmin()) {
                admin.connection().sync().ping();
                return;
            } catch (RuntimeException notYet) {
                if (!redis.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server with TLS did not answer on port " + redisPort
                            + "; its log ends with:\n" + redis.logTail(), notYet);
                }
                sleep(100);
            }
        }
    }

    /** Grants Warmer's principal what README lists, for one test's topic prefix and application id. */
    public void grantKafka(String topicPrefix, String applicationId) throws Exception {
        String principal = "User:" + KAFKA_USER;
        AccessControlEntry all = new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW);
        try (Admin admin = Admin.create(brokerAdminProperties())) {
            admin.createAcls(List.of(
                    new AclBinding(new ResourcePattern(ResourceType.TOPIC, topicPrefix + ".", PatternType.PREFIXED), all),
                    new AclBinding(new ResourcePattern(ResourceType.TOPIC, applicationId, PatternType.PREFIXED), all),
                    new AclBinding(new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.PREFIXED), all)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private Map<String, Object> brokerAdminProperties() {
        Map<String, Object> properties = new LinkedHashMap<>(kafkaSecurity.clientProperties(BROKER_USER));
        properties.put("bootstrap.servers", kafkaBootstrapServers);
        return properties;
    }

    /** A connection as Redis's administrator, for what a test checks (values, ACL LOG). */
    public RedisAdmin redisAdmin() {
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(redisPort).withSsl(true)
                .withAuthentication("admin", REDIS_ADMIN_PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(5))
                .build();
        RedisClient redis = RedisClient.create(uri);
        redis.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                .trustManager(ca.caPem().toFile())
                .keyManager(client.certPem().toFile(), client.keyPem().toFile(), null).build()).build());
        try {
            return new RedisAdmin(redis, redis.connect());
        } catch (RuntimeException e) {
            redis.shutdown();
            throw e;
        }
    }

    /** A Lettuce client and its connection; closing shuts both. */
    public record RedisAdmin(RedisClient client, StatefulRedisConnection<String, String> connection)
            implements AutoCloseable {
        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }

    public PostgresAccess postgres() {
        return postgres;
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    public int redisPort() {
        return redisPort;
    }

    /** The CA that signed every server's certificate (PEM). */
    public Path caPem() {
        return ca.caPem();
    }

    /** The same as a PKCS-12 trust store, password {@link #STORE_PASSWORD}. */
    public Path caTrustStore() {
        return dir.resolve("certs").resolve("estate-ca.p12");
    }

    /** A CA that signed nothing the servers present, as PEM and as a PKCS-12 trust store. */
    public Path strangerCa() {
        return stranger.caPem();
    }

    public Path strangerTrustStore() {
        return stranger.caTrustStore(STORE_PASSWORD);
    }

    /** Warmer's client certificate: PEM, its key as PEM and PKCS-8 DER, and a PKCS-12 key store. */
    public TestCertificates.Issued client() {
        return client;
    }

    /** Every password of the estate: none may appear in anything Warmer prints or serves. */
    public List<String> secrets() {
        return List.of(KAFKA_PASSWORD, KAFKA_INTRUDER_PASSWORD, STORE_PASSWORD, PG_PASSWORD, REDIS_PASSWORD,
                REDIS_MEEK_PASSWORD);
    }

    @Override
    public void close() {
        while (!stopInReverse.isEmpty()) {
            try {
                stopInReverse.pop().close();
            } catch (Exception e) {
                // Stopping the rest matters more.
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
