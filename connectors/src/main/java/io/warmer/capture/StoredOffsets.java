package io.warmer.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.warmer.change.ChangeTopics;
import io.warmer.change.RowChangeCodec;
import io.warmer.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * How far the capture has come, as the offsets it stored in Kafka say: what a process that does not capture can
 * know of it. The engine stores offsets about once a second.
 */
public final class StoredOffsets {

    private StoredOffsets() {
    }

    /**
     * A WAL position below which every committed change has been delivered to Kafka, by the stored offset; -1 when
     * the capture stored none.
     */
    public static long position(KafkaClients kafka, String topicPrefix) {
        long position = -1;
        for (ConsumerRecord<String, String> record : TopicReader.readLast(kafka,
                ChangeTopics.offsetTopic(topicPrefix))) {
            position = Math.max(position, positionOf(record.value()));
        }
        return position;
    }

    /** Debezium's stored PostgreSQL offset: {@code lsn} (the last event processed) and {@code lsn_commit}. */
    static long positionOf(String offset) {
        if (offset == null) {
            return -1;
        }
        try {
            JsonNode node = RowChangeCodec.json().readTree(offset);
            return Math.max(node.path("lsn").asLong(-1), node.path("lsn_commit").asLong(-1));
        } catch (JsonProcessingException e) {
            return -1;
        }
    }
}
