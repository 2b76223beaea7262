package io.warmer.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyValueEncoderTest {

    private final KeyValueEncoder encoder = new KeyValueEncoder();

    private String encode(LoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteTheStandardFieldsThenTheKeyValuePairsOnOneLine() {
        String line = encode(LogEvents.familyStage());

        assertThat(line).isEqualTo("time=2026-11-26T20:00:00.123Z level=INFO logger=io.warmer.monitor.PipelineMonitor"
                + " thread=warmer-monitor-check msg=\"Family by-id is now ready (was streaming)\" event=family_stage"
                + " family=by-id from=streaming to=ready lag=0 coverage=1.0\n");
    }

    @Test
    void shouldWriteTheReadmesExampleAndDefaults() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        LoggingEvent event = LogEvents.withPairs(LogEvents.event(Level.INFO, "Family {} is now {} (was {})", null,
                "user-profile-v2", "ready", "streaming"), pairs("event", "family_stage", "family", "user-profile-v2",
                "from", "streaming", "to", "ready", "lag", 0L, "coverage", 1.0));

        assertThat(readme).contains("\n" + encode(event));
        assertThat(readme).contains("| `WARMER_LOG_FORMAT` | `" + LogFormat.DEFAULT.wireName() + "` (default)",
                "| `WARMER_LOG_CONSOLE` | `" + ConsoleThreshold.DEFAULT.levelStr.toLowerCase(Locale.ROOT) + "` (default)");
    }

    private static Map<String, Object> pairs(Object... keysAndValues) {
        Map<String, Object> pairs = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            pairs.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return pairs;
    }

    @Test
    void shouldQuoteAndEscapeValuesThatWouldOtherwiseBreakTheLine() {
        Map<String, Object> pairs = new LinkedHashMap<>();
        pairs.put("space", "two words");
        pairs.put("quote", "say \"hi\"");
        pairs.put("equals", "a=b");
        pairs.put("newline", "one\ntwo\r\n");
        pairs.put("backslash", "C:\\temp");
        pairs.put("tab", "a\tb");
        pairs.put("bell", "\u0007");
        pairs.put("separator", "a\u2028b");
        pairs.put("empty", "");
        pairs.put("nothing", null);
        pairs.put("word-null", "null");
        pairs.put("plain", "ready");

        String line = encode(LogEvents.withPairs(LogEvents.event(Level.INFO, "multi\nline \"message\"", null), pairs));

        assertThat(line).endsWith("\n").doesNotContain("\r").hasLineCount(1)
                .contains(" space=\"two words\" quote=\"say \\\"hi\\\"\" equals=\"a=b\" newline=\"one\\ntwo\\r\\n\""
                        + " backslash=\"C:\\\\temp\" tab=\"a\\tb\" bell=\"\\u0007\" separator=\"a\\u2028b\" empty=\"\""
                        + " nothing=null word-null=\"null\" plain=ready");
        Map<String, String> read = Logfmt.parse(line.stripTrailing());
        assertThat(read).containsEntry("msg", "multi\nline \"message\"");
        pairs.forEach((key, value) -> assertThat(read).containsEntry(key, value == null ? null : value.toString()));
    }

    @Test
    void shouldWriteAnExceptionAsErrorAndItsStackEscapedOntoTheSameLine() {
        IllegalStateException thrown = new IllegalStateException("Redis said \"no\"",
                new java.io.IOException("connection reset"));

        String line = encode(LogEvents.event(Level.WARN, "Write failed", thrown));

        assertThat(line).hasLineCount(1);
        Map<String, String> read = Logfmt.parse(line.stripTrailing());
        assertThat(read.get("error")).isEqualTo("java.lang.IllegalStateException: Redis said \"no\"");
        assertThat(read.get("stack"))
                .startsWith("java.lang.IllegalStateException: Redis said \"no\"\n\tat io.warmer.logging.KeyValueEncoderTest")
                .contains("\nCaused by: java.io.IOException: connection reset");
        assertThat(read.keySet()).containsExactly("time", "level", "logger", "thread", "msg", "error", "stack");
    }

    @Test
    void shouldRenameAPairWhoseKeyAStandardFieldUsesAndMakeKeysSafe() {
        Map<String, Object> pairs = new LinkedHashMap<>();
        pairs.put("level", "high");
        pairs.put("msg", "shadow");
        pairs.put("odd key=1", 1);

        Map<String, String> read = Logfmt.parse(encode(LogEvents.withPairs(
                LogEvents.event(Level.ERROR, "m", null), pairs)).stripTrailing());

        assertThat(read).containsEntry("level", "ERROR").containsEntry("kv_level", "high")
                .containsEntry("msg", "m").containsEntry("kv_msg", "shadow").containsEntry("odd_key_1", "1");
    }

    @Test
    void shouldAddTheMdcAfterThePairs() {
        LoggingEvent event = LogEvents.withPairs(LogEvents.event(Level.INFO, "m", null), Map.of("event", "x"));
        event.setMDCPropertyMap(Map.of("dbz.connectorName", "warmer", "event", "from-mdc"));

        Map<String, String> read = Logfmt.parse(encode(event).stripTrailing());

        assertThat(read).containsEntry("event", "x").containsEntry("dbz.connectorName", "warmer");
    }

    @Test
    void shouldKeepPlainValuesUnquoted() {
        assertThat(KeyValueEncoder.needsQuotes("family_stage")).isFalse();
        assertThat(KeyValueEncoder.needsQuotes("127.0.0.1:6379")).isFalse();
        assertThat(KeyValueEncoder.needsQuotes("kafka-producer-network-thread | p")).isTrue();
    }
}
