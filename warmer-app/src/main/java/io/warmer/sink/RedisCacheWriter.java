package io.warmer.sink;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.warmer.family.CacheWrite;
import io.warmer.redis.RedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Pipelines writes over one connection with auto-flush off: commands go out every {@code pipeline}
 * writes and are awaited in bulk, which is what makes a snapshot of millions of rows fast.
 *
 * <p>The same code serves a standalone Redis and a Redis Cluster: both Lettuce connections speak
 * {@link RedisClusterAsyncCommands}. On a cluster connection each command is routed to the node that owns
 * its slot (following MOVED and ASK), every node connection buffers its own pipeline, and
 * {@code flushCommands()} flushes them all. Every command here touches one slot: a fenced write's two keys
 * share it by construction ({@link FencedWrites#versionKeyOf}).
 */
final class RedisCacheWriter implements CacheWriter {

    /** Past this many unacknowledged writes, submit waits: bounds memory when Redis is slower than Kafka. */
    static final int MAX_UNACKNOWLEDGED = 16_384;
    /**
     * Past this many characters of keys and values unacknowledged, submit waits too. Besides memory, it bounds what
     * still lands after the eviction guard paused writing: with values of 1 kB, 16,384 writes in flight are 16 MiB,
     * all of which can evict. Values of a few hundred bytes reach the count first, as before.
     */
    static final long MAX_UNACKNOWLEDGED_BYTES = 4L * 1024 * 1024;

    /**
     * Scripted writes per script call. Redis and the client pay a fixed cost per call (a script call is
     * dearer than a SET); 64 writes share it, and still keep Redis busy for well under a millisecond.
     */
    static final int SCRIPT_BATCH = 64;

    /**
     * While awaiting acknowledgements, flush again this often. A cluster command that had to wait for its
     * node's connection, or that was redirected (MOVED/ASK) to another node, can reach that node's buffer
     * after the last flush (lettuce issues 1111 and 2420); without another flush it would wait forever.
     */
    static final Duration REFLUSH_INTERVAL = Duration.ofMillis(50);

    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final String address;
    private final int pipeline;
    private final Duration timeout;
    private final SinkCounters counters;
    /** Commands sent and not yet acknowledged, with the writes each carries. */
    private final List<Sent> pending = new ArrayList<>();
    /** Scripted writes not sent yet, by hash slot (all in slot 0 on a standalone Redis). */
    private final Map<Integer, ScriptBatch> open = new HashMap<>();
    private final boolean cluster;
    /** Writes submitted since the last acknowledgement, buffered in {@link #open} or sent: kept, not counted. */
    private int outstandingWrites;
    private long outstandingBytes;
    private int writesSinceFlush;
    private final String scriptSha;

    /**
     * @param redis a new connection with auto-flush still on; the writer owns and closes it
     */
    RedisCacheWriter(RedisConnection<String, String> redis, int pipeline, Duration timeout, SinkCounters counters) {
        this.connection = redis.stateful();
        this.redis = redis.async();
        this.address = redis.address();
        this.pipeline = pipeline;
        this.timeout = timeout;
        this.counters = counters;
        this.cluster = redis.cluster();
        this.scriptSha = loadScript(redis);
        connection.setAutoFlushCommands(false);
    }

    /**
     * Loaded on every new connection: a Redis restart empties the script cache, and the retried batch then
     * arrives here again. On a cluster this also opens the connections to the nodes before the first write needs
     * them.
     */
    private String loadScript(RedisConnection<String, String> redis) {
        try {
            return FencedWrites.SCRIPT.load(redis, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.close();
            throw new CacheWriteException("Interrupted while loading the fencing script into Redis at " + address
                    + "; the task will be retried.", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            connection.close();
            throw new CacheWriteException("Could not load the fencing script into Redis at " + address + ": "
                    + (e instanceof ExecutionException ? e.getCause().getMessage() : String.valueOf(e.getMessage()))
                    + "; the task will be retried. Check that Redis is up and that the user may run SCRIPT LOAD.", e);
        }
    }

    @Override
    public void submit(String family, CacheWrite write) {
        SinkCounters.WriteTimer timer = counters.writeTimer();
        long submitted = timer == null ? UNTIMED : System.nanoTime();
        int slot = cluster ? SlotHash.getSlot(write.key()) : 0;
        // A hash is replaced atomically by the script even without fencing: no reader sees it half-written. Members
        // go through it too, so that one way applies them (without fencing, the script only leaves versions alone).
        if (write.fencing().enabled() || write instanceof CacheWrite.PutHash || write instanceof CacheWrite.AddMember
                || write instanceof CacheWrite.RemoveMember) {
            ScriptBatch batch = open.computeIfAbsent(slot, s -> new ScriptBatch());
            batch.add(family, write, submitted);
            if (batch.writes.size() >= SCRIPT_BATCH) {
                send(slot, batch);
            }
        } else {
            // Writes of one key must reach Redis in order: what waits in this slot's batch goes first.
            ScriptBatch waiting = open.get(slot);
            if (waiting != null) {
                send(slot, waiting);
            }
            RedisFuture<?> future;
            if (write instanceof CacheWrite.Put put) {
                future = put.ttl() == null ? redis.set(put.key(), put.value())
                        : redis.set(put.key(), put.value(), SetArgs.Builder.px(put.ttl().toMillis()));
            } else {
                future = redis.unlink(write.key());
            }
            sent(new Sent(future, List.of(new Submitted(family, write instanceof CacheWrite.Delete, false, submitted)),
                    false, timer));
        }
        outstandingWrites++;
        outstandingBytes += bytesOf(write);
        counters.unacknowledged(1);
        if (outstandingWrites >= MAX_UNACKNOWLEDGED || outstandingBytes >= MAX_UNACKNOWLEDGED_BYTES) {
            awaitAcknowledged();
        }
    }

    /** About what a write puts on the wire: its key and what it stores (characters, not encoded bytes). */
    static long bytesOf(CacheWrite write) {
        long bytes = write.key().length();
        if (write instanceof CacheWrite.Put put) {
            bytes += put.value().length();
        } else if (write instanceof CacheWrite.PutHash hash) {
            for (var field : hash.fields().entrySet()) {
                bytes += field.getKey().length() + (field.getValue() == null ? 0 : field.getValue().length());
            }
        } else if (write instanceof CacheWrite.AddMember add) {
            bytes += add.member().length();
        } else if (write instanceof CacheWrite.RemoveMember remove) {
            bytes += remove.member().length();
        }
        return bytes;
    }

    private void send(int slot, ScriptBatch batch) {
        open.remove(slot);
        RedisFuture<List<Long>> future = redis.evalsha(scriptSha, ScriptOutputType.MULTI,
                batch.keys.toArray(String[]::new), batch.args.toArray(String[]::new));
        sent(new Sent(future, batch.writes, true, counters.writeTimer()));
    }

    private void sent(Sent command) {
        pending.add(command);
        if (command.timer() != null) {
            command.future().whenComplete(command);
        }
        writesSinceFlush += command.writes().size();
        if (writesSinceFlush >= pipeline) {
            connection.flushCommands();
            writesSinceFlush = 0;
        }
    }

    private void sendOpenBatches() {
        for (var batch : List.copyOf(open.entrySet())) {
            send(batch.getKey(), batch.getValue());
        }
    }

    @Override
    public void sendPending() {
        sendOpenBatches();
        if (writesSinceFlush > 0) {
            connection.flushCommands();
            writesSinceFlush = 0;
        }
    }

    @Override
    public void awaitAcknowledged() {
        sendOpenBatches();
        if (pending.isEmpty()) {
            return;
        }
        RedisFuture<?>[] futures = pending.stream().map(Sent::future).toArray(RedisFuture<?>[]::new);
        awaitAll(futures);
        count();
        pending.clear();
        counters.unacknowledged(-outstandingWrites);
        outstandingWrites = 0;
        outstandingBytes = 0;
        writesSinceFlush = 0;
    }

    /** Scripted writes for one hash slot, gathered into one script call. */
    private static final class ScriptBatch {
        final List<String> keys = new ArrayList<>();
        final List<String> args = new ArrayList<>();
        final List<Submitted> writes = new ArrayList<>();

        void add(String family, CacheWrite write, long submittedNanos) {
            FencedWrites.addKeys(write, keys);
            FencedWrites.addArgs(write, args);
            writes.add(new Submitted(family, write.removes(), write.fencing().enabled(), submittedNanos));
        }
    }

    /** A {@link Submitted#submittedNanos} when no timer was set at submit. */
    private static final long UNTIMED = Long.MIN_VALUE;

    /** @param submittedNanos {@link System#nanoTime()} at submit, or {@link #UNTIMED} */
    private record Submitted(String family, boolean delete, boolean fenced, long submittedNanos) {
    }

    /**
     * A command sent: one plain write, or a script call with the writes of a batch in order. With a timer, it is its
     * own completion callback: timing a command allocates only the dependent stage {@code whenComplete} makes, and
     * nothing per write.
     */
    private record Sent(RedisFuture<?> future, List<Submitted> writes, boolean scripted, SinkCounters.WriteTimer timer)
            implements BiConsumer<Object, Throwable> {

        /** Times each write of the command once Redis answered; a failed command is retried, not timed. */
        @Override
        public void accept(Object result, Throwable failure) {
            if (failure != null) {
                return;
            }
            long now = System.nanoTime();
            for (int i = 0; i < writes.size(); i++) { // no iterator: this runs for every write
                Submitted write = writes.get(i);
                if (write.submittedNanos() != UNTIMED) {
                    timer.acknowledged(write.family(), now - write.submittedNanos());
                }
            }
        }
    }

    /** Adds the acknowledged writes to their families' counters; a script says which writes it fenced. */
    private void count() {
        Map<String, long[]> byFamily = new HashMap<>();
        for (Sent command : pending) {
            List<?> results = command.scripted() ? (List<?>) command.future().toCompletableFuture().getNow(null) : null;
            for (int i = 0; i < command.writes().size(); i++) {
                Submitted write = command.writes().get(i);
                long[] counts = byFamily.computeIfAbsent(write.family(), f -> new long[3]);
                counts[write.delete() ? 1 : 0]++;
                if (write.fenced() && Long.valueOf(0).equals(results.get(i))) {
                    counts[2]++;
                }
            }
        }
        byFamily.forEach((family, counts) -> counters.acknowledged(family, counts[0], counts[1], counts[2]));
    }

    private void awaitAll(RedisFuture<?>[] futures) {
        CompletableFuture<?>[] completables = new CompletableFuture<?>[futures.length];
        for (int i = 0; i < futures.length; i++) {
            completables[i] = futures[i].toCompletableFuture();
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(completables);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            connection.flushCommands();
            long left = deadline - System.nanoTime();
            try {
                all.get(Math.max(0, Math.min(left, REFLUSH_INTERVAL.toNanos())), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                if (deadline - System.nanoTime() <= 0) {
                    throw new CacheWriteException("Redis at " + address + " did not acknowledge " + futures.length
                            + " writes within " + timeout.toSeconds() + " s; they will be retried from Kafka."
                            + " Check that Redis is up and not overloaded.", null);
                }
            } catch (ExecutionException e) {
                throw rejected(firstFailure(completables));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CacheWriteException("Interrupted while waiting for Redis at " + address
                        + " to acknowledge " + futures.length + " writes; they will be retried from Kafka.", e);
            }
        }
    }

    private CacheWriteException rejected(Throwable failure) {
        if (failure instanceof RedisNoScriptException) {
            return new CacheWriteException("Redis at " + address + " does not have the fencing script (NOSCRIPT):"
                    + " a node restarted, failed over or joined since this connection loaded it. The batch will be"
                    + " retried from Kafka on a new connection, which loads the script again.", failure);
        }
        return new CacheWriteException("Redis at " + address + " rejected a write: " + failure.getMessage()
                + "; the batch will be retried from Kafka.", failure);
    }

    /** The failure of the first write that failed: all of them have completed when this is called. */
    private static Throwable firstFailure(CompletableFuture<?>[] futures) {
        for (CompletableFuture<?> future : futures) {
            if (future.isCompletedExceptionally()) {
                try {
                    future.getNow(null);
                } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                    return e.getCause() == null ? e : e.getCause();
                }
            }
        }
        throw new IllegalStateException("no write failed, yet their combined future did");
    }

    @Override
    public void close() {
        counters.unacknowledged(-outstandingWrites); // a failed batch is retried by a new writer, which counts it anew
        outstandingWrites = 0;
        outstandingBytes = 0;
        connection.close();
    }
}
