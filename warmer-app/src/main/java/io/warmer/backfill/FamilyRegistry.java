package io.warmer.backfill;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresCapture;
import io.warmer.capture.TopicReader;
import io.warmer.config.WarmerConfig;
import io.warmer.kafka.KafkaClients;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The families a deployment materializes, on the compacted topic {@code <prefix>.families.<application id>}, keyed by
 * family name. It is how a restarted service tells a family it has written before from one the configuration just
 * added (which it fills from the change topics, see {@link Materializers}), and how {@code cleanup --family} finds the
 * keys of a family no longer configured.
 */
public final class FamilyRegistry {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final KafkaClients kafka;
    private final String topic;
    private final short replicationFactor;

    public FamilyRegistry(WarmerConfig config) {
        this.kafka = config.kafka().clients();
        this.topic = topicOf(config);
        this.replicationFactor = config.kafka().replicationFactor();
    }

    public static String topicOf(WarmerConfig config) {
        return config.kafka().topicPrefix() + ".families." + config.kafka().applicationId();
    }

    public String topic() {
        return topic;
    }

    /**
     * The latest registration of each family. Of two processes that registered a new family at the same time, the
     * first registration stands and the second is ignored (both then follow the first), so the family has one
     * materializer.
     *
     * @return empty when nothing was ever registered (a first start, or one after an upgrade)
     */
    public Map<String, Registration> read() {
        Map<String, Registration> latest = new LinkedHashMap<>();
        TopicReader.readAll(kafka, topic, record -> {
            if (record.value() == null) {
                latest.remove(record.key());
                return;
            }
            Registration next;
            try {
                next = Registration.fromJson(record.value());
            } catch (IllegalArgumentException e) {
                return; // not ours to read
            }
            Registration current = latest.get(next.family());
            boolean concurrent = current != null && current.state() == Registration.State.BACKFILLING
                    && next.state() == Registration.State.BACKFILLING
                    && !current.application().equals(next.application());
            if (!concurrent) {
                latest.put(next.family(), next);
            }
        });
        return latest;
    }

    public void write(Collection<Registration> registrations) {
        Map<String, String> records = new LinkedHashMap<>();
        registrations.forEach(r -> records.put(r.family(), r.toJson()));
        send(records);
    }

    /** Forgets a family, e.g. once {@code cleanup --family} removed its keys. */
    public void forget(String family) {
        Map<String, String> tombstone = new LinkedHashMap<>();
        tombstone.put(family, null);
        send(tombstone);
    }

    private void send(Map<String, String> records) {
        ChangeTopicProvisioner.ensureTopics(kafka, List.of(ChangeTopicProvisioner.compacted(topic, 1,
                replicationFactor)));
        try (var producer = PostgresCapture.producer(kafka)) {
            for (var record : records.entrySet()) {
                producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue())).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write the family registry " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The end offset of every partition of {@code topics} now; a topic that does not exist yet has none. */
    Map<String, List<Long>> endOffsets(Collection<String> topics) throws InterruptedException {
        Map<String, List<Long>> ends = new LinkedHashMap<>();
        try (Admin admin = ChangeTopicProvisioner.connect(kafka)) {
            Set<String> existing = admin.listTopics().names().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            List<String> present = topics.stream().filter(existing::contains).toList();
            Map<TopicPartition, Long> offsets = ChangeTopicProvisioner.endOffsets(admin, present);
            for (String topic : present) {
                ends.put(topic, offsets.keySet().stream().filter(tp -> tp.topic().equals(topic))
                        .sorted(Comparator.comparingInt(TopicPartition::partition)).map(offsets::get).toList());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(kafka.where() + " did not tell the end of " + topics + ": "
                    + e.getMessage(), e);
        }
        return ends;
    }
}
