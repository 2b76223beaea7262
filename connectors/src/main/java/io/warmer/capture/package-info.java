/**
 * PostgreSQL into Kafka: embedded Debezium reading a logical replication slot, one change topic per table.
 * Exposes {@link io.warmer.capture.PostgresCapture} (one capture and its lifecycle, {@link io.warmer.capture.CaptureState}),
 * {@link io.warmer.capture.CaptureElection} (which process holds the slot, the others standing by), the preflight
 * checks of the database ({@link io.warmer.capture.PostgresPreflight}), the table schemas and the topic helpers.
 */
package io.warmer.capture;
