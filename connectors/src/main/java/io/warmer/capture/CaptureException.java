package io.warmer.capture;

/** The capture cannot start or go on; the message says what to check, for a person to read. */
public class CaptureException extends RuntimeException {
    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
