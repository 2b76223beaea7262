package io.warmer.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Which records of a batch may have their offsets committed ({@link KafkaChangePublisher#committable}). */
class KafkaChangePublisherTest {

    private static final Schema ENVELOPE = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).build();
    private static final String TOPIC = "warmer.public.orders";

    private static SourceRecord change(String op, long lsn) {
        return new SourceRecord(Map.of("server", "warmer"), Map.of("lsn", lsn, "lsn_proc", lsn), TOPIC, null,
                ENVELOPE, new Struct(ENVELOPE).put("op", op));
    }

    private static SourceRecord tombstone(long lsn) {
        return new SourceRecord(Map.of("server", "warmer"), Map.of("lsn", lsn, "lsn_proc", lsn), TOPIC, null, null,
                null);
    }

    private static SourceRecord heartbeat(long lsn) {
        return new SourceRecord(Map.of("server", "warmer"), Map.of("lsn", lsn), "__debezium-heartbeat.warmer", null,
                null, null);
    }

    @Test
    void shouldHoldBackTheHalvesOfAPrimaryKeyUpdateThatEndABatchUntilARecordAtAnotherLsnFollows() {
        // An UPDATE of the primary key at LSN 20: delete half, tombstone, create half; the batch ends after the first two.
        assertThat(KafkaChangePublisher.committable(List.of(change("c", 10), change("d", 20), tombstone(20))))
                .isEqualTo(1);
        assertThat(KafkaChangePublisher.committable(List.of(change("c", 20)))).isZero();
        // The next record at another LSN is delivered only after the whole run: everything before it commits.
        assertThat(KafkaChangePublisher.committable(List.of(change("c", 20), change("u", 30), change("u", 31))))
                .isEqualTo(2);
    }

    @Test
    void shouldHoldBackTheRowsOfAMultiRowInsertAtTheEndOfABatch() {
        assertThat(KafkaChangePublisher.committable(List.of(change("u", 5), change("c", 9), change("c", 9),
                change("c", 9)))).isEqualTo(1);
    }

    @Test
    void shouldCommitAtOnceWhenTheBatchEndsWithAMessageOrAHeartbeat() {
        assertThat(KafkaChangePublisher.committable(List.of(change("d", 20), tombstone(20), change("m", 24))))
                .isEqualTo(3);
        assertThat(KafkaChangePublisher.committable(List.of(change("c", 20), heartbeat(20)))).isEqualTo(2);
        assertThat(KafkaChangePublisher.committable(List.of(change("m", 24)))).isEqualTo(1);
        assertThat(KafkaChangePublisher.committable(List.of())).isZero();
    }
}
