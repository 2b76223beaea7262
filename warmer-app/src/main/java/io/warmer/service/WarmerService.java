package io.warmer.service;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.warmer.backfill.HistoryScan;
import io.warmer.backfill.Materializers;
import io.warmer.capture.CaptureElection;
import io.warmer.capture.CaptureException;
import io.warmer.capture.CaptureSettings;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.MissingColumnException;
import io.warmer.capture.PostgresCapture;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.rows.TableStorage;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.concurrent.DaemonThreads;
import io.warmer.config.KafkaSettings;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.config.SchemaCheck;
import io.warmer.config.WarmerConfig;
import io.warmer.guard.EvictionGuard;
import io.warmer.redis.Redis;
import io.warmer.rewarm.LossWatch;
import io.warmer.rewarm.Rewarm;
import io.warmer.sink.RedisCacheWriterFactory;
import io.warmer.sink.SinkCounters;
import io.warmer.status.ConsumerProgress;
import io.warmer.status.CountersPublisher;
import io.warmer.sweep.OrphanSweep;
import io.warmer.topology.ColumnMemory;
import io.warmer.topology.History;
import io.warmer.topology.WarmerTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived service: capture (PostgreSQL into Kafka) and materialization (Kafka into Redis) in
 * one process, with an explicit {@link ServiceState}. Started in dependency order: the Redis check and
 * the counters publisher, the capture, the materializer, then the watchers (eviction guard, backfill,
 * rebuild, loss watch). Stopped so that a stop loses nothing: the watchers first, then the capture
 * (it stores its offsets, and nothing new arrives), then the materializer (it flushes Redis and
 * commits what it read), then the publisher (it counts the last flush) and Redis.
 */
public final class WarmerService implements ServiceView, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WarmerService.class);
    private static final Duration STREAMS_CLOSE_TIMEOUT = Duration.ofSeconds(60);
    /** How often the lifecycle looks at the parts. */
    static final Duration OBSERVE_EVERY = Duration.ofSeconds(1);
    /** Bounds the look at the changelog topics at a start and at a stop; past it, the stores are restored instead. */
    private static final Duration CHANGELOG_LOOKUP_TIMEOUT = Duration.ofSeconds(10);
    /** A materializer in these states does its job (a rebalance is part of it). */
    private static final java.util.Set<KafkaStreams.State> RUNNING_STREAMS = java.util.EnumSet.of(
            KafkaStreams.State.CREATED, KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);

    private final WarmerConfig config;
    private final Role role;
    private final SinkCounters counters = new SinkCounters();
    private final CompletableFuture<Void> failure = new CompletableFuture<>();
    private final Lifecycle lifecycle;
    /** Follows the parts into {@link #lifecycle} while the service runs. */
    private final ScheduledExecutorService observer;
    /** The process's Redis: every part of the service connects through it. */
    private final Redis redis;
    /** Whether this service made {@link #redis}, and closes it. */
    private final boolean ownsRedis;
    private RedisCacheWriterFactory writers;
    private CountersPublisher publisher;
    private OrphanSweep orphanSweep;
    private CaptureElection election;
    /** With {@code source.debezium-topics}: what fills the change topics instead of a capture. */
    private DebeziumTopicsSource debeziumTopics;
    private Materializers materializers;
    private BackfillWatch backfill;
    /** One Kafka Streams application per entry of {@link #materializers}, the configured one first. */
    private final List<KafkaStreams> streams = new ArrayList<>();
    /** This process's slot of {@code kafka.state-dir}, claimed with the first materializer. */
    private StateDirectory stateDirectory;
    /** The application id of each of {@link #streams}, in the same order. */
    private final List<String> applications = new ArrayList<>();
    private final Map<String, History> histories = new java.util.concurrent.ConcurrentHashMap<>();
    private EvictionGuard evictionGuard = EvictionGuard.off();
    /**
     * The service whose eviction guard also pauses this one (a rewarm beside it), or null when this one watches Redis
     * itself. One guard per process: two would each take a baseline and report the same evictions twice.
     */
    private final WarmerService guardedBy;
    /** The services beside this one that its eviction guard pauses and resumes with its own streams. */
    private final List<WarmerService> guarding = new CopyOnWriteArrayList<>();
    private Rewarm rewarm;
    private LossWatch lossWatch;

    /** Whether the families' applications come from the family registry (a service), or are all one (a replay). */
    private final boolean registered;

    private WarmerService(WarmerConfig config, Role role, boolean registered, Redis redis, WarmerService guardedBy) {
        this.config = config;
        this.guardedBy = guardedBy;
        this.role = role;
        this.registered = registered;
        this.ownsRedis = redis == null;
        this.redis = redis == null ? Redis.of(config.redis()) : redis;
        // A replay's or a rebuild's own service is a part of another; its moves are not news.
        this.lifecycle = new Lifecycle(config.kafka().applicationId(), registered);
        this.observer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-lifecycle"));
    }

    /** @throws RuntimeException with a one-line, fix-it message when a server is unreachable or misconfigured */
    public static WarmerService start(WarmerConfig config) {
        return start(config, Role.ALL);
    }

    /**
     * A service with a Redis of its own, closed with it.
     *
     * @throws RuntimeException with a one-line, fix-it message when a server is unreachable or misconfigured
     */
    public static WarmerService start(WarmerConfig config, Role role) {
        return start(new WarmerService(config, role, true, null, null));
    }

    /**
     * @param redis the process's Redis, which {@code config.redis()} names; the caller closes it after the service
     * @throws RuntimeException with a one-line, fix-it message when a server is unreachable or misconfigured
     */
    public static WarmerService start(WarmerConfig config, Role role, Redis redis) {
        return start(new WarmerService(config, role, true, redis, null));
    }

    /**
     * Only materializes, every family in the one application {@code config} names, from the beginning of the change
     * topics when that application is new: a replay, or a rewarm. The family registry is neither read nor written.
     *
     * @param redis the process's Redis, which {@code config.redis()} names; the caller closes it after the service
     */
    public static WarmerService replay(WarmerConfig config, Redis redis) {
        return start(new WarmerService(config, Role.MATERIALIZE, false, redis, null));
    }

    private static WarmerService start(WarmerService service) {
        try {
            service.startAll();
        } catch (RuntimeException e) {
            service.lifecycle.moveTo(ServiceState.FAILED, "the start failed: " + e.getMessage());
            service.close();
            throw e;
        }
        service.failure.whenComplete((ok, error) ->
                service.lifecycle.moveTo(ServiceState.FAILED, "the capture or the materializer stopped on an error"));
        service.observe();
        service.observer.scheduleWithFixedDelay(service::observe, OBSERVE_EVERY.toMillis(), OBSERVE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return service;
    }

    /** What the parts report now, into the lifecycle. */
    private void observe() {
        try {
            PostgresCapture capture = capture();
            lifecycle.observe(new Lifecycle.Parts(capture != null || debeziumTopics != null && debeziumTopics.running(),
                    election != null && election.role() == CaptureElection.Role.STANDBY,
                    capture != null && !capture.snapshotCompleted(),
                    !role.materializes() || RUNNING_STREAMS.contains(materializerState()),
                    evictionGuard.paused(), !counters.brokenFamilies().isEmpty()));
        } catch (RuntimeException e) {
            LOG.debug("Could not observe the service's parts: {}", e.getMessage());
        }
    }

    private void startAll() {
        if (role.materializes()) {
            writers = RedisCacheWriterFactory.connect(redis, counters);
            publisher = CountersPublisher.start(config, redis, counters);
        }
        if (role.captures() && config.source().fromDebeziumTopics()) {
            if (config.source().database().isEmpty()) {
                LOG.info("No source.postgres beside debezium-topics: tables and columns are checked in the events"
                        + " (a family whose columns are missing stops and says so), and readiness does not compare"
                        + " values with the database");
            }
            SchemaCheck.verify(config, SchemaCheck.preflight(config));
            debeziumTopics = DebeziumTopicsSource.start(config, counters);
            debeziumTopics.failure().whenComplete((ok, error) -> failure.complete(null));
        } else if (role.captures()) {
            orphanSweep = new OrphanSweep(config, redis, (snapshot, removed) -> {
                PostgresCapture current = capture();
                if (current != null) {
                    current.recordSwept(snapshot.table(), snapshot.snapshot(), removed);
                }
            });
            try {
                election = CaptureElection.start(captureSettings(config), config.requiredColumns(),
                        schemas -> SchemaCheck.verify(config, schemas), orphanSweep::snapshotCompleted);
            } catch (MissingColumnException e) {
                throw SchemaCheck.named(config, e);
            }
            election.failure().whenComplete((ok, error) -> failure.complete(null));
        } else {
            requireChangeTopics(config);
        }
        if (role.materializes()) {
            try {
                materializers = registered ? Materializers.prepare(config, System.currentTimeMillis())
                        : Materializers.of(config, java.util.Map.of());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the family registry", e);
            }
            boolean wroteBefore = registered && hasCommitted(config);
            for (WarmerConfig application : materializers.applications()) {
                streams.add(startMaterializer(application));
            }
            guardEvictions();
            backfill = BackfillWatch.start(config, materializers, histories);
            if (registered) {
                rewarm = new Rewarm(config, redis, application -> replaying(application, redis, this));
                rewarm.resumeUnfinished();
                lossWatch = LossWatch.start(redis, config.kafka().applicationId(), wroteBefore,
                        rewarm::request);
            }
        } else {
            materializers = Materializers.of(config, java.util.Map.of());
        }
    }

    /**
     * What each application reads from the beginning of the topics: for a replay, every record up to the topics' end
     * at its start; for a service, a backfilling family's history ({@link Materializers#historyOf}).
     */
    private History historyOf(WarmerConfig application) {
        if (registered) {
            return materializers.historyOf(application);
        }
        List<String> topics = application.tables().stream()
                .map(t -> ChangeTopics.topicFor(application.kafka().topicPrefix(), t)).toList();
        try (var admin = ChangeTopicProvisioner.connect(application.kafka().clients())) {
            return HistoryScan.of(application.kafka().clients(),
                    new ConsumerProgress(admin, application.kafka().applicationId()).endOffsets(topics));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the change topics' keys", e);
        }
    }

    /**
     * Where a replay stands (a process started with {@link #replay}): how many records it has to go, and whether
     * Redis holds every row's latest value. Close the returned progress after use.
     */
    public ReplayProgress replayProgress() {
        if (registered) {
            throw new IllegalStateException("not a replay");
        }
        return new ReplayProgress(config, histories.get(config.kafka().applicationId()));
    }

    /** Whether the configured application has committed offsets: it wrote to Redis before this start. */
    private static boolean hasCommitted(WarmerConfig config) {
        try (var admin = ChangeTopicProvisioner.connect(config.kafka().clients())) {
            return new ConsumerProgress(admin, config.kafka().applicationId()).hasCommitted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.debug("Could not read the offsets of {}: {}", config.kafka().applicationId(), e.getMessage());
            return false;
        }
    }

    /**
     * This service's streams, and those of the services beside it, pause while Redis evicts: its own guard, or the
     * guard of the service it runs beside.
     */
    private void guardEvictions() {
        if (guardedBy == null) {
            evictionGuard = EvictionGuard.start(redis, new EvictionGuard.Materializer(
                    () -> forEachGuardedStream(KafkaStreams::pause), () -> forEachGuardedStream(KafkaStreams::resume)));
            return;
        }
        evictionGuard = guardedBy.evictionGuard;
        guardedBy.guarding.add(this);
        if (evictionGuard.paused()) { // paused before it was added: a pause after that pauses it anyway
            streams.forEach(KafkaStreams::pause);
        }
    }

    private void forEachGuardedStream(Consumer<KafkaStreams> action) {
        streams.forEach(action);
        guarding.forEach(beside -> beside.streams.forEach(action));
    }

    /**
     * A replay for {@link Rewarm}, beside {@code service} and paused by its eviction guard: it pauses for the rate only
     * while that guard does not hold it paused.
     */
    private static Rewarm.Replay replaying(WarmerConfig config, Redis redis, WarmerService beside) {
        WarmerService service = start(new WarmerService(config, Role.MATERIALIZE, false, redis, beside));
        ReplayProgress progress = service.replayProgress();
        return new Rewarm.Replay() {
            @Override
            public long total() {
                return progress.marks().values().stream().mapToLong(Long::longValue).sum();
            }

            @Override
            public long behind() throws InterruptedException {
                return progress.behind();
            }

            @Override
            public boolean done() {
                return progress.done();
            }

            @Override
            public long writes() {
                return service.counters().puts() + service.counters().deletes();
            }

            @Override
            public void pause() {
                service.streams.forEach(KafkaStreams::pause);
            }

            @Override
            public void resume() {
                if (!service.evictionGuard.paused()) {
                    service.streams.forEach(KafkaStreams::resume);
                }
            }

            @Override
            public void close() {
                progress.close();
                service.close();
            }
        };
    }

    /** Starts the materializer of one application: the families {@code config} names, under its application id. */
    private KafkaStreams startMaterializer(WarmerConfig config) {
        List<String> routes = WarmerTopology.joinRouteTopics(config);
        if (!routes.isEmpty()) {
            // Partitioned like the change topics, so that a routed row meets its main row's partition.
            ChangeTopicProvisioner.ensureTopics(config.kafka().clients(), routes.stream()
                    .map(t -> ChangeTopicProvisioner.deleteAfterRetention(t, config.kafka().partitions(),
                            config.kafka().replicationFactor()))
                    .toList());
        }
        if (stateDirectory == null) {
            stateDirectory = StateDirectory.claim(config.kafka().stateDirectory());
        }
        keepOrRestoreStores(config.kafka());
        applications.add(config.kafka().applicationId());
        History history = historyOf(config);
        histories.put(config.kafka().applicationId(), history);
        KafkaStreams materializer = new KafkaStreams(WarmerTopology.build(config, writers, columnMemory(config), history),
                StreamsProperties.of(config, stateDirectory.path()));
        // A failed flush to Redis fails the task before it commits; a fresh thread resumes from the
        // last committed offsets, so the writes are retried rather than lost.
        materializer.setUncaughtExceptionHandler(e -> {
            LOG.warn("A materializer thread failed and is being replaced: {}", e.getMessage(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        materializer.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.ERROR) {
                failure.complete(null);
            }
        });
        materializer.start();
        return materializer;
    }

    /** Keeps the application's local stores only if they belong to its changelog topics as they are now. */
    private void keepOrRestoreStores(KafkaSettings kafka) {
        String identity = null;
        try (var admin = ChangeTopicProvisioner.connect(kafka.clients())) {
            identity = ChangelogIdentity.of(admin, kafka.applicationId(), CHANGELOG_LOOKUP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the changelog topics", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("Could not read the changelog topics of {}: {}", kafka.applicationId(), e.getMessage());
        }
        try {
            if (stateDirectory.keep(kafka.applicationId(), identity)) {
                LOG.atInfo().addKeyValue("event", "stores_kept").addKeyValue("application", kafka.applicationId())
                        .log("Kafka Streams stores of {} kept from the last clean stop in {}: read back, not restored"
                                + " from the changelog topics", kafka.applicationId(), stateDirectory.path());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot empty the Kafka Streams state of " + kafka.applicationId() + " in "
                    + stateDirectory.path().toAbsolutePath() + ": " + e.getMessage()
                    + "; check that kafka.state-dir is writable.", e);
        }
    }

    /** After a clean stop: which changelogs the stores were checkpointed against, for the next start to compare. */
    private void recordChangelogs() {
        try (var admin = ChangeTopicProvisioner.connect(config.kafka().clients())) {
            for (String application : applications) {
                stateDirectory.recordChangelogs(application,
                        ChangelogIdentity.of(admin, application, CHANGELOG_LOOKUP_TIMEOUT));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Unrecorded stores are restored from the changelogs at the next start: slower, never wrong.
            LOG.debug("Could not record the changelog topics: {}", e.getMessage());
        }
    }

    /**
     * A materialize-only process reads topics that a capture process creates; without them Kafka Streams would stop
     * with an opaque error, so their absence is said plainly first.
     */
    private static void requireChangeTopics(WarmerConfig config) {
        List<String> missing = ChangeTopicProvisioner.missing(config.kafka().clients(), config.tables().stream()
                .map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t)).toList());
        if (!missing.isEmpty()) {
            throw new CaptureException("The change topics " + missing + " do not exist on "
                    + config.kafka().clients().where() + " yet: start a process with --role capture (or all) for this"
                    + " configuration first.");
        }
    }

    /**
     * The TOASTable columns the families read, per table, as the catalog says now (see {@link ColumnMemory}). Without
     * a database to ask which columns may be TOASTed, every column they read.
     */
    static ColumnMemory columnMemory(WarmerConfig config) {
        if (config.source().database().isEmpty()) {
            return ColumnMemory.everyReadColumn(config.keyFamilies());
        }
        Map<TableId, TableStorage> storage = new LinkedHashMap<>();
        try (Connection connection = PostgresPreflight.open(config.source().postgres().endpoint())) {
            for (TableId table : config.tables()) {
                storage.put(table, TableStorage.of(connection, table));
            }
        } catch (SQLException e) {
            throw new CaptureException("PostgreSQL at " + config.source().postgres().endpoint().address()
                    + " could not tell how its tables store their columns: " + e.getMessage(), e);
        }
        return ColumnMemory.of(config.keyFamilies(), storage);
    }

    static CaptureSettings captureSettings(WarmerConfig config) {
        PostgresSourceConfig pg = config.source().postgres();
        var kafka = config.kafka();
        return new CaptureSettings(
                pg.endpoint(),
                config.tables(), pg.slot(), pg.publication(), kafka.clients(), kafka.topicPrefix(),
                kafka.partitions(), kafka.replicationFactor(), pg.timestamps(), pg.snapshot().settings());
    }

    /** The capture while this process captures; null when it only materializes, or stands by for the slot. */
    @Override
    public PostgresCapture capture() {
        return election == null ? null : election.capture();
    }

    /** Whether this process captures, stands by for the slot, or neither (null: it only materializes). */
    @Override
    public CaptureElection election() {
        return election;
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }

    /** The state of the materializer, or of its least healthy application when families have their own. */
    @Override
    public KafkaStreams.State materializerState() {
        if (streams.isEmpty()) {
            return KafkaStreams.State.NOT_RUNNING;
        }
        List<KafkaStreams.State> order = List.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR,
                KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.CREATED,
                KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);
        return streams.stream().map(KafkaStreams::state).min(java.util.Comparator.comparingInt(order::indexOf))
                .orElseThrow();
    }

    /** Which application materializes each family, and which families are still filled from the change topics. */
    @Override
    public Materializers materializers() {
        return materializers;
    }

    /** Where the rebuild after a loss of Redis data stands; idle when there is none, or this process does not write. */
    @Override
    public Rewarm.Progress rewarm() {
        return rewarm == null ? Rewarm.Progress.IDLE : rewarm.progress();
    }

    /** Records each backfilling family's materializer still has to read; empty when none backfills. */
    @Override
    public java.util.Map<String, Long> backfillRemaining() {
        return backfill == null ? java.util.Map.of() : backfill.remaining();
    }

    /**
     * Kafka Streams' own metrics of the materializer (its threads, tasks, stores and clients), as a Micrometer binder
     * for the caller to bind and close; null when this process only captures.
     */
    @Override
    public KafkaStreamsMetrics materializerMetrics() {
        return streams.isEmpty() ? null : new KafkaStreamsMetrics(streams.get(0));
    }

    /** Stream tasks (change-topic partitions) this process materializes right now. */
    @Override
    public int activeTasks() {
        return streams.stream().filter(s -> s.state() == KafkaStreams.State.RUNNING)
                .flatMap(s -> s.metadataForLocalThreads().stream()).mapToInt(t -> t.activeTasks().size()).sum();
    }

    /** Whether writing is paused because Redis is evicting, and how often it was; watches nothing when off. */
    @Override
    public EvictionGuard evictionGuard() {
        return evictionGuard;
    }

    /** Completes when the capture or the materializer stopped on an error. */
    public CompletableFuture<Void> failure() {
        return failure;
    }

    /** The process's Redis, for what watches the service. */
    @Override
    public Redis redis() {
        return redis;
    }

    public WarmerConfig config() {
        return config;
    }

    @Override
    public ServiceState state() {
        return lifecycle.state();
    }

    @Override
    public String stateReason() {
        return lifecycle.reason();
    }

    /** Stops the watchers, the capture, the materializer, the publisher, then Redis (see the class comment). */
    @Override
    public void close() {
        if (!lifecycle.moveTo(ServiceState.STOPPING, "stop requested")) {
            return; // stopping or stopped already
        }
        observer.shutdownNow();
        if (lossWatch != null) {
            lossWatch.close();
        }
        if (rewarm != null) {
            rewarm.close();
        }
        if (orphanSweep != null) {
            orphanSweep.close();
        }
        if (debeziumTopics != null) {
            debeziumTopics.close();
        }
        if (election != null) {
            election.close();
        }
        if (backfill != null) {
            backfill.close();
        }
        // Before the materializer, so that nothing resumes a closing stream; a guard of the service beside is its own.
        if (guardedBy == null) {
            evictionGuard.close();
        } else {
            guardedBy.guarding.remove(this);
        }
        boolean clean = true;
        for (KafkaStreams s : streams) {
            clean &= s.close(STREAMS_CLOSE_TIMEOUT);
            if (!registered) {
                s.cleanUp(); // a replay's application is used once
            }
        }
        if (stateDirectory != null) {
            if (clean) {
                if (registered) {
                    recordChangelogs();
                }
                stateDirectory.markClean(); // every store is flushed and checkpointed: the next start reads it back
            }
            stateDirectory.close();
        }
        if (publisher != null) {
            publisher.close(); // after the materializer's last flush, so that its writes are counted
        }
        if (ownsRedis) {
            redis.close(); // last: everything above used it
        }
        lifecycle.moveTo(ServiceState.STOPPED, "stopped");
    }
}
