/**
 * The long-lived service: capture and materialization in one process ({@link io.warmer.service.WarmerService}),
 * the roles a process may take ({@link io.warmer.service.Role}) and where a replay stands
 * ({@link io.warmer.service.ReplayProgress}). Kafka Streams settings and its local state stay inside.
 */
package io.warmer.service;
