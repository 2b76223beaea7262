package io.warmer.status;

import io.warmer.capture.ChangeTopicProvisioner;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the materializer's consumer group has come through the change topics. The materializer
 * commits only what Redis acknowledged, so an offset it committed is an offset that is in the cache.
 */
public final class ConsumerProgress {

    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private final String groupId;

    public ConsumerProgress(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** The end of every partition of {@code topics} right now: a mark to wait for. */
    public Map<TopicPartition, Long> endOffsets(List<String> topics) throws InterruptedException {
        return call(() -> ChangeTopicProvisioner.endOffsets(admin, topics));
    }

    /** Whether the group has committed any offset: its application ran and wrote before. */
    public boolean hasCommitted() throws InterruptedException {
        return !call(() -> admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
    }

    /** Records below {@code marks} that the group has not committed yet; 0 once it has passed them all. */
    public long behind(Map<TopicPartition, Long> marks) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed = call(() -> admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        long behind = 0;
        for (var mark : marks.entrySet()) {
            OffsetAndMetadata done = committed.get(mark.getKey());
            behind += Math.max(0, mark.getValue() - (done == null ? 0 : done.offset()));
        }
        return behind;
    }

    /**
     * The lag right now, through the join route topics: a joined family's changes pass through those
     * topics after the change topics, so the cache has them only once both are done. The route topics
     * count only once the change topics are passed (Streams flushes what it routed before it commits),
     * and their end is read afresh at each call: to wait for a point in time, use {@link #catchUp}.
     */
    public long behind(Map<TopicPartition, Long> changeMarks, List<String> routeTopics) throws InterruptedException {
        long changes = behind(changeMarks);
        if (changes > 0 || routeTopics.isEmpty()) {
            return changes;
        }
        return behind(endOffsets(routeTopics));
    }

    /** The topics Kafka has right now. */
    public Set<String> existingTopics() throws InterruptedException {
        return call(() -> admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * Waiting until the cache has every change up to {@code changeMarks}, joined families included: the
     * change topics first, then each tier of join route topics up to their end <em>at the moment</em> the tier
     * before was passed (a lookup's answers follow its subscriptions, which follow the main rows' changes).
     * Marking each tier once matters while changes keep coming: a mark taken afresh at every look moves on with the
     * writes, and may never be reached.
     *
     * @param routeTiers the join route topics in the order records pass them ({@code WarmerTopology.joinRouteTiers})
     */
    public CatchUp catchUp(Map<TopicPartition, Long> changeMarks, List<List<String>> routeTiers) {
        return new CatchUp(changeMarks, routeTiers);
    }

    /** See {@link #catchUp}. Not thread-safe: one waiting loop asks it. */
    public final class CatchUp {
        private final List<List<String>> tiers;
        private Map<TopicPartition, Long> marks;
        private int tier = -1;

        private CatchUp(Map<TopicPartition, Long> changeMarks, List<List<String>> tiers) {
            this.marks = changeMarks;
            this.tiers = tiers;
        }

        /** Records still to commit: of the change topics, then of each tier of route topics; 0 once caught up. */
        public long behind() throws InterruptedException {
            while (true) {
                long behind = ConsumerProgress.this.behind(marks);
                if (behind > 0 || tier + 1 >= tiers.size()) {
                    return behind;
                }
                tier++;
                marks = endOffsets(tiers.get(tier));
            }
        }
    }

    private interface AdminCall<T> {
        T call() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private <T> T call(AdminCall<T> call) throws InterruptedException {
        try {
            return call.call();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the progress of consumer group '" + groupId + "': "
                    + e.getMessage(), e);
        }
    }
}
