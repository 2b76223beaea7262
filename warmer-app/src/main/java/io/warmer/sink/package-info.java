/**
 * Kafka Streams into Redis: the cache as a state store ({@link io.warmer.sink.CacheSink}, built by {@link
 * io.warmer.sink.CacheSinkStoreBuilder}), pipelined and fenced writes ({@link io.warmer.sink.CacheWriter}, {@link
 * io.warmer.sink.FencedWrites}) and the write counters. The Kafka Streams internals it needs live in {@code internal}.
 */
package io.warmer.sink;
