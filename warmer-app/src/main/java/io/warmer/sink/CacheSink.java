package io.warmer.sink;

import io.warmer.family.CacheWrite;
import java.util.List;
import org.apache.kafka.streams.processor.StateStore;

/**
 * The cache as a stream task sees it: a state store its processors hand writes to. Kafka Streams flushes it before
 * it commits the task's offsets, and the flush returns only once Redis acknowledged every write (or fails the task),
 * so an offset is never committed ahead of the writes it produced. Built by {@link CacheSinkStoreBuilder}.
 */
public interface CacheSink extends StateStore {

    /** Buffers a row's writes; they are sent every {@code redis.pipeline} writes, and at the latest on a flush. */
    void write(String family, List<CacheWrite> writes);

    /** Sends the buffered writes to the cache now, without waiting for acknowledgements. */
    void sendPending();
}
