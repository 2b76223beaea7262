package io.warmer.sink;

/** Opens one {@link CacheWriter} per sink store (per stream task), so tasks never wait on each other. */
@FunctionalInterface
public interface CacheWriterFactory {
    CacheWriter open(String storeName);
}
