/**
 * The Kafka Streams topology, one pure function of the configuration ({@link io.warmer.topology.WarmerTopology#build}):
 * materializing rows, routing and assembling joins, dead letters, and what a rebuild may write
 * ({@link io.warmer.topology.History}).
 */
package io.warmer.topology;
