package io.warmer.change;

/** A record on a change topic that cannot be understood; it belongs on the dead-letter topic. */
public class MalformedChangeException extends RuntimeException {
    public MalformedChangeException(String message) {
        super(message);
    }

    public MalformedChangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
