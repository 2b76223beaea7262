package io.warmer.sink.internal;

import io.warmer.family.CacheWrite;
import io.warmer.sink.CacheSink;
import io.warmer.sink.CacheWriter;
import io.warmer.sink.CacheWriterFactory;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The cache, seen by Kafka Streams as a state store, so that an offset is never committed ahead of
 * the writes it produced: a crash may repeat writes; it never loses one.
 *
 * <p>Why {@link CachedStateStore}, an internal interface: in Kafka Streams 4.3 the only store hook
 * that runs <em>before</em> a task's offsets are committed is {@code flushCache()} of caching stores;
 * the public {@code flush()}/{@code commit()} run after the offsets are committed (post-commit
 * checkpoint). {@code flushCache()} returns only when Redis acknowledged every write, or throws, which
 * fails the task before its commit. {@code WarmPathIT#shouldLoseNothingWhenRedisStallsLongerThanTheWriteTimeout}
 * guards this against a Kafka upgrade that moves the hook, and {@link StreamsInternals#check()} names the version
 * it was verified against at start-up.
 */
public final class CacheSinkStore implements CacheSink, CachedStateStore<String, String> {

    private final String name;
    private final CacheWriterFactory writers;
    private CacheWriter writer;
    private volatile boolean open;

    public CacheSinkStore(String name, CacheWriterFactory writers) {
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

    @Override
    public void write(String family, List<CacheWrite> writes) {
        for (CacheWrite write : writes) {
            writer.submit(family, write);
        }
    }

    @Override
    public void sendPending() {
        if (writer != null) {
            writer.sendPending();
        }
    }

    @Override
    public void flushCache() {
        flush();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, String> listener, boolean sendOldValues) {
        return false; // nothing downstream listens: the cache is the end of the line
    }

    @Override
    public void clearCache() {
        // A dirty close: the task's uncommitted records will be processed again, and the writes with them.
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
