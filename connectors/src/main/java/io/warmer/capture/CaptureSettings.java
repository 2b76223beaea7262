package io.warmer.capture;

import io.warmer.capture.snapshot.SnapshotSettings;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.kafka.KafkaClients;
import java.util.List;
import java.util.Objects;

/**
 * Everything the capture needs: where the rows come from and where their changes go.
 *
 * @param kafka             where change topics, offsets and snapshot progress go, and how to connect
 * @param slotName          the logical replication slot; one capture process holds it at a time
 * @param publicationName   the publication, created filtered to {@code tables} when absent
 * @param topicPrefix       change topics are {@code <prefix>.<schema>.<table>}
 * @param partitions        partitions of each change topic created by the capture
 * @param replicationFactor replication factor of the topics created by the capture
 * @param timestamps        how timestamp columns are written into values
 * @param snapshot          how tables are snapshotted
 */
public record CaptureSettings(
        PostgresEndpoint postgres,
        List<TableId> tables,
        String slotName,
        String publicationName,
        KafkaClients kafka,
        String topicPrefix,
        int partitions,
        short replicationFactor,
        TimestampFormat timestamps,
        SnapshotSettings snapshot) {

    public CaptureSettings {
        Objects.requireNonNull(postgres, "postgres");
        tables = List.copyOf(tables);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("at least one table must be captured");
        }
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(publicationName, "publicationName");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        timestamps = timestamps == null ? TimestampFormat.ISO_8601 : timestamps;
        snapshot = snapshot == null ? SnapshotSettings.DEFAULTS : snapshot;
    }

    public String topicFor(TableId table) {
        return ChangeTopics.topicFor(topicPrefix, table);
    }

    public String offsetTopic() {
        return ChangeTopics.offsetTopic(topicPrefix);
    }

    public String snapshotTopic() {
        return ChangeTopics.snapshotTopic(topicPrefix);
    }
}
