package io.warmer.family;

/** A row that a family cannot turn into cache entries; the change goes to the dead-letter topic. */
public class UnrenderableRowException extends RuntimeException {
    public UnrenderableRowException(String message) {
        super(message);
    }
}
