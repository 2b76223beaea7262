package io.warmer.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import java.util.Optional;

/**
 * Turns Debezium's JSON change envelope (schemas disabled) into a {@link RowChange}. Debezium's
 * envelope carries connector internals we do not want applications of the topics to depend on;
 * ours keeps the row, the operation and a per-row version.
 */
public final class DebeziumEnvelopeTranslator {

    private DebeziumEnvelopeTranslator() {
    }

    /**
     * @return the change, or empty for a tombstone (Debezium's JSON format hands a tombstone over as
     *         the four characters {@code null}, not as a Java null)
     */
    public static Optional<RowChange> translate(String debeziumValue) {
        if (debeziumValue == null || "null".equals(debeziumValue)) {
            return Optional.empty();
        }
        JsonNode envelope;
        try {
            envelope = RowChangeCodec.json().readTree(debeziumValue);
        } catch (JsonProcessingException e) {
            throw new MalformedChangeException("Debezium produced a value that is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode source = envelope.path("source");
        Operation op = Operation.fromCode(envelope.path("op").asText());
        String table = source.path("schema").asText() + "." + source.path("table").asText();
        long version = source.path("lsn").asLong(0);
        long commitTime = source.path("ts_ms").asLong(envelope.path("ts_ms").asLong(0));
        return Optional.of(new RowChange(op, version, commitTime, table,
                objectOrNull(envelope.get("after")), objectOrNull(envelope.get("before"))));
    }

    private static ObjectNode objectOrNull(JsonNode node) {
        return node instanceof ObjectNode object ? object : null;
    }
}
