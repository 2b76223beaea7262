package io.warmer.capture.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.CaptureException;
import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.TableSchema;
import io.warmer.capture.TimestampFormat;
import io.warmer.capture.rows.ColumnType;
import io.warmer.capture.rows.ColumnTypes;
import io.warmer.change.ChangeTopics;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.SnapshotMarker;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import io.warmer.concurrent.DaemonThreads;
import io.warmer.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    /**
     * Chunks of one table read and not yet in Kafka: the reader reads the next chunk while the capture sends the last,
     * rather than waiting for each chunk's acknowledgement before its next query.
     */
    static final int CHUNKS_IN_FLIGHT = 2;

    private final PostgresEndpoint pg;
    private final Map<TableId, TableSchema> schemas;
    private final Map<TableId, Set<String>> reads;
    private final Map<TableId, Integer> partitions;
    private final String topicPrefix;
    private final KafkaClients kafka;
    private final SnapshotSettings settings;
    private final TimestampFormat timestamps;
    private final Producer<String, String> producer;
    private final boolean streamGap;
    private final Consumer<CompletedSnapshot> listener;
    private final ChunkWindows windows = new ChunkWindows(UUID.randomUUID().toString());
    private final Map<TableId, TableState> tables = new LinkedHashMap<>();
    private final ExecutorService readers;
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("warmer-snapshot-control"));
    private final CompletableFuture<Void> live = new CompletableFuture<>();
    private KafkaConsumer<String, String> requests;
    private Connection controlConnection;
    private volatile boolean closed;

    /**
     * @param schemas    every captured table with its primary key
     * @param reads      per table, the columns its families read
     * @param partitions the partition count of each table's change topic
     * @param producer   the capture's producer, for progress written outside the stream
     * @param streamGap  the stream cannot be trusted to hold every change since the last run (the slot was missing):
     *                   every table is snapshotted anew
     * @param listener   hears of every table whose snapshot is complete and not yet swept
     */
    public TableSnapshots(PostgresEndpoint pg, Map<TableId, TableSchema> schemas, Map<TableId, Set<String>> reads,
                          Map<TableId, Integer> partitions,
                          String topicPrefix, KafkaClients kafka, SnapshotSettings settings,
                          TimestampFormat timestamps, Producer<String, String> producer, boolean streamGap,
                          Consumer<CompletedSnapshot> listener) {
        this.pg = pg;
        this.schemas = Map.copyOf(schemas);
        this.reads = Map.copyOf(reads);
        this.partitions = Map.copyOf(partitions);
        this.topicPrefix = topicPrefix;
        this.kafka = kafka;
        this.settings = settings;
        this.timestamps = timestamps;
        this.producer = producer;
        this.streamGap = streamGap;
        this.listener = listener;
        this.readers = Executors.newFixedThreadPool(settings.threads(), DaemonThreads.named("warmer-snapshot-reader"));
        schemas.keySet().forEach(t -> tables.put(t, new TableState(t, schemas.get(t).primaryKey())));
    }

    // ---- the stream's side, called by the capture thread in stream order ----

    /** The stream delivered a change of {@code table}. */
    public void changeDelivered(TableId table, String key, long txId, Version version, String change) {
        windows.changeDelivered(table, key, txId, version, change);
    }

    /**
     * Reads the table's columns from the catalog again (the stream handed over a new row schema for it) and, when they
     * differ from those accepted at start or at the last recheck, snapshots the table anew so that every value has
     * the new shape. A column whose type changed keeps its old type in the snapshot's signature: the next start, which
     * accepts the new type, snapshots the table again for the families that stop until then.
     *
     * @return how the columns changed, or null when they did not
     */
    public ColumnsChange recheckColumns(TableId table) {
        TableState state = tables.get(table);
        if (state == null) {
            return null;
        }
        Map<String, String> now;
        try (Connection connection = PostgresPreflight.open(pg)) {
            now = typesOf(new ColumnTypes(connection).of(table));
        } catch (SQLException e) {
            throw new CaptureException("PostgreSQL at " + pg.address() + " could not tell the columns of " + table
                    + ": " + e.getMessage(), e);
        }
        ColumnsChange change = state.accept(now);
        if (change != null) {
            state.startNew("its columns changed: " + change);
        }
        return change;
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
            for (TableState state : tables.values()) {
                state.resume(new ColumnTypes(control()).of(state.table));
            }
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
        requests = kafka.consumer(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
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
        /** The chunks emitted into the stream and not acknowledged yet, the last one's progress; null when none. */
        private SnapshotProgress emitted;
        private long dropped;
        private Map<String, Long> orphans;
        /** The table's columns and its families' columns when its snapshot was (is being) read. */
        private Map<String, String> columns;
        private List<String> readColumns;
        /** The columns and types the families' values have in this run: the catalog's at start, then rechecked. */
        private Map<String, String> accepted;
        /** Columns whose type changed while this capture ran, with their type before ({@link #recheckColumns}). */
        private final Map<String, String> retypedFrom = new LinkedHashMap<>();
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
                    rows, chunks, orphans, System.currentTimeMillis(), columns, readColumns);
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
            columns = progress.columns();
            readColumns = progress.reads();
        }

        /** The catalog's columns now against those accepted: the change, accepted from now on (null when none). */
        synchronized ColumnsChange accept(Map<String, String> now) {
            if (accepted == null) {
                accepted = now;
                return null;
            }
            ColumnsChange change = ColumnsChange.between(table, accepted, now);
            if (change != null) {
                change.retyped().forEach(c -> retypedFrom.putIfAbsent(c, accepted.get(c)));
                accepted = now;
            }
            return change;
        }

        /** At start: go on from what is stored, unless the table's columns changed since its last snapshot. */
        void resume(Map<String, ColumnType> current) {
            SnapshotProgress.State known;
            String changed;
            synchronized (this) {
                known = state;
                changed = columnsChangedSince(current);
                accepted = typesOf(current); // what a start accepts; a recheck compares with it
            }
            if (streamGap) {
                startNew("the replication slot was missing, so changes made since the last run were not captured");
            } else if (known != null && changed != null) {
                startNew(changed);
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

        /** Why the stored snapshot does not fit the table and its families now, or null when it does. */
        private String columnsChangedSince(Map<String, ColumnType> current) {
            if (columns == null) {
                return null; // recorded before signatures were kept
            }
            Map<String, String> now = typesOf(current);
            if (!now.equals(columns)) {
                List<String> differences = new ArrayList<>();
                now.forEach((column, type) -> {
                    if (!columns.containsKey(column)) {
                        differences.add("added " + column);
                    } else if (!columns.get(column).equals(type)) {
                        differences.add(column + " " + columns.get(column) + " became " + type);
                    }
                });
                columns.keySet().stream().filter(c -> !now.containsKey(c)).forEach(c -> differences.add("dropped or renamed " + c));
                return "its columns changed since its last snapshot: " + String.join(", ", differences);
            }
            // Families that read other columns of the same table need no snapshot: the change topic carries whole rows.
            // A family whose columns changed is snapshotted at the materializer's request (io.warmer.backfill).
            return null;
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
                emitted = null;
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
                Map<String, ColumnType> types = new ColumnTypes(connection).of(table);
                ChunkReader reader = new ChunkReader(connection, table, primaryKey, types,
                        io.warmer.capture.rows.TableStorage.of(connection, table).toastable(), settings.chunkRows(),
                        timestamps);
                synchronized (this) {
                    Map<String, String> signature = typesOf(types);
                    retypedFrom.forEach((column, before) -> {
                        if (signature.containsKey(column)) {
                            signature.put(column, before); // the families accept the new type at the next start
                        }
                    });
                    columns = signature;
                    readColumns = readsOf(table);
                }
                String reading;
                String current = null;
                List<String> after = null;
                Deque<ChunkWindows.Window> unwritten = new ArrayDeque<>();
                while (!closed && (reading = running()) != null) {
                    if (!reading.equals(current)) {
                        awaitAll(unwritten); // a superseded snapshot's chunks are not written
                        current = reading;
                    }
                    if (unwritten.isEmpty()) {
                        after = cursorFor(reading); // everything read is in Kafka, or was refused: go on from there
                    } else if (unwritten.size() >= CHUNKS_IN_FLIGHT || unwritten.peekLast().read.join().last()) {
                        if (!awaitWritten(unwritten.removeFirst())) {
                            awaitAll(unwritten); // they are refused: they follow a chunk that was not written
                        }
                        continue;
                    }
                    ChunkWindows.Window window = windows.open(table, reading, after);
                    opened(window);
                    ChunkReader.ReadChunk chunk;
                    try {
                        chunk = reader.read(after, windows.markerOf(window),
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
                    unwritten.addLast(window);
                    after = chunk.nextCursor();
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

        private void awaitAll(Deque<ChunkWindows.Window> unwritten) throws InterruptedException {
            while (!unwritten.isEmpty()) {
                awaitWritten(unwritten.removeFirst());
            }
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
            // Progress counts on from the last chunk emitted, which the stream placed before this one. A chunk is
            // written only right after the one it follows: were an earlier one refused, its rows would be skipped.
            SnapshotProgress last = emitted != null ? emitted : progress();
            if (last.state() != SnapshotProgress.State.RUNNING || !Objects.equals(window.after, last.cursor())) {
                window.written.completeExceptionally(new IllegalStateException("not the next chunk"));
                return null;
            }
            List<ProducerRecord<String, String>> records = new ArrayList<>(chunk.rows().size() + 2);
            String fields = "\"version\":\"" + version.text() + "\",\"commitTimeMs\":" + chunk.readAtMs()
                    + ",\"table\":\"" + table.qualified() + "\",\"row\":";
            String prefix = "{\"op\":\"r\"," + fields;
            // Said only of a row as read: a row as of its marker comes partly from the stream's changes.
            String inlinePrefix = "{\"op\":\"r\",\"storedInline\":true," + fields;
            String suffix = retypedFrom.isEmpty() ? "}" : ",\"retyped\":"
                    + RowChangeCodec.writeJson(RowChangeCodec.json().valueToTree(retypedFrom.keySet())) + "}";
            long written = 0;
            for (ChunkReader.ChunkRow row : chunk.rows()) {
                // A row the stream delivered since the window opened is in the stream as it is now: the stream's
                // change, not this older read, is its latest record.
                if (!window.touched.contains(row.key())) {
                    records.add(new ProducerRecord<>(topic, row.key(),
                            (row.storedInline() ? inlinePrefix : prefix) + row.rowJson() + suffix));
                    written++;
                } else {
                    ObjectNode asOfMarker = ChunkWindows.asOfMarker(window, row.key(), parseRow(row.rowJson()));
                    if (asOfMarker != null) {
                        // Its latest change lacks TOASTed values: the row as of the marker, completed by the read.
                        records.add(new ProducerRecord<>(topic, row.key(),
                                prefix + RowChangeCodec.writeJson(asOfMarker) + suffix));
                        written++;
                    }
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
                    chunk.nextCursor(), last.rows() + written, last.chunks() + 1, null, System.currentTimeMillis(),
                    columns, readColumns);
            emitted = next;
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
            var progress = new ProducerRecord<>(ChangeTopics.snapshotTopic(topicPrefix), table.qualified(), next.toJson());
            return new Emission(records, progress, metadata -> {
                Map<Integer, Long> markers = new LinkedHashMap<>();
                for (int i = markersFrom; i < metadata.size(); i++) {
                    RecordMetadata m = metadata.get(i);
                    markers.put(m.partition(), m.offset());
                }
                acknowledged(next, droppedNow, markers);
                window.written.complete(writtenNow);
            }, error -> {
                refused(next);
                window.written.completeExceptionally(error);
            });
        }

        /** Kafka refused a chunk: the chunks emitted after it are not written either, and it is read again. */
        private synchronized void refused(SnapshotProgress next) {
            if (next.snapshot().equals(snapshot)) {
                emitted = null;
            }
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
                if (emitted != null && emitted.chunks() == next.chunks()) {
                    emitted = null; // every chunk emitted is acknowledged
                }
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
                        orphans, System.currentTimeMillis(), columns, readColumns);
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

    private static ObjectNode parseRow(String json) {
        try {
            return (ObjectNode) RowChangeCodec.json().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a chunk row that is not JSON: " + json, e);
        }
    }

    private static Map<String, String> typesOf(Map<String, ColumnType> types) {
        Map<String, String> names = new LinkedHashMap<>();
        types.forEach((column, type) -> names.put(column, type.name()));
        return names;
    }

    private List<String> readsOf(TableId table) {
        return reads.getOrDefault(table, Set.of()).stream().sorted().toList();
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

}
