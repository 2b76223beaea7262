package io.warmer.config;

/**
 * Thrown by a config record's constructor: which of its fields is wrong, and how. The loader adds
 * the path of the record in the document.
 */
public class InvalidFieldException extends IllegalArgumentException {

    private final String field;

    public InvalidFieldException(String field, String problem) {
        super(problem);
        this.field = field;
    }

    public String field() {
        return field;
    }

    static InvalidFieldException missing(String field, String example) {
        return new InvalidFieldException(field, "is required, e.g. " + example);
    }

    static <T> T require(T value, String field, String example) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw missing(field, example);
        }
        return value;
    }
}
