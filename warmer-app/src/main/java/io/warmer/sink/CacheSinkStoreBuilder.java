package io.warmer.sink;

import io.warmer.sink.internal.CacheSinkStore;
import io.warmer.sink.internal.StreamsInternals;
import java.util.Map;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds {@link CacheSink}s; they have no changelog and no caching, since the cache is the state. */
public final class CacheSinkStoreBuilder implements StoreBuilder<CacheSink> {

    private final String name;
    private final CacheWriterFactory writers;

    public CacheSinkStoreBuilder(String name, CacheWriterFactory writers) {
        StreamsInternals.check();
        this.name = name;
        this.writers = writers;
    }

    @Override
    public StoreBuilder<CacheSink> withCachingEnabled() {
        throw new UnsupportedOperationException("the cache sink store has no record cache");
    }

    @Override
    public StoreBuilder<CacheSink> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<CacheSink> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("the cache sink store has no changelog");
    }

    @Override
    public StoreBuilder<CacheSink> withLoggingDisabled() {
        return this;
    }

    @Override
    public CacheSink build() {
        return new CacheSinkStore(name, writers);
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
        return false;
    }

    @Override
    public String name() {
        return name;
    }
}
