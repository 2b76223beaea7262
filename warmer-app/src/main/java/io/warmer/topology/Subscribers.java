package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChangeCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The main rows that asked a lookup or match stage for what they point at ({@code subject}: a joined row's key, or
 * the values a match finds its rows by), kept as {@code subject NUL mainKey} so that one prefix scan finds them all;
 * and the subscription records the assembler sends. A subscription carries the id of the main row's request
 * ({@code asked}), which the answer repeats: the assembler takes only the answer to its current request, so that an
 * answer to one it made before pointing elsewhere and back never stands for the row as it is now.
 */
final class Subscribers {

    /** Between the subject and the main key, and the subject and a joined row's key: JSON text never holds NUL. */
    static final char SEPARATOR = '\u0000';
    private static final StringSerializer KEYS = new StringSerializer();

    /** A main row starts ({@code subscribe}) or stops pointing at the subject its record is keyed by. */
    record Request(String mainKey, boolean subscribe, String asked) {

        String toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("main", mainKey);
            node.put("subscribe", subscribe);
            if (asked != null) {
                node.put("asked", asked);
            }
            return RowChangeCodec.writeJson(node);
        }

        static Request parse(String json) throws JsonProcessingException {
            JsonNode node = RowChangeCodec.json().readTree(json);
            if (!node.path("main").isTextual()) {
                throw new JsonProcessingException("no main key in " + json) {
                };
            }
            return new Request(node.get("main").asText(), node.path("subscribe").asBoolean(),
                    node.path("asked").asText(null));
        }
    }

    private final KeyValueStore<String, String> store;

    Subscribers(KeyValueStore<String, String> store) {
        this.store = store;
    }

    /** Records the request; returns whether it subscribes (and so wants its answer). */
    boolean apply(String subject, Request request) {
        String entry = subject + SEPARATOR + request.mainKey();
        if (request.subscribe()) {
            store.put(entry, "");
        } else {
            store.delete(entry);
        }
        return request.subscribe();
    }

    /** The main keys subscribed to {@code subject}. */
    List<String> of(String subject) {
        return suffixesAfter(store, subject);
    }

    /** What follows {@code subject NUL} in the keys of {@code store} that start with it. */
    static List<String> suffixesAfter(KeyValueStore<String, String> store, String subject) {
        String prefix = subject + SEPARATOR;
        List<String> suffixes = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = store.prefixScan(prefix, KEYS)) {
            while (entries.hasNext()) {
                suffixes.add(entries.next().key.substring(prefix.length()));
            }
        }
        return suffixes;
    }
}
