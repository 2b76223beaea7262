package io.warmer.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.warmer.capture.snapshot.CompletedSnapshot;
import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.capture.snapshot.TableSnapshots;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.concurrent.DaemonThreads;
import io.warmer.kafka.KafkaClients;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.management.JMException;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures row changes of PostgreSQL tables into Kafka: the Debezium embedded engine streams on its own thread,
 * and {@link TableSnapshots} reads the tables in resumable chunks into the same stream. At-least-once: a row's
 * source offset is stored only after Kafka acknowledged its change.
 */
public final class PostgresCapture implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCapture.class);
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final CaptureSettings settings;
    private final AtomicReference<CaptureState> state = new AtomicReference<>(CaptureState.CREATED);
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final ExecutorService engineThread;
    private Producer<String, String> producer;
    private KafkaChangePublisher publisher;
    private TableSnapshots snapshots;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    private PostgresCapture(CaptureSettings settings) {
        this.settings = settings;
        this.engineThread = Executors.newSingleThreadExecutor(DaemonThreads.named("warmer-capture-" + settings.slotName()));
    }

    /**
     * Checks the database, creates the change topics and starts the engine.
     *
     * @param requiredColumns columns each table must have, checked before anything starts
     * @throws CaptureException naming what is wrong and how to fix it
     */
    public static PostgresCapture start(CaptureSettings settings, Map<TableId, Set<String>> requiredColumns) {
        return start(settings, requiredColumns, schemas -> { }, completed -> { });
    }

    /**
     * @param schemaCheck further checks of the tables' schemas before anything starts; throws to refuse
     * @param completed   hears of each table whose snapshot is complete and whose keys of no row are still to be
     *                    removed (on the capture thread: hand the work to another)
     */
    public static PostgresCapture start(CaptureSettings settings, Map<TableId, Set<String>> requiredColumns,
                                        Consumer<Map<TableId, TableSchema>> schemaCheck,
                                        Consumer<CompletedSnapshot> completed) {
        PostgresCapture capture = new PostgresCapture(settings);
        capture.startEngine(requiredColumns, schemaCheck, completed);
        return capture;
    }

    private void startEngine(Map<TableId, Set<String>> requiredColumns, Consumer<Map<TableId, TableSchema>> schemaCheck,
                             Consumer<CompletedSnapshot> completed) {
        transition(CaptureState.CREATED, CaptureState.STARTING);
        try {
            Map<TableId, TableSchema> schemas = PostgresPreflight.check(settings.postgres(), settings.tables(),
                    requiredColumns);
            schemaCheck.accept(schemas);
            List<NewTopic> topics = new ArrayList<>(ChangeTopicProvisioner.changeTopics(settings.topicPrefix(),
                    settings.tables(), settings.partitions(), settings.replicationFactor()));
            topics.add(ChangeTopicProvisioner.compacted(settings.snapshotTopic(), 1, settings.replicationFactor()));
            ChangeTopicProvisioner.ensureTopics(settings.kafka(), topics);
            boolean streamGap = StreamContinuity.hasGap(settings);
            producer = producer(settings.kafka());
            snapshots = new TableSnapshots(settings.postgres(), schemas, requiredColumns, ChangeTopicProvisioner.partitionCounts(
                    settings.kafka(), settings.tables().stream().collect(
                            java.util.stream.Collectors.toMap(t -> t, settings::topicFor))),
                    settings.topicPrefix(), settings.kafka(), settings.snapshot(), settings.timestamps(),
                    producer, streamGap, completed);
            publisher = new KafkaChangePublisher(producer, ChangeTopics.deadLetterTopic(settings.topicPrefix()),
                    settings.timestamps(), snapshots);
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(DebeziumProperties.of(settings))
                    .using(this::engineCompleted)
                    .notifying(publisher)
                    .build();
        } catch (RuntimeException e) {
            state.set(CaptureState.FAILED);
            closeSnapshots();
            closeProducer();
            termination.completeExceptionally(e);
            throw e;
        }
        transition(CaptureState.STARTING, CaptureState.RUNNING);
        engineThread.execute(engine);
        snapshots.start();
        LOG.info("Capturing {} from {} into topics {}.*", settings.tables(), settings.postgres().address(),
                settings.topicPrefix());
    }

    private void engineCompleted(boolean success, String message, Throwable error) {
        CaptureState previous = state.getAndUpdate(s -> s == CaptureState.STOPPING ? CaptureState.STOPPED
                : success ? CaptureState.STOPPED : CaptureState.FAILED);
        if (previous != CaptureState.STOPPING && (!success || error != null)) {
            LOG.error("Change capture from {} stopped: {}", settings.postgres().address(), message, error);
            state.set(CaptureState.FAILED);
            termination.completeExceptionally(new CaptureException("Change capture from PostgreSQL at "
                    + settings.postgres().address() + " stopped: " + message, error));
        } else {
            termination.complete(null);
        }
    }

    public CaptureState state() {
        return state.get();
    }

    /** Completes when the engine stops; exceptionally when it stopped on an error. */
    public CompletableFuture<Void> termination() {
        return termination;
    }

    /** Change records acknowledged by Kafka since start (tombstones included). */
    public long publishedChanges() {
        return publisher == null ? 0 : publisher.published();
    }

    /**
     * A WAL position such that every change of the captured tables committed before it has been acknowledged by
     * Kafka; -1 before anything. To wait for a point in time, write a logical decoding message there (its position
     * is delivered like a commit) or wait for the next heartbeat.
     */
    public long acknowledgedPosition() {
        return publisher == null ? -1 : publisher.acknowledgedPosition();
    }

    /** Whether every captured table has been snapshotted whole, by this run or an earlier one. */
    public boolean snapshotCompleted() {
        return snapshots != null && snapshots.allComplete();
    }

    /** Each captured table's snapshot as this capture knows it (null for a table whose progress is not read yet). */
    public Map<TableId, SnapshotProgress> snapshotProgress() {
        return snapshots == null ? Map.of() : snapshots.progress();
    }

    /** Records that the keys of {@code table}'s families no row accounts for were removed after its snapshot. */
    public void recordSwept(TableId table, String snapshot, Map<String, Long> orphansByFamily) {
        if (snapshots != null) {
            snapshots.recordSwept(table, snapshot, orphansByFamily);
        }
    }

    /**
     * The MBean the connector registers its metrics under: the connector is named by its topic prefix, which config
     * validation keeps JMX-safe.
     *
     * @param context {@code snapshot} or {@code streaming}
     */
    public static ObjectName connectorMetrics(String topicPrefix, String context) throws JMException {
        return new ObjectName("debezium.postgres:type=connector-metrics,context=" + context + ",server=" + topicPrefix);
    }

    /** Stops the snapshot readers, the engine (it stores the offsets of everything acknowledged), then the producer. */
    @Override
    public void close() {
        closeSnapshots();
        if (!state.compareAndSet(CaptureState.RUNNING, CaptureState.STOPPING)) {
            closeProducer();
            engineThread.shutdownNow();
            return;
        }
        try {
            engine.close();
            engineThread.shutdown();
            if (!engineThread.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("The capture engine did not stop within {} s; stopping it hard.", STOP_TIMEOUT_SECONDS);
                engineThread.shutdownNow();
            }
        } catch (IOException e) {
            LOG.warn("The capture engine did not close cleanly: {}", e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            engineThread.shutdownNow();
        } finally {
            closeProducer();
            state.compareAndSet(CaptureState.STOPPING, CaptureState.STOPPED);
            termination.complete(null);
        }
    }

    private void closeSnapshots() {
        if (snapshots != null) {
            snapshots.close();
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close();
        }
    }

    private void transition(CaptureState from, CaptureState to) {
        if (!state.compareAndSet(from, to)) {
            throw new IllegalStateException("capture is " + state.get() + ", expected " + from);
        }
        LOG.debug("Capture {} -> {}", from, to);
    }

    /**
     * A producer of change and progress records, as every one of them is configured: acknowledged by all in-sync
     * replicas and idempotent, so that a retried send neither loses nor reorders a change. The caller closes it.
     */
    public static KafkaProducer<String, String> producer(KafkaClients kafka) {
        return kafka.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new StringSerializer());
    }
}
