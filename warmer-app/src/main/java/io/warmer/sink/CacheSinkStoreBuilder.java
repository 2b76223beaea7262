package io.warmer.sink;

import java.util.Map;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds {@link CacheSinkStore}s; they have no changelog and no caching, since the cache is the state. */
public final class CacheSinkStoreBuilder implements StoreBuilder<CacheSinkStore> {

    private final String name;
    private final CacheWriterFactory writers;

    public CacheSinkStoreBuilder(String name, CacheWriterFactory writers) {
        this.name = name;
        this.writers = writers;
    }

    @Override
    public StoreBuilder<CacheSinkStore> withCachingEnabled() {
        throw new UnsupportedOperationException("the cache sink store has no record cache");
    }

    @Override
    public StoreBuilder<CacheSinkStore> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<CacheSinkStore> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("the cache sink store has no changelog");
    }

    @Override
    public StoreBuilder<CacheSinkStore> withLoggingDisabled() {
        return this;
    }

    @Override
    public CacheSinkStore build() {
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
