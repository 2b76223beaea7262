package io.warmer.expression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.primitives.UnsignedLong;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Between a row's JSON (as the capture writes it) and CEL's values. A whole number is an {@code int}, any other
 * number a {@code double} (so {@code numeric} arithmetic is approximate; a column returned as it is keeps its exact
 * text), text a {@code string}, a {@code jsonb} object a map, an array a list, NULL {@code null}. Timestamps are the
 * ISO text the capture sends: {@code timestamp(created_at)} makes one a CEL timestamp.
 */
final class CelValues {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CelValues() {
    }

    static Object toCel(JsonNode node) {
        if (node == null || node.isNull()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(item -> list.add(toCel(item)));
            return list;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> map.put(f.getKey(), toCel(f.getValue())));
            return map;
        }
        return node.asText();
    }

    /** A CEL result as JSON; {@code null} for an absent optional (the field is left out). */
    static JsonNode toJson(Object value) {
        if (value instanceof java.util.Optional<?> optional) {
            return optional.map(CelValues::toJson).orElse(null);
        }
        if (value == null || value instanceof NullValue) {
            return JSON.nullNode();
        }
        if (value instanceof String text) {
            return JSON.textNode(text);
        }
        if (value instanceof Boolean bool) {
            return JSON.booleanNode(bool);
        }
        if (value instanceof Long number) {
            return JSON.numberNode(number);
        }
        if (value instanceof UnsignedLong number) {
            return JSON.numberNode(number.bigIntegerValue());
        }
        if (value instanceof Double number) {
            if (number.isNaN() || number.isInfinite()) {
                throw new ExpressionException("yields " + number + ", which JSON cannot represent");
            }
            return JSON.numberNode(number);
        }
        if (value instanceof Instant instant) {
            return JSON.textNode(instant.toString());
        }
        if (value instanceof Duration duration) {
            return JSON.textNode(duration.getSeconds() + (duration.getNano() == 0 ? "" : "." + String.format("%09d",
                    duration.getNano()).replaceAll("0+$", "")) + "s");
        }
        if (value instanceof CelByteString bytes) {
            return JSON.textNode(Base64.getEncoder().encodeToString(bytes.toByteArray()));
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = JSON.objectNode();
            for (var entry : map.entrySet()) {
                JsonNode item = toJson(entry.getValue());
                if (item != null) {
                    object.set(String.valueOf(entry.getKey()), item);
                }
            }
            return object;
        }
        if (value instanceof Iterable<?> items) {
            ArrayNode array = JSON.arrayNode();
            for (Object item : items) {
                JsonNode json = toJson(item);
                if (json != null) {
                    array.add(json);
                }
            }
            return array;
        }
        throw new ExpressionException("yields a " + value.getClass().getSimpleName() + ", which a cache value cannot hold");
    }

    /** The CEL name of a result's kind, for messages. */
    static String kindOf(Object value) {
        if (value == null || value instanceof NullValue) {
            return "null";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Long) {
            return "int";
        }
        if (value instanceof Double) {
            return "double";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Map<?, ?>) {
            return "map";
        }
        if (value instanceof Iterable<?>) {
            return "list";
        }
        if (value instanceof Instant) {
            return "timestamp";
        }
        if (value instanceof Duration) {
            return "duration";
        }
        return value.getClass().getSimpleName();
    }
}
