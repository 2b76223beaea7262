package io.warmer.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What Debezium puts where PostgreSQL did not send a value: an unchanged TOASTed column of an update under the
 * default REPLICA IDENTITY. Debezium writes its placeholder there, in a form that depends on the column's type (the
 * text, its bytes, a list of it or of its bytes, a UUID made from it); the capture recognises each and leaves the
 * column out of the change, naming it in {@code unavailable}, so that no value is ever written with the placeholder
 * in it.
 */
final class UnavailableValues {

    /** Debezium's {@code unavailable.value.placeholder}, set to this for Warmer's own capture: no one's data holds it. */
    static final String PLACEHOLDER = "__warmer_unavailable_toast_4f9c2e";
    /** Debezium's default placeholder, which a deployment of its own writes unless configured otherwise. */
    static final String DEBEZIUM_DEFAULT = "__debezium_unavailable_value";
    /** The placeholder of Warmer's own capture. */
    static final UnavailableValues WARMER = new UnavailableValues(PLACEHOLDER);

    private final String placeholder;
    private final byte[] bytes;
    private final String base64;
    private final String uuidForm;
    private final List<Integer> asInts = new ArrayList<>();
    private final List<Long> asLongs = new ArrayList<>();

    UnavailableValues(String placeholder) {
        this.placeholder = placeholder;
        this.bytes = placeholder.getBytes(StandardCharsets.UTF_8);
        this.base64 = Base64.getEncoder().encodeToString(bytes);
        this.uuidForm = UUID.nameUUIDFromBytes(bytes).toString();
        for (byte b : bytes) {
            asInts.add((int) b);
            asLongs.add((long) b);
        }
    }

    boolean isPlaceholder(Object value) {
        if (value instanceof String text) {
            return text.equals(placeholder) || text.equals(base64);
        }
        if (value instanceof byte[] raw) {
            return Arrays.equals(raw, bytes);
        }
        if (value instanceof ByteBuffer buffer) {
            return buffer.remaining() == bytes.length && ByteBuffer.wrap(bytes).equals(buffer.duplicate());
        }
        if (value instanceof List<?> list) {
            if (list.size() == 1) {
                Object only = list.get(0);
                return placeholder.equals(only) || uuidForm.equals(only) || base64.equals(only)
                        || (only instanceof byte[] || only instanceof ByteBuffer) && isPlaceholder(only);
            }
            return list.equals(asInts) || list.equals(asLongs);
        }
        if (value instanceof Map<?, ?> map) {
            return map.size() == 1 && placeholder.equals(map.get(placeholder));
        }
        return false;
    }
}
