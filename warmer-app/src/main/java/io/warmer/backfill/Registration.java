package io.warmer.backfill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChangeCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the registry remembers of one family: which materializer application writes it, whether that application is
 * still filling it from the change topics, and the key patterns to clean it up by after it is removed.
 *
 * @param fingerprint what decides the family's keys and values (see {@link FamilyFingerprint}); a change of it means
 *                    the values in Redis have another shape than the configuration's
 * @param application the Kafka Streams application id (and consumer group) that materializes the family
 * @param state       {@link State#BACKFILLING} until {@code application} has committed past {@code targets}
 * @param targets     topic to the end offset of each partition when the family was added: the backfill's goal
 * @param keyPatterns the family's keys as Redis glob patterns
 * @param sinceMs     when this registration was written
 */
public record Registration(String family, String fingerprint, String application, State state,
                           Map<String, List<Long>> targets, List<String> keyPatterns, long sinceMs) {

    public enum State {
        /** Its own application reads the change topics from their beginning; the family is not ready before. */
        BACKFILLING,
        /** Filled; it follows the change topics like every family. */
        READY;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State ofWire(String text) {
            return valueOf(text.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public Registration {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(state, "state");
        targets = targets == null ? Map.of() : Map.copyOf(targets);
        keyPatterns = keyPatterns == null ? List.of() : List.copyOf(keyPatterns);
    }

    public Registration ready(long nowMs) {
        return new Registration(family, fingerprint, application, State.READY, Map.of(), keyPatterns, nowMs);
    }

    public Registration withFingerprint(String otherFingerprint, List<String> otherPatterns, long nowMs) {
        return new Registration(family, otherFingerprint, application, state, targets, otherPatterns, nowMs);
    }

    /** The backfill's goal as offsets to wait for: the family is filled once its application committed past them. */
    public Map<org.apache.kafka.common.TopicPartition, Long> marks() {
        Map<org.apache.kafka.common.TopicPartition, Long> marks = new LinkedHashMap<>();
        targets.forEach((topic, ends) -> {
            for (int p = 0; p < ends.size(); p++) {
                marks.put(new org.apache.kafka.common.TopicPartition(topic, p), ends.get(p));
            }
        });
        return marks;
    }

    String toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("family", family);
        node.put("fingerprint", fingerprint);
        node.put("application", application);
        node.put("state", state.wire());
        ObjectNode t = node.putObject("targets");
        targets.forEach((topic, ends) -> ends.forEach(t.putArray(topic)::add));
        keyPatterns.forEach(node.putArray("keys")::add);
        node.put("since", sinceMs);
        return RowChangeCodec.writeJson(node);
    }

    /** @throws IllegalArgumentException when the text is not a registration */
    static Registration fromJson(String text) {
        try {
            JsonNode node = RowChangeCodec.json().readTree(text);
            Map<String, List<Long>> targets = new LinkedHashMap<>();
            node.path("targets").fields().forEachRemaining(e -> {
                List<Long> ends = new ArrayList<>();
                e.getValue().forEach(v -> ends.add(v.asLong()));
                targets.put(e.getKey(), ends);
            });
            List<String> keys = new ArrayList<>();
            node.path("keys").forEach(k -> keys.add(k.asText()));
            return new Registration(node.get("family").asText(), node.get("fingerprint").asText(),
                    node.get("application").asText(), State.ofWire(node.get("state").asText()), targets, keys,
                    node.path("since").asLong());
        } catch (Exception e) {
            throw new IllegalArgumentException("not a family registration: " + e.getMessage(), e);
        }
    }
}
