package io.warmer.expression;

/** An expression could not be evaluated for a row (a NULL where text is needed, a result of the wrong kind). */
public final class ExpressionException extends RuntimeException {

    ExpressionException(String message) {
        super(message);
    }
}
