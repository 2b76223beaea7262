package io.warmer.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.warmer.change.ChangeTopics;
import io.warmer.change.RowChangeCodec;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the capture is, as its stored offsets say: the only trace of the snapshot that another
 * process can read. Debezium marks the offsets it stores during the snapshot with {@code snapshot}
 * and the last of them with {@code last_snapshot_record}; once it streams, the marks are gone.
 */
public enum CaptureStage {
    /** No offsets stored: the capture never ran, or has not stored its first batch. */
    NOT_STARTED("not started"),
    SNAPSHOT_RUNNING("snapshot running"),
    /** The snapshot is done; the capture follows the replication slot. */
    STREAMING("snapshot done, streaming");

    private final String text;

    CaptureStage(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static CaptureStage read(String bootstrapServers, String topicPrefix) {
        AtomicReference<String> latest = new AtomicReference<>();
        TopicReader.readAll(bootstrapServers, ChangeTopics.offsetTopic(topicPrefix), record -> {
            if (record.value() != null) {
                latest.set(record.value());
            }
        });
        return of(latest.get());
    }

    /** @param offset the capture's last stored offset as JSON, or null */
    static CaptureStage of(String offset) {
        if (offset == null) {
            return NOT_STARTED;
        }
        JsonNode node;
        try {
            node = RowChangeCodec.json().readTree(offset);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the capture's stored offset is not JSON: " + offset, e);
        }
        JsonNode snapshot = node.path("snapshot");
        boolean inSnapshot = !snapshot.isMissingNode() && !snapshot.isNull()
                && !(snapshot.isBoolean() && !snapshot.booleanValue()) && !"FALSE".equalsIgnoreCase(snapshot.asText());
        if (inSnapshot && !node.path("last_snapshot_record").asBoolean(false)) {
            return SNAPSHOT_RUNNING;
        }
        return STREAMING;
    }
}
