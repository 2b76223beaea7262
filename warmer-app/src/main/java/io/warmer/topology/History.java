package io.warmer.topology;

import io.warmer.change.ChangeTopics;
import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The records that were in the change topics when a materializer began reading them from the beginning: a family
 * added to a running service (io.warmer.backfill), a rebuild after Redis lost its data (io.warmer.rewarm), or
 * {@code warmer replay}. Such a materializer writes keys that Redis may not hold, so fencing has no version to refuse
 * an older value with; two rules keep it from writing one (docs/design.md, "What a reader can see meanwhile"):
 * <ul>
 *   <li>A record whose row has a later record in the history is <em>superseded</em>: it still deletes what it
 *   deletes (an old key of a row whose key columns changed), but puts nothing: only the row's latest record
 *   does.</li>
 *   <li>A joined family puts nothing while it is <em>held</em>, until the replay has caught up with the history,
 *   joined rows included, and {@link #release()} is called; then each of its tasks writes every main row's value
 *   once from its stores ({@link #assembled}), and it follows changes as usual.</li>
 * </ul>
 * A record missing a column the family reads predates the column (added or renamed since); the capture snapshots a
 * table whenever its columns change, so a newer record of the same row follows it. Such a record is not a schema
 * change under the family: its keys are deleted as for any row the family cannot render, but the family is not
 * reported broken and nothing is dead-lettered.
 */
public final class History {

    /** The live materializer: it reads the topics as they grow, and Redis holds the versions of what it wrote. */
    public static final History NONE = predating(Map.of());

    /**
     * The records of one partition that are the latest of their key in the history: bit {@code offset - first}.
     * A partition without one (or an offset outside it) counts every record as the latest.
     */
    public record Latest(long first, BitSet offsets) {
        boolean isLatest(long offset) {
            long index = offset - first;
            return index < 0 || index >= Integer.MAX_VALUE || offsets.get((int) index);
        }
    }

    private final Map<TopicPartition, Long> ends;
    private final Map<TopicPartition, Latest> latest;
    private final boolean holding;
    private volatile boolean released;
    private final Set<String> assembled = ConcurrentHashMap.newKeySet();

    /**
     * A history to replay from its beginning, whose joined families are held until {@link #release()}.
     *
     * @param ends   per partition, the offset the history ends at
     * @param latest per partition, which of its records are the latest of their key (from {@code HistoryScan})
     */
    public History(Map<TopicPartition, Long> ends, Map<TopicPartition, Latest> latest) {
        this(ends, latest, !ends.isEmpty());
    }

    private History(Map<TopicPartition, Long> ends, Map<TopicPartition, Latest> latest, boolean holding) {
        this.ends = Map.copyOf(ends);
        this.latest = Map.copyOf(latest);
        this.holding = holding;
    }

    /**
     * A history already replayed (a family filled since it was added, whose materializer resumes past its end): only
     * the rule on records that predate a column applies.
     */
    public static History predating(Map<TopicPartition, Long> ends) {
        return new History(ends, Map.of(), false);
    }

    public Map<TopicPartition, Long> ends() {
        return ends;
    }

    /** Whether the record being processed was in its change topic when the history was taken. */
    boolean holdsCurrent(ProcessorContext<?, ?> context) {
        if (ends.isEmpty()) {
            return false;
        }
        return context.recordMetadata().map(m -> {
            Long end = ends.get(new TopicPartition(m.topic(), m.partition()));
            return end != null && m.offset() < end;
        }).orElse(false);
    }

    /** Whether a later record of the same row follows the record being processed in the history. */
    boolean superseded(ProcessorContext<?, ?> context) {
        if (latest.isEmpty() || !holdsCurrent(context)) {
            return false;
        }
        return context.recordMetadata().map(m -> {
            Latest partition = latest.get(new TopicPartition(m.topic(), m.partition()));
            return partition != null && !partition.isLatest(m.offset());
        }).orElse(false);
    }

    /** Whether joined families still hold their puts: until {@link #release()}, for a history to replay. */
    boolean holdsJoined() {
        return holding && !released;
    }

    /** The replay has caught up with the history: joined families write their values now. */
    public void release() {
        released = true;
    }

    boolean released() {
        return released;
    }

    /** A task of a joined family has written every main row's value it holds, and Redis acknowledged them. */
    void assembled(String family, int partition) {
        assembled.add(family + "/" + partition);
    }

    /**
     * Whether every task of every joined family of {@code config} has written its values since {@link #release()}:
     * one per partition of the family's main table.
     */
    public boolean assembled(WarmerConfig config) {
        if (!holding) {
            return true;
        }
        for (KeyFamily family : config.keyFamilies()) {
            if (family.joins().isEmpty()) {
                continue;
            }
            String topic = ChangeTopics.topicFor(config.kafka().topicPrefix(), family.table());
            for (TopicPartition partition : ends.keySet()) {
                if (partition.topic().equals(topic) && !assembled.contains(family.name() + "/" + partition.partition())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The writes that delete (a key, a member): what a superseded record, or a held family, still applies. */
    static List<CacheWrite> deletesOnly(List<CacheWrite> writes) {
        return writes.stream().filter(CacheWrite::removes).toList();
    }
}
