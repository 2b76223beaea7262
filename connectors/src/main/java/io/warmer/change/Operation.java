package io.warmer.change;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What happened to a row, with the one-letter wire names Debezium also uses. */
public enum Operation {
    /** The row was read by the initial snapshot. */
    SNAPSHOT("r"),
    /** The row was inserted. */
    INSERT("c"),
    /** The row was updated. */
    UPDATE("u"),
    /** The row was deleted; {@link RowChange#row()} is absent. */
    DELETE("d");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    @JsonValue
    public String code() {
        return code;
    }

    @JsonCreator
    public static Operation fromCode(String code) {
        for (Operation op : values()) {
            if (op.code.equals(code)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + code + "', expected one of r, c, u, d");
    }
}
