package io.warmer.capture.snapshot;

import io.warmer.capture.TopicReader;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.kafka.KafkaClients;
import java.util.LinkedHashMap;
import java.util.Map;

/** Each table's latest snapshot progress on {@code <prefix>.snapshots}, as any process can read it. */
public final class SnapshotProgressReader {

    private SnapshotProgressReader() {
    }

    /** @return empty when the topic does not exist yet (the capture never ran) */
    public static Map<TableId, SnapshotProgress> read(KafkaClients kafka, String topicPrefix) {
        Map<TableId, SnapshotProgress> latest = new LinkedHashMap<>();
        TopicReader.readAll(kafka, ChangeTopics.snapshotTopic(topicPrefix), record -> {
            if (record.value() == null) {
                return;
            }
            SnapshotProgress progress;
            try {
                progress = SnapshotProgress.fromJson(record.value());
            } catch (IllegalArgumentException e) {
                return; // not ours to show
            }
            SnapshotProgress before = latest.get(progress.tableId());
            // A request replayed after its snapshot's own records says nothing newer.
            if (before == null || progress.state() != SnapshotProgress.State.REQUESTED
                    || !progress.snapshot().equals(before.snapshot())) {
                latest.put(progress.tableId(), progress);
            }
        });
        return latest;
    }
}
