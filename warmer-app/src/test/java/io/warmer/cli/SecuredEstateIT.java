package io.warmer.cli;

import static io.warmer.testing.SecuredEstate.KAFKA_INTRUDER;
import static io.warmer.testing.SecuredEstate.KAFKA_USER;
import static io.warmer.testing.SecuredEstate.PG_USER;
import static io.warmer.testing.SecuredEstate.REDIS_MEEK_USER;
import static io.warmer.testing.SecuredEstate.REDIS_USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.FullVerify;
import io.warmer.testing.PackagedWarmer;
import io.warmer.testing.SecuredEstate;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.UniqueNames;
import io.warmer.testing.WarmerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warmer run}, {@code verify} and {@code status} against an estate with security on everywhere
 * ({@link SecuredEstate}): Kafka accepting only SASL over mutual TLS with ACLs, PostgreSQL only TLS with client
 * certificates, Redis only TLS with client certificates and a least-privilege ACL user. Each misconfiguration is one
 * line naming the server and the fix; no secret appears in anything Warmer prints, logs or serves.
 */
class SecuredEstateIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path estateDir;
    private static SecuredEstate estate;

    @BeforeAll
    static void startEstate() {
        estate = SecuredEstate.start(estateDir);
    }

    @AfterAll
    static void stopEstate() {
        if (estate != null) {
            estate.close();
        }
    }

    /** What the variables a configuration names hold. */
    private static Map<String, String> environment() {
        return Map.of("KAFKA_PASSWORD", SecuredEstate.KAFKA_PASSWORD, "INTRUDER_PASSWORD",
                SecuredEstate.KAFKA_INTRUDER_PASSWORD, "STORE_PASSWORD", SecuredEstate.STORE_PASSWORD,
                "PG_PASSWORD", SecuredEstate.PG_PASSWORD, "REDIS_PASSWORD", SecuredEstate.REDIS_PASSWORD,
                "MEEK_PASSWORD", SecuredEstate.REDIS_MEEK_PASSWORD);
    }

    /** One test's database, owned by Warmer's role, and names of its own. */
    private record Setup(TestDatabase db, String topicPrefix, String applicationId) {
    }

    private static Setup setUp() throws Exception {
        TestDatabase db = estate.postgres().newDatabase();
        db.execute("DO $$ BEGIN CREATE ROLE " + PG_USER + " LOGIN REPLICATION PASSWORD '" + SecuredEstate.PG_PASSWORD
                        + "'; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "GRANT CREATE ON DATABASE " + db.name() + " TO " + PG_USER,
                "CREATE TABLE makers (id serial PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE products (id serial PRIMARY KEY, maker_id int REFERENCES makers(id), name text,"
                        + " price numeric(12,2), listed timestamptz, attributes jsonb, notes text)",
                "ALTER TABLE makers OWNER TO " + PG_USER,
                "ALTER TABLE products OWNER TO " + PG_USER,
                "INSERT INTO makers (name) SELECT 'maker ' || i FROM generate_series(1, 5) i",
                "INSERT INTO products (maker_id, name, price, listed, attributes, notes) SELECT 1 + i % 5,"
                        + " 'product ' || i, i * 1.25, timestamptz '2026-01-01 00:00+00' + i * interval '1 hour',"
                        + " jsonb_build_object('size', i, 'tags', jsonb_build_array('a', 'b')), repeat('n', 3000)"
                        + " FROM generate_series(1, 300) i");
        String topicPrefix = UniqueNames.next("sec");
        String applicationId = UniqueNames.next("secapp");
        estate.grantKafka(topicPrefix, applicationId);
        return new Setup(db, topicPrefix, applicationId);
    }

    /** The secured configuration; {@code change} replaces one of its lines to misconfigure it. */
    private static String config(Setup setup, Map<String, String> change) {
        Map<String, String> lines = new HashMap<>(Map.of(
                "kafka-sasl", "    sasl: {mechanism: SCRAM-SHA-512, username: " + KAFKA_USER + ", password-env: KAFKA_PASSWORD}",
                "kafka-trust", "    trust-store: {location: \"" + estate.caTrustStore() + "\", password-env: STORE_PASSWORD}\n"
                        + "    key-store: {location: \"" + estate.client().pkcs12() + "\", password-env: STORE_PASSWORD}",
                "pg-password", "    password-env: PG_PASSWORD",
                "pg-root-cert", "    ssl-root-cert: \"" + estate.caPem() + "\"",
                "redis-user", "  user: " + REDIS_USER,
                "redis-password", "  password-env: REDIS_PASSWORD",
                "redis-ca", "  tls: {ca-cert: \"" + estate.caPem() + "\", cert: \"" + estate.client().certPem()
                        + "\", key: \"" + estate.client().keyPem() + "\"}"));
        lines.putAll(change);
        return """
                source:
                  postgres:
                    host: 127.0.0.1
                    port: %d
                    database: %s
                    user: %s
                %s
                    slot: %s
                    publication: %s
                    ssl-mode: verify-full
                %s
                    ssl-cert: "%s"
                    ssl-key: "%s"
                kafka:
                  bootstrap-servers: "%s"
                  topic-prefix: %s
                  application-id: %s
                  partitions: 2
                  security:
                    protocol: SASL_SSL
                %s
                %s
                  properties: {client.dns.lookup: use_all_dns_ips}
                redis:
                  uri: "rediss://127.0.0.1:%d"
                %s
                %s
                %s
                http: {port: 0}
                families:
                  - name: product
                    table: products
                    key: "v2:product:${id}"
                """.formatted(estate.postgres().port(), setup.db().name(), PG_USER, lines.get("pg-password"),
                setup.db().name() + "_slot", setup.db().name() + "_pub", lines.get("pg-root-cert"),
                estate.client().certPem(), estate.client().keyPk8(), estate.kafkaBootstrapServers(),
                setup.topicPrefix(), setup.applicationId(), lines.get("kafka-sasl"), lines.get("kafka-trust"),
                estate.redisPort(), lines.get("redis-user"), lines.get("redis-password"), lines.get("redis-ca"));
    }

    @Test
    void shouldWarmAndVerifyWithSecurityOnEverywhereAndShowNoSecret(@TempDir Path dir) throws Exception {
        Setup setup = setUp();
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, config(setup, Map.of()));
        WarmerConfig config = new ConfigLoader(environment()::get).load(file);

        List<String> shown = new ArrayList<>();
        try (WarmerProcess warmer = WarmerProcess.start(file, dir, "secured", environment())) {
            setup.db().execute(
                    "INSERT INTO products (maker_id, name, price, listed, attributes, notes) VALUES"
                            + " (2, 'streamed', 9.99, now(), '{\"size\": 1}', repeat('x', 5000))",
                    "UPDATE products SET price = price + 1, attributes = attributes || '{\"on_sale\": true}'"
                            + " WHERE id % 7 = 0",
                    "UPDATE makers SET name = 'renamed maker' WHERE id = 3",
                    "DELETE FROM products WHERE id % 50 = 0");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> FullVerify.assertNoDrift(config, setup.db()));

            Run verify = run(dir, "verify", "--config", file.toString());
            assertThat(verify.exit()).as(verify.output()).isZero();
            Run status = run(dir, "status", "--config", file.toString());
            assertThat(status.exit()).as(status.output()).isZero();
            Run check = run(dir, "config", "check", "--config", file.toString());
            assertThat(check.exit()).as(check.output()).isZero();
            shown.addAll(List.of(verify.output(), status.output(), check.output()));

            shown.add(warmer.json("api/status").toString());
            shown.add(get(warmer, "metrics"));
            shown.add(get(warmer, ""));
            shown.add(get(warmer, "health"));
            shown.add(warmer.output());
        }
        try (Stream<Path> logs = Files.walk(dir.resolve("secured-logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                shown.add(Files.readString(log));
            }
        }
        try (var redis = estate.redisAdmin()) {
            assertThat(redis.connection().sync().aclLog()).as("commands Redis refused Warmer's ACL user").isEmpty();
        }
        String everything = String.join("\n", shown);
        assertThat(everything).as("what Warmer printed, logged and served").isNotBlank();
        for (String secret : estate.secrets()) {
            assertThat(everything).as("what Warmer printed, logged and served").doesNotContain(secret);
        }
    }

    @Test
    void shouldRefuseEachMisconfigurationWithOneLineNamingTheServerAndTheFix(@TempDir Path dir) throws Exception {
        Setup setup = setUp();
        Map<String, Map<String, String>> cases = new java.util.LinkedHashMap<>();
        Map<String, String> expected = new HashMap<>();
        cases.put("kafka wrong password", Map.of("kafka-sasl", "    sasl: {mechanism: PLAIN, username: " + KAFKA_USER
                + ", password-env: INTRUDER_PASSWORD}"));
        expected.put("kafka wrong password", "rejected Warmer's credentials");
        cases.put("kafka untrusted certificate", Map.of("kafka-trust", "    trust-store: {location: \""
                + estate.strangerTrustStore() + "\", password-env: STORE_PASSWORD}"));
        expected.put("kafka untrusted certificate", "kafka.security.trust-store");
        cases.put("kafka missing permission", Map.of("kafka-sasl", "    sasl: {mechanism: PLAIN, username: "
                + KAFKA_INTRUDER + ", password-env: INTRUDER_PASSWORD}"));
        expected.put("kafka missing permission", "Kafka ACLs");
        cases.put("kafka without a client certificate", Map.of("kafka-trust", "    trust-store: {location: \""
                + estate.caTrustStore() + "\", password-env: STORE_PASSWORD}"));
        expected.put("kafka without a client certificate", "kafka.security.key-store");
        cases.put("postgres wrong password", Map.of("pg-password", "    password-env: REDIS_PASSWORD"));
        expected.put("postgres wrong password", "check the user and password");
        cases.put("postgres untrusted certificate", Map.of("pg-root-cert", "    ssl-root-cert: \""
                + estate.strangerCa() + "\""));
        expected.put("postgres untrusted certificate", "ssl-root-cert");
        cases.put("redis wrong password", Map.of("redis-password", "  password-env: MEEK_PASSWORD"));
        expected.put("redis wrong password", "redis.password-env");
        cases.put("redis untrusted certificate", Map.of("redis-ca", "  tls: {ca-cert: \"" + estate.strangerCa()
                + "\", cert: \"" + estate.client().certPem() + "\", key: \"" + estate.client().keyPem() + "\"}"));
        expected.put("redis untrusted certificate", "redis.tls.ca-cert");
        cases.put("redis missing permission", Map.of("redis-user", "  user: " + REDIS_MEEK_USER,
                "redis-password", "  password-env: MEEK_PASSWORD"));
        expected.put("redis missing permission", "Redis ACL");

        List<String> failures = new ArrayList<>();
        for (var entry : cases.entrySet()) {
            Path file = dir.resolve(entry.getKey().replace(' ', '-') + ".yml");
            Files.writeString(file, config(setup, entry.getValue()));
            Run run = run(dir, "run", "--config", file.toString(), "--http-port", "0");
            String output = run.output();
            List<String> errors = output.lines().filter(l -> l.startsWith("error: ")).toList();
            if (run.exit() == 0 || errors.size() != 1 || !errors.get(0).contains(expected.get(entry.getKey()))
                    || output.contains("\tat ") || estate.secrets().stream().anyMatch(output::contains)) {
                failures.add(entry.getKey() + " (exit " + run.exit() + ", expected one line with '"
                        + expected.get(entry.getKey()) + "'):\n" + output);
            }
        }
        assertThat(failures).as("misconfigurations not refused with one clean line").isEmpty();
    }

    @Test
    void shouldDocumentTheRedisAclThisTestGrants() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).contains("ACL SETUSER warmer on >PASSWORD " + SecuredEstate.REDIS_KEYS + " "
                + SecuredEstate.REDIS_RULES);
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, String... args) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "warmer-", ".out");
        ProcessBuilder builder = PackagedWarmer.command(args).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment());
        builder.environment().put("WARMER_LOG_DIR", dir.resolve("cli-logs").toString());
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return new Run(-1, "did not finish within 3 minutes:\n" + Files.readString(output));
        }
        return new Run(process.exitValue(), Files.readString(output));
    }

    private static String get(WarmerProcess warmer, String path) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(warmer.address().resolve("/" + path)).build();
        return java.net.http.HttpClient.newHttpClient().send(request,
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
