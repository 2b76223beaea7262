package io.warmer.sink;

import io.warmer.family.CacheWrite;

/**
 * Applies cache writes, possibly asynchronously. {@link #awaitAcknowledged()} returns only once the
 * cache has acknowledged every write submitted before it, which is what lets the Kafka offsets that
 * produced them be committed.
 */
public interface CacheWriter extends AutoCloseable {

    /** @param family the key family the write belongs to, for counting */
    void submit(String family, CacheWrite write);

    /**
     * Sends every write submitted so far without waiting for acknowledgements: a write buffered for a
     * pipeline or a script batch must not wait for the next commit when changes arrive slowly.
     */
    void sendPending();

    /** @throws CacheWriteException when a write failed or was not acknowledged in time */
    void awaitAcknowledged();

    @Override
    void close();
}
