package io.warmer.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** {@code families[].value}: the shape of what an application reads under a family's key. */
public enum ValueFormat {
    /** A JSON object of the selected (or renamed, nested) columns: the default. */
    JSON("json"),
    /** One column as a plain string. */
    STRING("string"),
    /** A Redis hash with one field per column. */
    HASH("hash"),
    /** A Redis set per key: each row is one member of the key its row renders (an index of ids per group). */
    SET("set"),
    /** A Redis sorted set per key: each row one member, scored by a column or expression. */
    SORTED_SET("sorted-set");

    private final String wireName;

    ValueFormat(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static ValueFormat fromWireName(String text) {
        for (ValueFormat format : values()) {
            if (format.wireName.equals(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("found '" + text + "', expected one of: "
                + Arrays.stream(values()).map(ValueFormat::wireName).collect(Collectors.joining(", ")));
    }
}
