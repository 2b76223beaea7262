package io.warmer.backfill;

import com.carrotsearch.hppc.LongIntHashMap;
import com.carrotsearch.hppc.cursors.IntCursor;
import io.warmer.kafka.KafkaClients;
import io.warmer.topology.History;
import java.time.Duration;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, for a materializer about to read the change topics from the beginning, which records are the latest of their
 * row up to the offsets given ({@link History}): one pass over the keys, without a consumer group, one partition at a
 * time so that only one partition's keys are held (an XXHash64 of each key and its last offset: about 16 bytes per
 * row). Two keys with one hash would make the earlier row's latest record look superseded, so that it writes nothing:
 * a key absent, never a wrong value; with 64 bits that takes some 10^9 rows in one partition to be likely.
 */
public final class HistoryScan {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryScan.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long the scan waits for Kafka without a record before it gives up. */
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final XXHash64 HASH = XXHashFactory.fastestJavaInstance().hash64();

    private HistoryScan() {
    }

    /** @param ends per partition, where the history ends (the topics' end offsets when the materializer started) */
    public static History of(KafkaClients kafka, Map<TopicPartition, Long> ends) {
        long started = System.nanoTime();
        Map<String, Object> settings = Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 << 20));
        Map<TopicPartition, History.Latest> latest = new LinkedHashMap<>();
        long records = 0;
        try (var consumer = kafka.consumer(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (var entry : ends.entrySet()) {
                TopicPartition partition = entry.getKey();
                long end = entry.getValue();
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long first = consumer.position(partition, STALL);
                if (first >= end || end - first >= Integer.MAX_VALUE) {
                    continue; // nothing to read; or beyond a bit set, and every record counts as the latest
                }
                LongIntHashMap last = new LongIntHashMap();
                long lastRecordAt = System.nanoTime();
                while (consumer.position(partition, STALL) < end) {
                    var polled = consumer.poll(POLL);
                    if (polled.isEmpty() && System.nanoTime() - lastRecordAt > STALL.toNanos()) {
                        throw new IllegalStateException(kafka.where() + " sent nothing of " + partition
                                + " for " + STALL.toSeconds() + " s while Warmer read its keys; check that it is healthy");
                    }
                    for (ConsumerRecord<byte[], byte[]> record : polled) {
                        lastRecordAt = System.nanoTime();
                        if (record.offset() >= end || record.key() == null) {
                            continue;
                        }
                        last.put(HASH.hash(record.key(), 0, record.key().length, 0), (int) (record.offset() - first));
                        records++;
                    }
                }
                BitSet offsets = new BitSet();
                for (IntCursor offset : last.values()) {
                    offsets.set(offset.value);
                }
                latest.put(partition, new History.Latest(first, offsets));
            }
        }
        LOG.debug("Read the keys of {} change records in {} ms", records, (System.nanoTime() - started) / 1_000_000);
        return new History(ends, latest);
    }
}
