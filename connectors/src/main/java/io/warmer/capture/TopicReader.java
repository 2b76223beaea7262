package io.warmer.capture;

import io.warmer.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic, from its beginning to its end at the time of the call, without a consumer
 * group: looking must not commit offsets or join a group the service uses.
 */
public final class TopicReader {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private TopicReader() {
    }

    /**
     * The last record of each partition of a topic, without a consumer group.
     *
     * @return empty when the topic does not exist (yet) or holds nothing
     */
    public static java.util.List<ConsumerRecord<String, String>> readLast(KafkaClients kafka, String topic) {
        java.util.List<ConsumerRecord<String, String>> last = new java.util.ArrayList<>();
        try (var consumer = kafka.consumer(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic, LIMIT);
            if (partitions == null || partitions.isEmpty()) {
                return last;
            }
            for (var partition : partitions) {
                TopicPartition tp = new TopicPartition(partition.topic(), partition.partition());
                consumer.assign(List.of(tp));
                long end = consumer.endOffsets(List.of(tp), LIMIT).get(tp);
                if (end == 0) {
                    continue;
                }
                consumer.seek(tp, end - 1);
                long deadline = System.nanoTime() + LIMIT.toNanos();
                ConsumerRecord<String, String> found = null;
                while (found == null && consumer.position(tp, LIMIT) < end && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                        found = record;
                    }
                }
                if (found != null) {
                    last.add(found);
                }
            }
            return last;
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return last;
        }
    }

    /** @return false when the topic does not exist (yet) */
    public static boolean readAll(KafkaClients kafka, String topic, Consumer<ConsumerRecord<String, String>> each) {
        try (var consumer = kafka.consumer(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic, LIMIT);
            if (partitions == null || partitions.isEmpty()) {
                return false;
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, LIMIT);
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, LIMIT) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read topic " + topic + " to its end within "
                            + LIMIT.toSeconds() + " s; check that " + kafka.where() + " is healthy");
                }
                consumer.poll(POLL).forEach(each);
            }
            return true;
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return false;
        }
    }
}
