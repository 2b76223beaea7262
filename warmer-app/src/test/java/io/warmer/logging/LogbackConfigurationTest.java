package io.warmer.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production {@code logback.xml}, loaded into a context of the test's own (not the one the tests log through),
 * with the variables an operator sets given as context properties, which logback reads before the environment.
 */
class LogbackConfigurationTest {

    @TempDir
    Path logs;

    /** What one configured context wrote: the log file's lines and the console's. */
    private record Output(List<String> file, String console, List<Status> statuses) {
    }

    private Output logWith(Map<String, String> variables) throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putProperty("WARMER_LOG_DIR", logs.toString());
        variables.forEach(context::putProperty);
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogbackConfigurationTest.class.getResource("/logback.xml"));
            context.getLogger("io.warmer.monitor.PipelineMonitor").atInfo().addKeyValue("event", "family_stage")
                    .addKeyValue("family", "by-id").log("Family {} is now ready", "by-id");
            context.getLogger("io.warmer.guard.EvictionGuard").warn("Redis is evicting");
            context.getLogger("org.apache.kafka.clients.consumer.ConsumerConfig").info("ConsumerConfig values: ...");
            context.getLogger("org.apache.kafka.clients.NetworkClient").error("Connection refused");
        } finally {
            context.stop();
            System.setErr(stderr);
        }
        return new Output(Files.readAllLines(logs.resolve("warmer.log")), console.toString(StandardCharsets.UTF_8),
                context.getStatusManager().getCopyOfStatusList());
    }

    @Test
    void shouldWriteTodaysTextPatternWhenNoFormatIsChosen() throws Exception {
        Output output = logWith(Map.of());

        assertThat(output.file()).hasSize(4);
        assertThat(output.file().get(0)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} INFO  "
                + "\\[[^]]+] io\\.warmer\\.monitor\\.PipelineMonitor - Family by-id is now ready");
        assertThat(output.console()).isEqualTo("WARN  i.w.g.EvictionGuard - Redis is evicting\n"
                + "ERROR o.a.k.c.NetworkClient - Connection refused\n");
    }

    @Test
    void shouldWriteKeyValueLinesToTheFileAndTheConsoleWhenAskedFor() throws Exception {
        Output output = logWith(Map.of("WARMER_LOG_FORMAT", "kv"));

        assertThat(output.file()).hasSize(4).allSatisfy(line -> assertThat(Logfmt.parse(line)).containsKey("time"));
        assertThat(Logfmt.parse(output.file().get(0))).containsEntry("event", "family_stage")
                .containsEntry("family", "by-id").containsEntry("msg", "Family by-id is now ready");
        assertThat(output.console().lines()).hasSize(2)
                .allSatisfy(line -> assertThat(Logfmt.parse(line)).containsKey("level"));
    }

    @Test
    void shouldPreferTheSystemPropertyToTheEnvironmentVariable() throws Exception {
        Output output = logWith(Map.of("WARMER_LOG_FORMAT", "kv", "warmer.log.format", "json"));

        ObjectMapper json = new ObjectMapper();
        for (String line : output.file()) {
            assertThat(json.readTree(line).path("time").isTextual()).as(line).isTrue();
        }
        assertThat(json.readTree(output.file().get(0)).path("event").asText()).isEqualTo("family_stage");
    }

    @Test
    void shouldSendWarmersInfoEventsToTheConsoleOnlyWhenAskedFor() throws Exception {
        Output output = logWith(Map.of("WARMER_LOG_CONSOLE", "info", "WARMER_LOG_FORMAT", "kv"));

        assertThat(output.console().lines()).extracting(line -> Logfmt.parse(line).get("logger")).containsExactly(
                "io.warmer.monitor.PipelineMonitor", "io.warmer.guard.EvictionGuard",
                "org.apache.kafka.clients.NetworkClient");
    }

    @Test
    void shouldReportAnUnknownFormatAndLogAsText() throws Exception {
        Output output = logWith(Map.of("WARMER_LOG_FORMAT", "xml"));

        assertThat(output.statuses()).filteredOn(s -> s.getLevel() == Status.ERROR).extracting(Status::getMessage)
                .contains("WARMER_LOG_FORMAT: found 'xml', expected one of: text, kv, json; logging as text");
        assertThat(output.file().get(0)).contains(" INFO  [").endsWith("PipelineMonitor - Family by-id is now ready");
    }

    @Test
    void shouldReportAnUnknownConsoleLevelAndKeepWarnings() throws Exception {
        Output output = logWith(Map.of("WARMER_LOG_CONSOLE", "debug"));

        assertThat(output.statuses()).filteredOn(s -> s.getLevel() == Status.ERROR).extracting(Status::getMessage)
                .contains("WARMER_LOG_CONSOLE: found 'debug', expected one of: warn, info; using warn");
        assertThat(output.console()).doesNotContain("Family by-id");
    }

    @Test
    void shouldAcceptTheWireNamesInAnyCaseAndAnEmptyValueAsTheDefault() {
        assertThat(LogFormat.fromWireName("JSON")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.fromWireName(" ")).isEqualTo(LogFormat.DEFAULT);
        assertThat(ConsoleThreshold.parse("INFO")).isEqualTo(ch.qos.logback.classic.Level.INFO);
        assertThatThrownBy(() -> LogFormat.fromWireName("logfmt"))
                .hasMessage("WARMER_LOG_FORMAT: found 'logfmt', expected one of: text, kv, json");
    }
}
