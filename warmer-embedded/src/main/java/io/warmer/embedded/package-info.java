/**
 * PostgreSQL, a KRaft Kafka broker and redis-server run from local binaries on free ports, for the demo and the
 * tests: {@link io.warmer.embedded.EmbeddedPostgres}, {@link io.warmer.embedded.EmbeddedKafka},
 * {@link io.warmer.embedded.EmbeddedRedis}. Never used by the service.
 */
package io.warmer.embedded;
