package io.warmer.capture;

import io.warmer.kafka.KafkaRefusal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the stream can be trusted to hold every change since the capture last ran. It cannot when the capture has
 * stored offsets but its replication slot is gone (dropped, or lost with a failover to a server that did not have
 * it): Debezium then creates a new slot and streams from now, and whatever changed in between (deletes included)
 * never arrives. Every table is then snapshotted anew, and keys of rows deleted meanwhile are removed after it.
 */
final class StreamContinuity {

    private static final Logger LOG = LoggerFactory.getLogger(StreamContinuity.class);

    private StreamContinuity() {
    }

    static boolean hasGap(CaptureSettings settings) {
        boolean slotExists;
        try (Connection connection = PostgresPreflight.open(settings.postgres());
             PreparedStatement st = connection.prepareStatement(
                     "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            st.setString(1, settings.slotName());
            try (ResultSet rs = st.executeQuery()) {
                slotExists = rs.next();
            }
        } catch (SQLException e) {
            throw new CaptureException("PostgreSQL at " + settings.postgres().address()
                    + " could not list its replication slots: " + e.getMessage(), e);
        }
        if (slotExists) {
            return false;
        }
        Set<String> storedOffsets = new LinkedHashSet<>();
        TopicReader.readAll(settings.kafka(), settings.offsetTopic(), record -> {
            if (record.value() != null) {
                storedOffsets.add(record.key());
            } else {
                storedOffsets.remove(record.key());
            }
        });
        if (storedOffsets.isEmpty()) {
            return false;
        }
        LOG.warn("Replication slot '{}' does not exist on {}, yet this capture stored offsets before: the changes"
                + " made since it last ran were not captured. Every table is snapshotted anew; keys of rows deleted"
                + " meanwhile are removed once each snapshot is complete.", settings.slotName(),
                settings.postgres().address());
        forget(settings, storedOffsets);
        return true;
    }

    /**
     * Deletes the stored offsets (a tombstone per key), which point into WAL no slot keeps: the engine then starts
     * streaming from a new slot instead of refusing to start.
     */
    private static void forget(CaptureSettings settings, Set<String> keys) {
        try (var producer = PostgresCapture.producer(settings.kafka())) {
            for (String key : keys) {
                producer.send(new ProducerRecord<>(settings.offsetTopic(), key, null)).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("Interrupted while forgetting the stored offsets on " + settings.offsetTopic(), e);
        } catch (ExecutionException e) {
            throw new CaptureException(KafkaRefusal.explain(settings.kafka(), e.getCause()).orElse(settings.kafka().where()
                    + " refused to forget the stored offsets on " + settings.offsetTopic() + ": "
                    + e.getCause().getMessage()), e.getCause());
        }
    }
}
