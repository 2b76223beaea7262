/**
 * Internal: how the cache sink plugs into Kafka Streams' internal {@code CachedStateStore} hook, and the start-up
 * check of the kafka-streams version it was verified against. Free to change with any Kafka upgrade; only
 * {@code io.warmer.sink} uses it (an ArchUnit rule holds every other package to {@link io.warmer.sink.CacheSink}).
 */
package io.warmer.sink.internal;
