package io.warmer.sink;

/**
 * Writes were not acknowledged by the cache. The stream task fails before committing its offsets,
 * so the writes are retried from Kafka rather than lost.
 */
public class CacheWriteException extends RuntimeException {
    public CacheWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
