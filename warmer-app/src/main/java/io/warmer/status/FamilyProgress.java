package io.warmer.status;

import io.warmer.backfill.Materializers;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.FamilyConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.family.KeyFamily;
import io.warmer.topology.WarmerTopology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * How far each family's materializer has come: families can belong to different Kafka Streams applications (see
 * {@link Materializers}), each its own consumer group with its own join route topics.
 */
public final class FamilyProgress {

    private final Admin admin;
    private final WarmerConfig config;
    private final Materializers plan;
    private final Map<String, ConsumerProgress> byApplication = new HashMap<>();

    public FamilyProgress(Admin admin, WarmerConfig config, Materializers plan) {
        this.admin = admin;
        this.config = config;
        this.plan = plan;
    }

    public Materializers plan() {
        return plan;
    }

    /** The progress of the consumer group that materializes {@code family}. */
    public ConsumerProgress of(String family) {
        return byApplication.computeIfAbsent(plan.applicationOf(family), group -> new ConsumerProgress(admin, group));
    }

    /**
     * Per family whose change topics all exist in {@code existing}: the change records, and routed join records, its
     * materializer has not committed yet. A family whose topics the capture has not created is left out.
     */
    public Map<String, Long> behindByFamily(Set<String> existing) throws InterruptedException {
        Map<String, Long> lag = new LinkedHashMap<>();
        for (FamilyConfig family : config.families()) {
            List<String> topics = changeTopics(family.table(), family.joinedTables().stream());
            if (!existing.containsAll(topics)) {
                continue;
            }
            List<String> routes = routeTopics(family.name()).stream().filter(existing::contains).toList();
            ConsumerProgress progress = of(family.name());
            lag.put(family.name(), progress.behind(progress.endOffsets(topics))
                    + (routes.isEmpty() ? 0 : progress.behind(progress.endOffsets(routes))));
        }
        return lag;
    }

    /** The end of the family's change topics and join route topics now. */
    public Map<TopicPartition, Long> endOffsetsOf(KeyFamily family) throws InterruptedException {
        List<String> topics = new ArrayList<>(changeTopics(family.table(), family.joins().stream().flatMap(io.warmer.family.Join::tables)));
        topics.addAll(routeTopics(family.name()));
        return of(family.name()).endOffsets(topics.stream().distinct().toList());
    }

    /** The family's join route topics, which are its application's. */
    public List<String> routeTopics(String family) {
        return WarmerTopology.joinRouteTopics(plan.configOf(family), family);
    }

    public Set<String> existingTopics() throws InterruptedException {
        return new ConsumerProgress(admin, config.kafka().applicationId()).existingTopics();
    }

    private List<String> changeTopics(TableId table, Stream<TableId> joined) {
        return Stream.concat(Stream.of(table), joined).map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t))
                .distinct().toList();
    }
}
