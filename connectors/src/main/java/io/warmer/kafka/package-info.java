/**
 * How the process reaches Kafka: {@link io.warmer.kafka.KafkaClients} (the bootstrap servers, security and extra
 * client properties, resolved once; the one place that creates producers, consumers and admin clients) and
 * {@link io.warmer.kafka.KafkaRefusal} (a cluster that refused Warmer's credentials, certificate or permissions,
 * worded as one line).
 */
package io.warmer.kafka;
