package io.warmer.backfill;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.capture.snapshot.SnapshotProgressReader;
import io.warmer.capture.snapshot.SnapshotRequests;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.FamilyConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.family.KeyTemplate;
import io.warmer.topology.History;
import io.warmer.topology.WarmerTopology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Kafka Streams application materializes each family. The families of the first start share the configured
 * application id. A family added to the configuration later gets an application of its own, which starts at the
 * beginning of its tables' compacted change topics: it fills that family alone, from Kafka rather than the
 * database, while the other families stream on untouched, and then follows the topics like any other. Its own
 * consumer group and stores are what make this exact: it reads every change of its tables in order, as a first
 * start does, so nothing it writes is older than what the topics hold (docs/design.md, "Families added later").
 */
public final class Materializers {

    private static final Logger LOG = LoggerFactory.getLogger(Materializers.class);

    private final WarmerConfig config;
    private final Map<String, Registration> registrations;

    private Materializers(WarmerConfig config, Map<String, Registration> registrations) {
        this.config = config;
        this.registrations = registrations;
    }

    /** The plan as the registry has it, for a process that only looks ({@code status}, {@code warmup}'s gate). */
    public static Materializers of(WarmerConfig config, Map<String, Registration> registry) {
        Map<String, Registration> ours = new LinkedHashMap<>();
        for (FamilyConfig family : config.families()) {
            Registration r = registry.get(family.name());
            if (r != null) {
                ours.put(family.name(), r);
            }
        }
        return new Materializers(config, ours);
    }

    /** Reads the registry; without one (no service ran yet), every family is the configured application's. */
    public static Materializers read(WarmerConfig config) {
        return of(config, new FamilyRegistry(config).read());
    }

    /**
     * At a service's start: registers the families the registry does not know yet, each with an application of its
     * own that backfills it (on a first start or after an upgrade, when the registry is empty, every family belongs to
     * the configured application, whose snapshot fills it); asks for a snapshot of the tables of a family whose keys,
     * columns or joins changed, so that every value takes the new shape with a newer version; logs each step.
     */
    public static Materializers prepare(WarmerConfig config, long nowMs) throws InterruptedException {
        FamilyRegistry registry = new FamilyRegistry(config);
        Map<String, Registration> known = registry.read();
        boolean firstStart = known.isEmpty();
        String main = config.kafka().applicationId();
        List<Registration> writes = new ArrayList<>();
        Set<TableId> resnapshot = new LinkedHashSet<>();
        Map<TableId, SnapshotProgress> snapshots = null; // read once, and only when a family is new
        for (FamilyConfig family : config.families()) {
            String fingerprint = FamilyFingerprint.of(family);
            List<String> patterns = family.key().stream().map(KeyTemplate::globPattern).toList();
            Registration r = known.get(family.name());
            if (r == null && firstStart) {
                writes.add(new Registration(family.name(), fingerprint, main, Registration.State.READY, Map.of(),
                        patterns, nowMs));
            } else if (r == null) {
                if (snapshots == null) {
                    snapshots = SnapshotProgressReader.read(config.kafka().clients(),
                            config.kafka().topicPrefix());
                }
                List<String> unsnapshotted = columnsNotSnapshotted(snapshots, config.requiredColumns(family.name()));
                if (!unsnapshotted.isEmpty()) {
                    // Rows in the topics from before these columns existed are superseded only by a snapshot.
                    resnapshot.addAll(tablesOf(family));
                    LOG.atInfo().addKeyValue("event", "family_needs_snapshot").addKeyValue("family", family.name())
                            .log("Family {} reads {}, which the last snapshot of its tables did not have: they are"
                                    + " snapshotted again, so that the change topics hold every row with them.",
                                    family.name(), unsnapshotted);
                }
                String application = main + ".family." + family.name() + "." + Long.toString(nowMs, 36);
                Map<String, List<Long>> targets = registry.endOffsets(topicsOf(config, family));
                writes.add(new Registration(family.name(), fingerprint, application, Registration.State.BACKFILLING,
                        targets, patterns, nowMs));
            } else if (!r.fingerprint().equals(fingerprint)) {
                writes.add(r.withFingerprint(fingerprint, patterns, nowMs));
                resnapshot.addAll(tablesOf(family));
                LOG.atInfo().addKeyValue("event", "family_changed").addKeyValue("family", family.name())
                        .log("Family {} changed its keys, columns, filter or joins: its tables {} are snapshotted again,"
                                + " so that each of its values is written in the new shape with a newer version. Keys"
                                + " under templates it no longer has stay until `warmer cleanup --pattern` removes them.",
                                family.name(), tablesOf(family));
            }
        }
        if (!writes.isEmpty()) {
            registry.write(writes);
        }
        if (!resnapshot.isEmpty()) {
            SnapshotRequests.ask(config.kafka().clients(), config.kafka().topicPrefix(),
                    config.kafka().replicationFactor(), resnapshot);
        }
        Map<String, Registration> now = writes.isEmpty() ? known : registry.read();
        Materializers plan = of(config, now);
        for (Registration r : plan.registrations.values()) {
            if (r.state() == Registration.State.BACKFILLING) {
                long records = r.targets().values().stream().flatMap(List::stream).mapToLong(Long::longValue).sum();
                List<TableId> uncaptured = tablesOf(config.family(r.family(), "the configuration")).stream()
                        .filter(t -> r.targets().getOrDefault(ChangeTopics.topicFor(config.kafka().topicPrefix(), t),
                                List.of()).stream().mapToLong(Long::longValue).sum() == 0).toList();
                if (!uncaptured.isEmpty()) {
                    LOG.atInfo().addKeyValue("event", "backfill_new_table").addKeyValue("family", r.family())
                            .log("Family {}: Kafka holds no rows of {} yet; the capture adds them to the publication"
                                    + " and snapshots them, and the family's materializer reads them as they come.",
                                    r.family(), uncaptured);
                }
                LOG.atInfo().addKeyValue("event", "backfill_started").addKeyValue("family", r.family())
                        .addKeyValue("application", r.application()).addKeyValue("records", records)
                        .log("Family {} is new: its own materializer ({}) reads the change topics of {} from their"
                                + " beginning (up to {} records) to fill it, beside the other families; /ready shows"
                                + " its progress.", r.family(), r.application(),
                                tablesOf(config.family(r.family(), "the configuration")), records);
            }
        }
        for (String gone : now.keySet()) {
            if (config.families().stream().noneMatch(f -> f.name().equals(gone))) {
                LOG.atInfo().addKeyValue("event", "family_removed").addKeyValue("family", gone)
                        .log("Family {} is no longer configured: nothing writes it, and its keys stay until `warmer"
                                + " cleanup --family {}` removes them.", gone, gone);
            }
        }
        return plan;
    }

    public String applicationOf(String family) {
        Registration r = registrations.get(family);
        return r == null ? config.kafka().applicationId() : r.application();
    }

    /** The configuration of the application that materializes {@code family}: its families, its application id. */
    public WarmerConfig configOf(String family) {
        return configOfApplication(applicationOf(family));
    }

    /** One configuration per application, the configured id first; none has an empty family list. */
    public List<WarmerConfig> applications() {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(config.kafka().applicationId());
        config.families().forEach(f -> ids.add(applicationOf(f.name())));
        return ids.stream().filter(id -> config.families().stream().anyMatch(f -> applicationOf(f.name()).equals(id)))
                .map(this::configOfApplication).toList();
    }

    /**
     * The records an application reads that were in the topics before its family was added: none for the configured
     * application; for a family still backfilling, the records up to its registration's end offsets with the latest
     * of each row found ({@link HistoryScan}), so that it writes no older value first; for a family filled since,
     * just where that history ended.
     */
    public History historyOf(WarmerConfig application) {
        return registrations.values().stream().filter(r -> r.application().equals(application.kafka().applicationId()))
                .findFirst().map(r -> r.state() == Registration.State.BACKFILLING
                        ? HistoryScan.of(config.kafka().clients(), r.marks()) : History.predating(r.marks()))
                .orElse(History.NONE);
    }

    /** The registrations of the families their own application is still filling from the change topics. */
    public List<Registration> backfilling() {
        return registrations.values().stream().filter(r -> r.state() == Registration.State.BACKFILLING).toList();
    }

    /** How long {@link #deleteApplication} waits for the members of a stopped application to leave its group. */
    static final java.time.Duration GROUP_LEAVE_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * Deletes what a materializer application leaves in Kafka once nothing runs it: its consumer group, its stores'
     * changelog topics, its join route topics and its lookups' subscription topics. A group that still has members after {@link #GROUP_LEAVE_WAIT} (a
     * process still runs it) is refused.
     */
    public static void deleteApplication(WarmerConfig config, String application) throws InterruptedException {
        try (Admin admin = ChangeTopicProvisioner.connect(config.kafka().clients())) {
            // Kafka Streams does not leave its group on close: its members go after the session timeout.
            long deadline = System.nanoTime() + GROUP_LEAVE_WAIT.toNanos();
            while (true) {
                try {
                    admin.deleteConsumerGroups(List.of(application)).all().get(30, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof GroupIdNotFoundException) {
                        break;
                    }
                    if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not delete consumer group " + application + ": "
                                + e.getCause().getMessage(), e);
                    }
                    TimeUnit.SECONDS.sleep(1);
                }
            }
            List<String> joins = WarmerTopology.joinTopicPrefixes(config.kafka().topicPrefix(),
                    application);
            List<String> internal = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(application + "-") || joins.stream().anyMatch(t::startsWith))
                    .toList();
            if (!internal.isEmpty()) {
                admin.deleteTopics(internal).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not delete the topics of " + application + ": " + e.getMessage(), e);
        }
    }

    private WarmerConfig configOfApplication(String application) {
        List<FamilyConfig> families = config.families().stream()
                .filter(f -> applicationOf(f.name()).equals(application)).toList();
        if (application.equals(config.kafka().applicationId())) {
            return families.size() == config.families().size() ? config : config.with(config.kafka(), families);
        }
        return config.with(config.kafka().withApplicationId(application), families);
    }

    /** The columns the family reads that the last snapshot of their table did not have (added since, or renamed). */
    private static List<String> columnsNotSnapshotted(Map<TableId, SnapshotProgress> snapshots,
                                                      Map<TableId, java.util.Set<String>> required) {
        List<String> missing = new ArrayList<>();
        required.forEach((table, columns) -> {
            SnapshotProgress last = snapshots.get(table);
            if (last != null && last.columns() != null) {
                columns.stream().filter(c -> !last.columns().containsKey(c)).forEach(c -> missing.add(table + "." + c));
            }
        });
        return missing;
    }

    private static List<TableId> tablesOf(FamilyConfig family) {
        return Stream.concat(Stream.of(family.table()), family.joinedTables().stream()).distinct().toList();
    }

    private static List<String> topicsOf(WarmerConfig config, FamilyConfig family) {
        return tablesOf(family).stream().map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t)).toList();
    }
}
