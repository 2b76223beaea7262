package io.warmer.capture;

import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.kafka.KafkaClients;
import io.warmer.kafka.KafkaRefusal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the change topics before the first change is published. They are compacted so that each
 * topic stays a replayable image of its table: the latest change per primary key, deletes forgotten.
 */
public final class ChangeTopicProvisioner {

    private static final long TIMEOUT_SECONDS = 30;
    /** A broker that has not answered by then is down or misaddressed; waiting longer only delays the message. */
    private static final long REACHABLE_TIMEOUT_SECONDS = 15;

    private ChangeTopicProvisioner() {
    }

    /** An admin client of {@code kafka} with Warmer's timeouts; the caller closes it. */
    public static Admin connect(KafkaClients kafka) {
        return kafka.admin(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    /**
     * The end of every partition of {@code topics} right now (each must exist).
     *
     * @throws ExecutionException when Kafka refuses, e.g. a topic does not exist
     */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).values()
                .forEach(d -> d.partitions().forEach(
                        p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** A change topic: compacted, so it keeps the latest change per primary key and forgets deleted rows. */
    public static NewTopic compacted(String name, int partitions, short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** A topic whose records expire with the broker's retention, such as the dead-letter topic. */
    public static NewTopic deleteAfterRetention(String name, int partitions, short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
    }

    /**
     * The topics every writer of change topics creates: each table's change topic (compacted) and the dead-letter
     * topic. Warmer's capture adds its snapshot topic.
     */
    public static List<NewTopic> changeTopics(String topicPrefix, Collection<TableId> tables, int partitions,
                                              short replicationFactor) {
        List<NewTopic> topics = new ArrayList<>();
        for (TableId table : tables) {
            topics.add(compacted(ChangeTopics.topicFor(topicPrefix, table), partitions, replicationFactor));
        }
        topics.add(deleteAfterRetention(ChangeTopics.deadLetterTopic(topicPrefix), partitions, replicationFactor));
        return topics;
    }

    /**
     * Those of {@code topics} that do not exist on {@code kafka}, in their order.
     *
     * @throws CaptureException naming the cluster when it cannot be reached or does not list its topics
     */
    public static List<String> missing(KafkaClients kafka, Collection<String> topics) {
        try (Admin admin = connect(kafka)) {
            Set<String> existing = existing(admin, kafka);
            return topics.stream().filter(t -> !existing.contains(t)).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("Interrupted while looking for topics on " + kafka.where(), e);
        }
    }

    private static Set<String> existing(Admin admin, KafkaClients kafka) throws InterruptedException {
        awaitReachable(admin, kafka);
        try {
            return admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureException(KafkaRefusal.explain(kafka, e)
                    .orElse(kafka.where() + " did not list its topics: " + e.getMessage()), e);
        }
    }

    /** Creates those of {@code topics} that do not exist yet; existing topics are left as they are. */
    public static void ensureTopics(KafkaClients kafka, List<NewTopic> topics) {
        try (Admin admin = connect(kafka)) {
            Set<String> existing = existing(admin, kafka);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic topic : topics) {
                if (!existing.contains(topic.name())) {
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty()) {
                createAll(admin, missing, kafka);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("Interrupted while creating topics on " + kafka.where(), e);
        } catch (TimeoutException e) {
            throw new CaptureException(kafka.where() + " did not create topics in time: " + e.getMessage(), e);
        }
    }

    /** The number of partitions of each topic, by the key it is given under; the topics must exist. */
    public static <K> Map<K, Integer> partitionCounts(KafkaClients kafka, Map<K, String> topics) {
        try (Admin admin = connect(kafka)) {
            var described = admin.describeTopics(topics.values()).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<K, Integer> counts = new java.util.LinkedHashMap<>();
            topics.forEach((key, topic) -> counts.put(key, described.get(topic).partitions().size()));
            return counts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("Interrupted while describing topics on " + kafka.where(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureException(KafkaRefusal.explain(kafka, e)
                    .orElse(kafka.where() + " did not describe topics " + topics.values() + ": " + e.getMessage()), e);
        }
    }

    /** @throws CaptureException naming the cluster when no broker answers or it refuses Warmer */
    public static void awaitReachable(Admin admin, KafkaClients kafka) throws InterruptedException {
        try {
            admin.describeCluster().clusterId().get(REACHABLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureException(KafkaRefusal.explain(kafka, e).orElse("Cannot reach " + kafka.where() + " within "
                    + REACHABLE_TIMEOUT_SECONDS + " s: check that the brokers are running, that kafka.bootstrap-servers is"
                    + " right and that kafka.security.protocol matches the listener."), e);
        }
    }

    private static void createAll(Admin admin, List<NewTopic> topics, KafkaClients kafka)
            throws InterruptedException, TimeoutException {
        var results = admin.createTopics(topics).values();
        for (var entry : results.entrySet()) {
            try {
                entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // another instance was quicker
                    throw new CaptureException(KafkaRefusal.explain(kafka, e.getCause()).orElse(kafka.where()
                            + " refused to create topic " + entry.getKey() + ": " + e.getCause().getMessage()), e.getCause());
                }
            }
        }
    }
}
