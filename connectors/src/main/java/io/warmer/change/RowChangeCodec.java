package io.warmer.change;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads and writes change-topic records: keys are JSON objects of the primary key, values {@link RowChange}. */
public final class RowChangeCodec {

    /** Decimals stay exact end to end: parsed as BigDecimal with their scale, written without exponent. */
    private static final ObjectMapper JSON = exact(JsonMapper.builder());
    /** The same, for texts whose field names hardly repeat: see {@link #manyNamesJson}. */
    private static final ObjectMapper MANY_NAMES = exact(JsonMapper.builder(
            JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build()));

    private RowChangeCodec() {
    }

    private static ObjectMapper exact(JsonMapper.Builder builder) {
        return builder.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true)
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .build();
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /**
     * As {@link #json()}, for texts whose field names are data, such as a join's state keyed by the joined rows' keys.
     * Jackson keeps every field name it reads in a shared table, so that names repeated across records are one string;
     * names that never repeat only fill that table and make it grow and rehash (7% of a joined warm-up's CPU).
     */
    public static ObjectMapper manyNamesJson() {
        return MANY_NAMES;
    }

    /** A row or value as compact JSON, decimals exact. */
    public static String writeJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /** @throws MalformedChangeException when the text is not a change record */
    public static RowChange read(String value) {
        try {
            return JSON.readValue(value, RowChange.class);
        } catch (JsonProcessingException e) {
            throw new MalformedChangeException("not a change record: " + e.getOriginalMessage(), e);
        }
    }

    /** @throws MalformedChangeException when the text is not a JSON object */
    public static ObjectNode readKey(String key) {
        if (key == null) {
            throw new MalformedChangeException("the record has no key (expected the primary key as a JSON object)");
        }
        try {
            if (JSON.readTree(key) instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            throw new MalformedChangeException("the key is not JSON: " + e.getOriginalMessage(), e);
        }
        throw new MalformedChangeException("the key is not a JSON object: " + key);
    }
}
