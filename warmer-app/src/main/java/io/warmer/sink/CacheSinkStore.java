package io.warmer.sink;

import io.warmer.family.CacheWrite;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * The cache, seen by Kafka Streams as a state store. Streams flushes a task's stores before it
 * commits the task's offsets, and {@link #flush()} returns only when the cache acknowledged every
 * write: so an offset is never committed ahead of the writes it produced. A crash may repeat writes;
 * it never loses one.
 */
public final class CacheSinkStore implements StateStore {

    private final String name;
    private final CacheWriterFactory writers;
    private CacheWriter writer;
    private volatile boolean open;

    CacheSinkStore(String name, CacheWriterFactory writers) {
        this.name = name;
        this.writers = writers;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        writer = writers.open(name);
        // Nothing to restore: the cache itself is the state, and Kafka is its source of truth.
        context.register(root, (key, value) -> { });
        open = true;
    }

    public void write(List<CacheWrite> writes) {
        for (CacheWrite write : writes) {
            writer.submit(write);
        }
    }

    @Override
    public void flush() {
        if (writer != null) {
            writer.awaitAcknowledged();
        }
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        flush();
    }

    @Override
    public void close() {
        open = false;
        if (writer != null) {
            writer.close();
        }
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
