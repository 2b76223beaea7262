package io.warmer.sink;

/** Opens one {@link CacheWriter} per sink store (per stream task), so tasks never wait on each other. */
public interface CacheWriterFactory {
    CacheWriter open(String storeName);

    /** Where the writers count what the cache acknowledged, and the topology counts the changes it sets aside. */
    SinkCounters counters();
}
