package io.warmer.capture.snapshot;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresCapture;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.kafka.KafkaClients;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Asks the capture that runs for a topic prefix to snapshot tables again, on {@code <prefix>.snapshots}. The capture
 * takes the request when it starts, or at once when it runs; whichever process captures does the work.
 */
public final class SnapshotRequests {

    private SnapshotRequests() {
    }

    /** @return each table's new snapshot id, to recognise its progress by ({@link SnapshotProgressReader}) */
    public static Map<TableId, String> ask(KafkaClients kafka, String topicPrefix, short replicationFactor,
                                           Collection<TableId> tables) throws InterruptedException {
        String topic = ChangeTopics.snapshotTopic(topicPrefix);
        ChangeTopicProvisioner.ensureTopics(kafka, List.of(ChangeTopicProvisioner.compacted(topic, 1,
                replicationFactor)));
        Map<TableId, String> requested = new LinkedHashMap<>();
        try (var producer = PostgresCapture.producer(kafka)) {
            for (TableId table : tables) {
                String id = UUID.randomUUID().toString();
                producer.send(new ProducerRecord<>(topic, table.qualified(),
                        SnapshotProgress.request(table, id, System.currentTimeMillis()).toJson())).get();
                requested.put(table, id);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not ask for a snapshot of " + tables + " on " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        return requested;
    }
}
