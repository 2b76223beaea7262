package io.warmer.capture.snapshot;

import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.TableSchema;
import io.warmer.capture.TimestampFormat;
import io.warmer.capture.rows.ColumnTypes;
import io.warmer.change.ChangeTopics;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.SnapshotMarker;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots the captured tables while Debezium streams: each table is read in chunks by primary key on threads of
 * its own, and each chunk is placed into the stream at its marker ({@link ChunkWindows}) with the marker's version.
 * Progress is stored on {@code <prefix>.snapshots} with every chunk, so that a crash repeats at most the chunk in
 * flight; a table is snapshotted when it has never been, when {@code warmer snapshot} or a truncate asks for it, or
 * when the stream has a gap (the replication slot was gone). Once a table's snapshot is complete, its markers go to
 * every partition of its change topic and the listeners hear of it, so that keys no row accounts for are removed.
 */
public final class TableSnapshots implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TableSnapshots.class);

    static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
    static final Duration CONTROL_INTERVAL = Duration.ofSeconds(1);
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    /** A snapshot behind the stream (a transaction committed but not visible yet) is taken again after this. */
    static final Duration BEHIND_STREAM_PAUSE = Duration.ofMillis(20);
    static final Duration READ_TOPIC_LIMIT = Duration.ofSeconds(60);

    private final PostgresEndpoint pg;
    private final Map<TableId, TableSchema> schemas;
    private final Map<TableId, Integer> partitions;
    private final String topicPrefix;
    private final String bootstrapServers;
    private final SnapshotSettings settings;
    private final TimestampFormat timestamps;
    private final Producer<String, String> producer;
    private final boolean streamGap;
    private final Consumer<CompletedSnapshot> listener;
    private final ChunkWindows windows = new ChunkWindows(UUID.randomUUID().toString());
    private final Map<TableId, TableState> tables = new LinkedHashMap<>();
    private final ExecutorService readers;
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(
            daemon("warmer-snapshot-control"));
    private final CompletableFuture<Void> live = new CompletableFuture<>();
    private KafkaConsumer<String, String> requests;
    private Connection controlConnection;
    private volatile boolean closed;

    /**
     * @param schemas    every captured table with its primary key
     * @param partitions the partition count of each table's change topic
     * @param producer   the capture's producer, for progress written outside the stream
     * @param streamGap  the stream cannot be trusted to hold every change since the last run (the slot was missing):
     *                   every table is snapshotted anew
     * @param listener   hears of every table whose snapshot is complete and not yet swept
     */
    public TableSnapshots(PostgresEndpoint pg, Map<TableId, TableSchema> schemas, Map<TableId, Integer> partitions,
                          String topicPrefix, String bootstrapServers, SnapshotSettings settings,
                          TimestampFormat timestamps, Producer<String, String> producer, boolean streamGap,
                          Consumer<CompletedSnapshot> listener) {
        this.pg = pg;
        this.schemas = Map.copyOf(schemas);
        this.partitions = Map.copyOf(partitions);
        this.topicPrefix = topicPrefix;
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.timestamps = timestamps;
        this.producer = producer;
        this.streamGap = streamGap;
        this.listener = listener;
        this.readers = Executors.newFixedThreadPool(settings.threads(), daemon("warmer-snapshot-reader"));
        schemas.keySet().forEach(t -> tables.put(t, new TableState(t, schemas.get(t).primaryKey())));
    }

    // ---- the stream's side, called by the capture thread in stream order ----

    /** The stream delivered a change of {@code table}. */
    public void changeDelivered(TableId table, String key, long txId, Version version) {
        windows.changeDelivered(table, key, txId, version);
    }

    /** The stream delivered a truncate of {@code table}: its keys are removed by a new snapshot. */
    public void truncated(TableId table, Version version) {
        windows.truncated(table, version);
        TableState state = tables.get(table);
        if (state != null) {
            LOG.info("Table {} was truncated: snapshotting it anew, so that its keys are removed.", table);
            state.startNew("the table was truncated");
        }
    }

    /**
     * The stream delivered one of Warmer's logical decoding messages at {@code lsn}.
     *
     * @return what to write at this point of the stream, or null
     */
    public Emission messageDelivered(String content, long lsn) throws InterruptedException {
        if (windows.isProbe(content)) {
            windows.advancedTo(lsn);
            live.complete(null);
            return null;
        }
        ChunkWindows.Window window = windows.markerDelivered(content, lsn);
        if (window == null) {
            return null;
        }
        return tables.get(window.table).emission(window, window.read.join(), Version.snapshot(lsn));
    }

    /** The stream's position: every change committed before it has been delivered. */
    public long position() {
        return windows.position();
    }

    // ---- lifecycle ----

    /** Starts once the stream is live: probes it, reads the stored progress, then snapshots what needs it. */
    public void start() {
        control.execute(this::probeUntilLive);
    }

    /** Whether every captured table has been read whole at least once (by this or an earlier run). */
    public boolean allComplete() {
        return tables.values().stream().allMatch(TableState::done);
    }

    /** Each table's progress as this process knows it; null for a table whose progress is not read yet. */
    public Map<TableId, SnapshotProgress> progress() {
        Map<TableId, SnapshotProgress> progress = new LinkedHashMap<>();
        tables.forEach((table, state) -> progress.put(table, state.progress()));
        return progress;
    }

    /** Records that the keys of {@code table}'s families that no row accounts for were removed. */
    public void recordSwept(TableId table, String snapshot, Map<String, Long> orphans) {
        TableState state = tables.get(table);
        if (state != null) {
            state.swept(snapshot, orphans);
        }
    }

    @Override
    public void close() {
        closed = true;
        readers.shutdownNow();
        control.shutdownNow();
        try {
            readers.awaitTermination(10, TimeUnit.SECONDS);
            control.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (requests != null) {
            requests.close();
        }
        closeQuietly(controlConnection);
    }

    // ---- the control thread ----

    private void probeUntilLive() {
        if (closed) {
            return;
        }
        try {
            if (!live.isDone()) {
                emit(windows.probe());
                control.schedule(this::probeUntilLive, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            readStoredProgress();
            tables.values().forEach(TableState::resume);
            control.scheduleWithFixedDelay(this::tend, CONTROL_INTERVAL.toMillis(), CONTROL_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException | SQLException e) {
            LOG.warn("The snapshot cannot start yet ({}); trying again in {} s.", e.getMessage(),
                    RETRY_AFTER.toSeconds());
            closeQuietly(controlConnection);
            controlConnection = null;
            control.schedule(this::probeUntilLive, RETRY_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Every second: requests from {@code warmer snapshot}, failed readers to restart, delivered transactions to confirm. */
    private void tend() {
        if (closed) {
            return;
        }
        try {
            for (ConsumerRecord<String, String> record : requests.poll(Duration.ZERO)) {
                onProgressRecord(record, true);
            }
            tables.values().forEach(TableState::restartIfDue);
            if (windows.unconfirmedCount() > 0) {
                windows.confirm(currentSnapshot());
            }
        } catch (RuntimeException | SQLException e) {
            LOG.debug("Snapshot housekeeping failed: {}", e.getMessage());
            closeQuietly(controlConnection);
            controlConnection = null;
        }
    }

    private void readStoredProgress() {
        String topic = ChangeTopics.snapshotTopic(topicPrefix);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        requests = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> assigned = requests.partitionsFor(topic, READ_TOPIC_LIMIT).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        requests.assign(assigned);
        requests.seekToBeginning(assigned);
        Map<TopicPartition, Long> end = requests.endOffsets(assigned, READ_TOPIC_LIMIT);
        long deadline = System.nanoTime() + READ_TOPIC_LIMIT.toNanos();
        while (assigned.stream().anyMatch(tp -> requests.position(tp, READ_TOPIC_LIMIT) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end within "
                        + READ_TOPIC_LIMIT.toSeconds() + " s");
            }
            requests.poll(Duration.ofMillis(200)).forEach(record -> onProgressRecord(record, false));
        }
    }

    private void onProgressRecord(ConsumerRecord<String, String> record, boolean live) {
        if (record.value() == null) {
            return;
        }
        SnapshotProgress progress;
        try {
            progress = SnapshotProgress.fromJson(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring a record on {} that is not snapshot progress: {}", record.topic(), e.getMessage());
            return;
        }
        TableState state = tables.get(progress.tableId());
        if (state == null) {
            if (live && progress.state() == SnapshotProgress.State.REQUESTED) {
                LOG.warn("A snapshot of {} was requested, but this capture does not capture that table (it captures {}).",
                        progress.table(), tables.keySet());
            }
            return;
        }
        if (live) {
            if (progress.state() == SnapshotProgress.State.REQUESTED) {
                state.startRequested(progress.snapshot());
            }
        } else {
            state.stored(progress);
        }
    }

    private TransactionSnapshot currentSnapshot() throws SQLException {
        try (PreparedStatement st = control().prepareStatement("SELECT pg_current_snapshot()::text");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return TransactionSnapshot.parse(rs.getString(1));
        }
    }

    private void emit(String content) throws SQLException {
        try (PreparedStatement st = control().prepareStatement(
                "SELECT pg_logical_emit_message(false, '" + ChunkReader.MESSAGE_PREFIX + "', ?)")) {
            st.setString(1, content);
            st.executeQuery().close();
        }
    }

    private Connection control() {
        if (controlConnection == null) {
            controlConnection = PostgresPreflight.open(pg);
        }
        return controlConnection;
    }

    // ---- one table ----

    /** One table's snapshot: what is stored, what is in flight, and the reader that reads it. */
    private final class TableState {
        final TableId table;
        final String topic;
        final List<String> primaryKey;
        private String snapshot;
        private SnapshotProgress.State state;
        private Version startVersion;
        private List<String> cursor;
        private long rows;
        private long chunks;
        private long dropped;
        private Map<String, Long> orphans;
        private long startedNanos;
        private boolean reading;
        private long restartAt = Long.MAX_VALUE;

        TableState(TableId table, List<String> primaryKey) {
            this.table = table;
            this.topic = ChangeTopics.topicFor(topicPrefix, table);
            this.primaryKey = primaryKey;
        }

        synchronized boolean done() {
            return state != null && state.done();
        }

        synchronized SnapshotProgress progress() {
            return snapshot == null ? null : new SnapshotProgress(table.qualified(), snapshot, state, startVersion, cursor,
                    rows, chunks, orphans, System.currentTimeMillis());
        }

        /** What the topic holds from earlier runs, latest last. */
        synchronized void stored(SnapshotProgress progress) {
            if (progress.state() == SnapshotProgress.State.REQUESTED && progress.snapshot().equals(snapshot)) {
                return; // the request of the snapshot already recorded after it
            }
            snapshot = progress.snapshot();
            state = progress.state();
            startVersion = progress.startVersion();
            cursor = progress.cursor();
            rows = progress.rows();
            chunks = progress.chunks();
            orphans = progress.orphans();
        }

        /** At start: go on from what is stored. */
        void resume() {
            SnapshotProgress.State known;
            synchronized (this) {
                known = state;
            }
            if (streamGap) {
                startNew("the replication slot was missing, so changes made since the last run were not captured");
            } else if (known == null) {
                startNew("never snapshotted");
            } else if (known == SnapshotProgress.State.REQUESTED) {
                startRequested(snapshotId());
            } else if (known == SnapshotProgress.State.RUNNING) {
                LOG.info("Snapshot of {}: resuming after {} rows in {} chunks.", table, rows(), chunksRead());
                read();
            } else if (known == SnapshotProgress.State.COMPLETE) {
                listener.accept(new CompletedSnapshot(table, snapshotId(), startVersionOrZero(), Map.of()));
            }
        }

        synchronized String snapshotId() {
            return snapshot;
        }

        private synchronized long rows() {
            return rows;
        }

        private synchronized long chunksRead() {
            return chunks;
        }

        private synchronized Version startVersionOrZero() {
            return startVersion == null ? Version.ZERO : startVersion;
        }

        void startNew(String why) {
            startRequested(UUID.randomUUID().toString(), why);
        }

        void startRequested(String requested) {
            startRequested(requested, "requested");
        }

        private void startRequested(String requested, String why) {
            synchronized (this) {
                if (requested.equals(snapshot) && state != SnapshotProgress.State.REQUESTED) {
                    return; // already running or done
                }
                snapshot = requested;
                state = SnapshotProgress.State.RUNNING;
                startVersion = null;
                cursor = null;
                rows = 0;
                chunks = 0;
                dropped = 0;
                orphans = null;
                startedNanos = System.nanoTime();
            }
            LOG.info("Snapshot of {} starts ({}).", table, why);
            read();
        }

        /** Starts the reader unless one runs; a reader of a superseded snapshot ends by itself. */
        void read() {
            synchronized (this) {
                if (reading || closed) {
                    return;
                }
                reading = true;
                restartAt = Long.MAX_VALUE;
                if (startedNanos == 0) {
                    startedNanos = System.nanoTime();
                }
            }
            readers.execute(this::readChunks);
        }

        synchronized void restartIfDue() {
            if (!reading && System.nanoTime() >= restartAt) {
                restartAt = Long.MAX_VALUE;
                control.execute(this::read);
            }
        }

        /**
         * Reads chunk after chunk until the current snapshot is complete. A new snapshot requested meanwhile (a
         * truncate, {@code warmer snapshot}) supersedes the one being read: its chunk is not written, and the loop
         * goes on with the new one from its first row.
         */
        private void readChunks() {
            try (Connection connection = PostgresPreflight.open(pg)) {
                ChunkReader reader = new ChunkReader(connection, table, primaryKey, new ColumnTypes(connection).of(table),
                        settings.chunkRows(), timestamps);
                String reading;
                while (!closed && (reading = running()) != null) {
                    ChunkWindows.Window window = windows.open(table, reading);
                    opened(window);
                    ChunkReader.ReadChunk chunk;
                    try {
                        chunk = reader.read(cursorFor(reading), windows.markerOf(window),
                                snapshot -> windows.missesDelivered(window, snapshot));
                    } catch (ChunkReader.SnapshotBehindStream e) {
                        windows.close(window);
                        Thread.sleep(BEHIND_STREAM_PAUSE.toMillis());
                        continue;
                    } catch (SQLException | RuntimeException e) {
                        windows.close(window);
                        window.read.completeExceptionally(e);
                        throw e;
                    }
                    windows.confirm(chunk.snapshot());
                    window.read.complete(chunk);
                    awaitWritten(window);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Snapshot of {}: reading a chunk failed ({}); trying again in {} s.", table,
                            e.getMessage(), RETRY_AFTER.toSeconds());
                    synchronized (this) {
                        restartAt = System.nanoTime() + RETRY_AFTER.toNanos();
                    }
                }
            } finally {
                boolean again;
                synchronized (this) {
                    reading = false;
                    // A snapshot requested just as this reader finished found it still reading.
                    again = !closed && restartAt == Long.MAX_VALUE && state == SnapshotProgress.State.RUNNING;
                }
                if (again) {
                    read();
                }
            }
        }

        /** The snapshot to read now, or null when none is running. */
        private synchronized String running() {
            return state == SnapshotProgress.State.RUNNING ? snapshot : null;
        }

        /** Waits for the chunk's rows to be in Kafka; false when they were not written (the chunk is read again). */
        private boolean awaitWritten(ChunkWindows.Window window) throws InterruptedException {
            while (!closed) {
                try {
                    window.written.get(1, TimeUnit.SECONDS);
                    return true;
                } catch (TimeoutException e) {
                    // the stream has not reached the marker yet
                } catch (ExecutionException e) {
                    LOG.debug("Snapshot of {}: a chunk was not written ({}); reading it again.", table,
                            e.getCause().getMessage());
                    return false;
                }
            }
            return false;
        }

        private synchronized List<String> cursorFor(String reading) {
            return reading.equals(snapshot) ? cursor : null;
        }

        /** Every value written for a row from the window's opening on has a version at or above its opening. */
        private synchronized void opened(ChunkWindows.Window window) {
            if (window.snapshot.equals(snapshot) && (startVersion == null || window.openedAt.compareTo(startVersion) < 0)) {
                startVersion = window.openedAt;
            }
        }

        /** The capture thread, at the chunk's marker: the records that put the chunk into the stream here. */
        synchronized Emission emission(ChunkWindows.Window window, ChunkReader.ReadChunk chunk, Version version) {
            if (!window.snapshot.equals(snapshot) || window.truncated || state != SnapshotProgress.State.RUNNING) {
                window.written.completeExceptionally(new IllegalStateException("superseded"));
                return null;
            }
            List<ProducerRecord<String, String>> records = new ArrayList<>(chunk.rows().size() + 2);
            String prefix = "{\"op\":\"r\",\"version\":\"" + version.text() + "\",\"commitTimeMs\":" + chunk.readAtMs()
                    + ",\"table\":\"" + table.qualified() + "\",\"row\":";
            long written = 0;
            for (ChunkReader.ChunkRow row : chunk.rows()) {
                // A row the stream delivered since the window opened is in the stream as it is now: the stream's
                // change, not this older read, is its latest record.
                if (!window.touched.contains(row.key())) {
                    records.add(new ProducerRecord<>(topic, row.key(), prefix + row.rowJson() + "}"));
                    written++;
                }
            }
            for (ChunkReader.UnrenderableRow row : chunk.unrenderable()) {
                if (!window.touched.contains(row.key())) {
                    records.add(deadLetter(row));
                }
            }
            long droppedNow = chunk.rows().size() - written;
            SnapshotProgress next = new SnapshotProgress(table.qualified(), snapshot,
                    chunk.last() ? SnapshotProgress.State.COMPLETE : SnapshotProgress.State.RUNNING, startVersion,
                    chunk.nextCursor(), rows + written, chunks + 1, null, System.currentTimeMillis());
            records.add(new ProducerRecord<>(ChangeTopics.snapshotTopic(topicPrefix), table.qualified(), next.toJson()));
            int markersFrom = records.size();
            if (chunk.last()) {
                SnapshotMarker marker = new SnapshotMarker(table.qualified(), snapshot, startVersion);
                for (int p = 0; p < partitions.getOrDefault(table, 1); p++) {
                    var record = new ProducerRecord<>(topic, p, SnapshotMarker.keyFor(p), marker.toJson());
                    record.headers().add(SnapshotMarker.HEADER, SnapshotMarker.headerValue());
                    records.add(record);
                }
            }
            long writtenNow = written;
            return new Emission(records, metadata -> {
                Map<Integer, Long> markers = new LinkedHashMap<>();
                for (int i = markersFrom; i < metadata.size(); i++) {
                    RecordMetadata m = metadata.get(i);
                    markers.put(m.partition(), m.offset());
                }
                acknowledged(next, droppedNow, markers);
                window.written.complete(writtenNow);
            }, window.written::completeExceptionally);
        }

        private void acknowledged(SnapshotProgress next, long droppedNow, Map<Integer, Long> markers) {
            double seconds;
            synchronized (this) {
                if (!next.snapshot().equals(snapshot)) {
                    return;
                }
                state = next.state();
                cursor = next.cursor();
                rows = next.rows();
                chunks = next.chunks();
                dropped += droppedNow;
                seconds = (System.nanoTime() - startedNanos) / 1e9;
            }
            if (next.state() == SnapshotProgress.State.COMPLETE) {
                LOG.info("Snapshot of {} complete: {} rows in {} chunks, {} s ({} rows changed while read came from the"
                        + " stream instead).", table, next.rows(), next.chunks(), String.format("%.1f", seconds),
                        dropped);
                listener.accept(new CompletedSnapshot(table, next.snapshot(), next.startVersion(), markers));
            }
        }

        void swept(String sweptSnapshot, Map<String, Long> removed) {
            SnapshotProgress record;
            synchronized (this) {
                if (!sweptSnapshot.equals(snapshot) || state != SnapshotProgress.State.COMPLETE) {
                    return;
                }
                state = SnapshotProgress.State.SWEPT;
                orphans = Map.copyOf(removed);
                record = new SnapshotProgress(table.qualified(), snapshot, state, startVersion, cursor, rows, chunks,
                        orphans, System.currentTimeMillis());
            }
            producer.send(new ProducerRecord<>(ChangeTopics.snapshotTopic(topicPrefix), table.qualified(), record.toJson()),
                    (metadata, error) -> {
                        if (error != null) {
                            LOG.warn("Could not record that the orphans of {} were removed: {}", table, error.getMessage());
                        }
                    });
        }

        private ProducerRecord<String, String> deadLetter(ChunkReader.UnrenderableRow row) {
            var record = new ProducerRecord<>(ChangeTopics.deadLetterTopic(topicPrefix), row.key(), row.text());
            record.headers().add(DeadLetterHeaders.REASON, row.reason().getBytes(StandardCharsets.UTF_8));
            record.headers().add(DeadLetterHeaders.SOURCE_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
            record.headers().add(DeadLetterHeaders.TABLE, table.qualified().getBytes(StandardCharsets.UTF_8));
            return record;
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
