package io.warmer.migrate;

/** A {@code --from} or {@code --to} that {@link KeyMapping} cannot use; the message says what was found and expected. */
public final class InvalidKeyMappingException extends IllegalArgumentException {

    private final KeyMapping.Part part;

    public InvalidKeyMappingException(KeyMapping.Part part, String message) {
        super(message);
        this.part = part;
    }

    /** The pattern or template the message is about. */
    public KeyMapping.Part part() {
        return part;
    }
}
