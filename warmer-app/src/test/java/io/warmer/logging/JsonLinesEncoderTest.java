package io.warmer.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLinesEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonLinesEncoder encoder = new JsonLinesEncoder();

    private String encode(LoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteOneObjectWithTheKeyValuePairsAsTopLevelFields() throws Exception {
        String line = encode(LogEvents.familyStage());

        assertThat(line).isEqualTo("{\"time\":\"2026-11-26T20:00:00.123Z\",\"level\":\"INFO\","
                + "\"logger\":\"io.warmer.monitor.PipelineMonitor\",\"thread\":\"warmer-monitor-check\","
                + "\"message\":\"Family by-id is now ready (was streaming)\",\"event\":\"family_stage\","
                + "\"family\":\"by-id\",\"from\":\"streaming\",\"to\":\"ready\",\"lag\":0,\"coverage\":1.0}\n");
    }

    @Test
    void shouldKeepNumbersAndBooleansAsJsonTypesAndWriteOtherValuesAsText() throws Exception {
        Map<String, Object> pairs = new LinkedHashMap<>();
        pairs.put("count", 42);
        pairs.put("ratio", 0.25f);
        pairs.put("exact", new BigDecimal("1.50"));
        pairs.put("flag", true);
        pairs.put("missing", null);
        pairs.put("nan", Double.NaN);
        pairs.put("list", List.of("a", "b"));

        JsonNode read = JSON.readTree(encode(LogEvents.withPairs(LogEvents.event(Level.INFO, "m", null), pairs)));

        assertThat(read.get("count").isIntegralNumber()).isTrue();
        assertThat(read.get("count").asLong()).isEqualTo(42);
        assertThat(read.get("ratio").asDouble()).isEqualTo(0.25);
        assertThat(read.get("exact").decimalValue()).isEqualByComparingTo("1.50");
        assertThat(read.get("flag").isBoolean()).isTrue();
        assertThat(read.get("missing").isNull()).isTrue();
        assertThat(read.get("nan").asText()).isEqualTo("NaN");
        assertThat(read.get("list").asText()).isEqualTo("[a, b]");
    }

    @Test
    void shouldEscapeLineBreaksSoThatAnEventStaysOnOneLine() throws Exception {
        String line = encode(LogEvents.withPairs(LogEvents.event(Level.INFO, "one\ntwo \"quoted\"\u0007", null),
                Map.of("path", "C:\\temp\r\n")));

        assertThat(line).hasLineCount(1).endsWith("}\n").doesNotContain("\r");
        JsonNode read = JSON.readTree(line);
        assertThat(read.get("message").asText()).isEqualTo("one\ntwo \"quoted\"\u0007");
        assertThat(read.get("path").asText()).isEqualTo("C:\\temp\r\n");
    }

    @Test
    void shouldWriteAnExceptionAsErrorAndStack() throws Exception {
        RuntimeException thrown = new RuntimeException("outer", new IllegalArgumentException("inner"));

        String line = encode(LogEvents.event(Level.ERROR, "Write failed", thrown));

        assertThat(line).hasLineCount(1);
        JsonNode read = JSON.readTree(line);
        assertThat(read.get("error").asText()).isEqualTo("java.lang.RuntimeException: outer");
        assertThat(read.get("stack").asText()).startsWith("java.lang.RuntimeException: outer\n\tat ")
                .contains("Caused by: java.lang.IllegalArgumentException: inner");
    }

    @Test
    void shouldRenameAPairWhoseKeyAStandardFieldUses() throws Exception {
        JsonNode read = JSON.readTree(encode(LogEvents.withPairs(LogEvents.event(Level.INFO, "m", null),
                Map.of("message", "shadow"))));

        assertThat(read.get("message").asText()).isEqualTo("m");
        assertThat(read.get("kv_message").asText()).isEqualTo("shadow");
    }
}
