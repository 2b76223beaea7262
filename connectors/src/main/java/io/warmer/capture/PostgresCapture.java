package io.warmer.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.embedded.Connect;
import io.debezium.engine.format.ChangeEventFormat;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.source.SourceRecord;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures row changes of PostgreSQL tables into Kafka: an initial snapshot, then streaming, with the
 * Debezium embedded engine on its own thread. At-least-once: a row's source offset is stored only
 * after Kafka acknowledged its change.
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
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    private PostgresCapture(CaptureSettings settings) {
        this.settings = settings;
        this.engineThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warmer-capture-" + settings.slotName());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks the database, creates the change topics and starts the engine.
     *
     * @param requiredColumns columns each table must have, checked before anything starts
     * @throws CaptureException naming what is wrong and how to fix it
     */
    public static PostgresCapture start(CaptureSettings settings, Map<TableId, Set<String>> requiredColumns) {
        return start(settings, requiredColumns, schemas -> { });
    }

    /**
     * @param schemaCheck further checks of the tables' schemas before anything starts; throws to refuse
     */
    public static PostgresCapture start(CaptureSettings settings, Map<TableId, Set<String>> requiredColumns,
                                        java.util.function.Consumer<Map<TableId, TableSchema>> schemaCheck) {
        PostgresCapture capture = new PostgresCapture(settings);
        capture.startEngine(requiredColumns, schemaCheck);
        return capture;
    }

    private void startEngine(Map<TableId, Set<String>> requiredColumns,
                             java.util.function.Consumer<Map<TableId, TableSchema>> schemaCheck) {
        transition(CaptureState.CREATED, CaptureState.STARTING);
        try {
            schemaCheck.accept(PostgresPreflight.check(settings.postgres(), settings.tables(), requiredColumns));
            List<NewTopic> topics = new ArrayList<>();
            for (TableId table : settings.tables()) {
                topics.add(ChangeTopicProvisioner.compacted(settings.topicFor(table), settings.partitions(),
                        settings.replicationFactor()));
            }
            topics.add(ChangeTopicProvisioner.deleteAfterRetention(ChangeTopics.deadLetterTopic(settings.topicPrefix()),
                    settings.partitions(), settings.replicationFactor()));
            ChangeTopicProvisioner.ensureTopics(settings.kafkaBootstrapServers(), topics);
            producer = new KafkaProducer<>(producerProperties(settings.kafkaBootstrapServers()));
            publisher = new KafkaChangePublisher(producer, ChangeTopics.deadLetterTopic(settings.topicPrefix()),
                    settings.timestamps());
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(DebeziumProperties.of(settings))
                    .using(this::engineCompleted)
                    .notifying(publisher)
                    .build();
        } catch (RuntimeException e) {
            state.set(CaptureState.FAILED);
            closeProducer();
            termination.completeExceptionally(e);
            throw e;
        }
        transition(CaptureState.STARTING, CaptureState.RUNNING);
        engineThread.execute(engine);
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
     * The highest source version (PostgreSQL LSN) whose change Kafka has acknowledged; every earlier
     * change of the captured tables has been acknowledged too. 0 before the first change.
     */
    public long acknowledgedVersion() {
        return publisher == null ? 0 : publisher.lastVersion();
    }

    /**
     * Whether the initial snapshot is complete (or was completed by an earlier run). Read from the
     * connector's own snapshot metrics, which also covers tables that had no rows to snapshot.
     */
    public boolean snapshotCompleted() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            // Streaming starts only after the snapshot, and is all there is when resuming from offsets.
            return attributeIsTrue(server, connectorMetrics("snapshot"), "SnapshotCompleted")
                    || attributeIsTrue(server, connectorMetrics("streaming"), "Connected");
        } catch (JMException e) {
            LOG.debug("Cannot read the connector metrics: {}", e.getMessage());
            return false;
        }
    }

    private static boolean attributeIsTrue(MBeanServer server, ObjectName name, String attribute) throws JMException {
        return server.isRegistered(name) && Boolean.TRUE.equals(server.getAttribute(name, attribute));
    }

    private ObjectName connectorMetrics(String context) throws JMException {
        return connectorMetrics(settings.topicPrefix(), context);
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

    /** Stops the engine (it stores the offsets of everything acknowledged) and then the producer. */
    @Override
    public void close() {
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

    static Properties producerProperties(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }
}
