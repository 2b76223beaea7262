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

    /** Debezium's {@code unavailable.value.placeholder}, set to this: not a value anyone's data holds. */
    static final String PLACEHOLDER = "__warmer_unavailable_toast_4f9c2e";

    private static final byte[] BYTES = PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
    private static final String BASE64 = Base64.getEncoder().encodeToString(BYTES);
    private static final String UUID_FORM = UUID.nameUUIDFromBytes(BYTES).toString();
    private static final List<Integer> AS_INTS = new ArrayList<>();
    private static final List<Long> AS_LONGS = new ArrayList<>();

    static {
        for (byte b : BYTES) {
            AS_INTS.add((int) b);
            AS_LONGS.add((long) b);
        }
    }

    private UnavailableValues() {
    }

    static boolean isPlaceholder(Object value) {
        if (value instanceof String text) {
            return text.equals(PLACEHOLDER) || text.equals(BASE64);
        }
        if (value instanceof byte[] bytes) {
            return Arrays.equals(bytes, BYTES);
        }
        if (value instanceof ByteBuffer buffer) {
            return buffer.remaining() == BYTES.length && ByteBuffer.wrap(BYTES).equals(buffer.duplicate());
        }
        if (value instanceof List<?> list) {
            if (list.size() == 1) {
                Object only = list.get(0);
                return PLACEHOLDER.equals(only) || UUID_FORM.equals(only) || BASE64.equals(only)
                        || (only instanceof byte[] || only instanceof ByteBuffer) && isPlaceholder(only);
            }
            return list.equals(AS_INTS) || list.equals(AS_LONGS);
        }
        if (value instanceof Map<?, ?> map) {
            return map.size() == 1 && PLACEHOLDER.equals(map.get(PLACEHOLDER));
        }
        return false;
    }
}
