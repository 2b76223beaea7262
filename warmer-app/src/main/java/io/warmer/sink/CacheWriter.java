package io.warmer.sink;

import io.warmer.family.CacheWrite;

/**
 * Applies cache writes, possibly asynchronously. {@link #awaitAcknowledged()} returns only once the
 * cache has acknowledged every write submitted before it, which is what lets the Kafka offsets that
 * produced them be committed.
 */
public interface CacheWriter extends AutoCloseable {

    void submit(CacheWrite write);

    /** @throws CacheWriteException when a write failed or was not acknowledged in time */
    void awaitAcknowledged();

    @Override
    void close();
}
