package io.warmer.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.service.WarmerService;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * A real pipeline run logged through the production {@code logback.xml} in each structured format, as a container
 * runs it ({@code WARMER_LOG_CONSOLE=info}): every line of the file and the console is one whole event in that
 * format, the family stage changes come out as fields, and the PostgreSQL password appears nowhere, although
 * Debezium and the Kafka clients print their configurations at INFO.
 */
@ExtendWith(WarmerInfrastructure.class)
class StructuredLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD_ENV = "LOGS_IT_PASSWORD";

    @ParameterizedTest
    @EnumSource(value = LogFormat.class, names = {"KV", "JSON"})
    void shouldLogARunAsOneEventPerLineWithFamilyStagesAndNeverThePassword(LogFormat format, TestInfra infra,
            @TempDir Path dir) throws Exception {
        // A role of the test's own, so that the password is one no other text can contain, and is really
        // checked where the server asks for passwords (containers); superuser for the publication.
        String password = "Pw" + HexFormat.of().formatHex(randomBytes()) + "!";
        String role = infra.uniqueName("logs_role");
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE ROLE " + role + " LOGIN SUPERUSER REPLICATION PASSWORD '" + password + "'",
                "CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 100) i");
        WarmerConfig config = new ConfigLoader(name -> PASSWORD_ENV.equals(name) ? password : null).parse("""
                source:
                  postgres: {host: %s, port: %d, database: %s, user: %s, password-env: %s, slot: %s, publication: %s}
                kafka: {bootstrap-servers: "%s", topic-prefix: %s, partitions: 2, application-id: %s}
                redis: {uri: "%s"}
                http: {port: 0}
                families:
                  - {name: by-id, table: users, key: "%s:user:${id}"}
                """.formatted(infra.postgres().host(), infra.postgres().port(), db.name(), role, PASSWORD_ENV,
                infra.uniqueName("slot"), infra.uniqueName("pub"), infra.kafkaBootstrapServers(),
                infra.uniqueName("topics"), infra.uniqueName("app"), infra.redisUri(), infra.uniqueName("logs")),
                "logs-it.yml");
        Path logFile = dir.resolve("logs").resolve("warmer.log");

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (ProductionLogging ignored = ProductionLogging.configure(format, dir.resolve("logs"), console)) {
            try (WarmerService service = WarmerService.start(config);
                    ServiceMonitoring monitoring = ServiceMonitoring.start(config, service,
                            ServiceMonitoring.configuredTargets(config.http()), Duration.ofMillis(500))) {
                await().atMost(Duration.ofSeconds(90)).until(() -> familyStages(format, logFile).stream()
                        .anyMatch(stage -> "ready".equals(stage.get("to"))));
            }
        }

        String file = Files.readString(logFile);
        String consoleText = console.toString(StandardCharsets.UTF_8);
        assertThat(file).as("Debezium's configuration is logged, masked")
                .contains("database.user = " + role, "database.password = ********");
        assertThat(file).as("the log file").doesNotContain(password);
        assertThat(consoleText).as("the console").doesNotContain(password);

        List<Map<String, String>> fileEvents = events(format, file);
        assertThat(fileEvents).as("Kafka, Debezium and Warmer events").hasSizeGreaterThan(50)
                .allSatisfy(event -> assertThat(event).containsKeys("time", "level", "logger", "thread"));
        assertThat(events(format, consoleText)).as("the console, in the same format").isNotEmpty();

        List<Map<String, String>> stages = familyStages(format, logFile);
        assertThat(stages).extracting(stage -> stage.get("family")).containsOnly("by-id");
        Map<String, String> ready = stages.get(stages.size() - 1);
        assertThat(ready).containsEntry("to", "ready").containsEntry("coverage", "1.0")
                .containsEntry("level", "INFO").containsEntry("logger", "io.warmer.monitor.PipelineMonitor")
                .containsEntry(format == LogFormat.KV ? "msg" : "message",
                        "Family by-id is now ready (was " + ready.get("from") + ")");
        assertThat(ready.get("lag")).as("lag, a number").matches("\\d+");
        assertThat(stages).extracting(stage -> stage.get("from") + ">" + stage.get("to"))
                .as("each change starts where the one before ended").startsWith("starting>" + stages.get(0).get("to"));
        for (int i = 1; i < stages.size(); i++) {
            assertThat(stages.get(i).get("from")).isEqualTo(stages.get(i - 1).get("to"));
        }
        assertThat(consoleText).as("stage changes reach the console with WARMER_LOG_CONSOLE=info")
                .contains("family_stage");
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static List<Map<String, String>> familyStages(LogFormat format, Path logFile) throws IOException {
        if (!Files.exists(logFile)) {
            return List.of();
        }
        return events(format, Files.readString(logFile)).stream()
                .filter(event -> "family_stage".equals(event.get("event"))).toList();
    }

    /** Every line read as one event: a line that is not a whole event fails the test. */
    private static List<Map<String, String>> events(LogFormat format, String text) throws IOException {
        List<Map<String, String>> events = new ArrayList<>();
        for (String line : text.lines().filter(line -> !line.isEmpty()).toList()) {
            events.add(format == LogFormat.KV ? Logfmt.parse(line) : jsonFields(line));
        }
        return events;
    }

    private static Map<String, String> jsonFields(String line) throws IOException {
        JsonNode event = JSON.readTree(line);
        assertThat(event.isObject()).as("a JSON object: %s", line).isTrue();
        Map<String, String> fields = new LinkedHashMap<>();
        event.properties().forEach(field -> fields.put(field.getKey(), field.getValue().isNull() ? null
                : field.getValue().asText()));
        return fields;
    }

    /**
     * The production {@code logback.xml} in place of the tests' for the duration of a test, the console captured;
     * closing restores the tests' configuration.
     */
    private static final class ProductionLogging implements AutoCloseable {

        private static final List<String> VARIABLES = List.of("WARMER_LOG_DIR", "warmer.log.format",
                "WARMER_LOG_CONSOLE");

        private final PrintStream stderr = System.err;

        static ProductionLogging configure(LogFormat format, Path logDir, ByteArrayOutputStream console)
                throws Exception {
            ProductionLogging logging = new ProductionLogging();
            System.setProperty("WARMER_LOG_DIR", logDir.toString());
            System.setProperty("warmer.log.format", format.wireName());
            System.setProperty("WARMER_LOG_CONSOLE", "info");
            System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
            LoggerContext context = context();
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(StructuredLogsIT.class.getResource("/logback.xml"));
            return logging;
        }

        private static LoggerContext context() {
            return (LoggerContext) LoggerFactory.getILoggerFactory();
        }

        @Override
        public void close() throws Exception {
            LoggerContext context = context();
            context.reset();
            VARIABLES.forEach(System::clearProperty);
            System.setErr(stderr);
            new ContextInitializer(context).autoConfig();
        }
    }
}
