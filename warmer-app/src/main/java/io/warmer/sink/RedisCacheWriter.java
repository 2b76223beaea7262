package io.warmer.sink;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.warmer.family.CacheWrite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    private final List<RedisFuture<?>> pending = new ArrayList<>();
    /** Positions in {@link #pending} of fenced writes, whose result says whether they applied. */
    private final List<Integer> fencedPending = new ArrayList<>();
    /** What each write in {@link #pending} was, for the counters. */
    private final List<Submitted> submitted = new ArrayList<>();
    private final String scriptSha;

    /**
     * @param connection a new connection with auto-flush still on; the writer owns and closes it
     * @param redis      its asynchronous commands
     * @param address    where Redis is, for messages: never the password
     */
    RedisCacheWriter(StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> redis,
                     String address, int pipeline, Duration timeout, SinkCounters counters) {
        this.connection = connection;
        this.redis = redis;
        this.address = address;
        this.pipeline = pipeline;
        this.timeout = timeout;
        this.counters = counters;
        this.scriptSha = loadScript();
        connection.setAutoFlushCommands(false);
    }

    /**
     * Loaded on every new connection: a Redis restart empties the script cache, and the retried batch then
     * arrives here again. On a cluster Lettuce sends SCRIPT LOAD to every node it knows, replicas included,
     * so a replica promoted by a failover has the script too; this also opens the connections to the nodes
     * before the first write needs them.
     */
    private String loadScript() {
        try {
            return redis.scriptLoad(FencedWrites.SCRIPT).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        submitted.add(new Submitted(family, write instanceof CacheWrite.Delete));
        // A hash is replaced atomically by the script even without fencing: no reader sees it half-written.
        if (write.fencing().enabled() || write instanceof CacheWrite.PutHash) {
            pending.add(redis.evalsha(scriptSha, ScriptOutputType.INTEGER, FencedWrites.keys(write),
                    FencedWrites.args(write)));
            if (write.fencing().enabled()) {
                fencedPending.add(pending.size() - 1);
            }
        } else if (write instanceof CacheWrite.Put put) {
            pending.add(put.ttl() == null ? redis.set(put.key(), put.value())
                    : redis.set(put.key(), put.value(), SetArgs.Builder.px(put.ttl().toMillis())));
        } else {
            pending.add(redis.unlink(write.key()));
        }
        if (pending.size() % pipeline == 0) {
            connection.flushCommands();
        }
        if (pending.size() >= MAX_UNACKNOWLEDGED) {
            awaitAcknowledged();
        }
    }

    @Override
    public void awaitAcknowledged() {
        if (pending.isEmpty()) {
            return;
        }
        RedisFuture<?>[] futures = pending.toArray(new RedisFuture<?>[0]);
        awaitAll(futures);
        Set<Integer> fenced = new HashSet<>();
        for (int position : fencedPending) {
            if (Long.valueOf(0).equals(futures[position].toCompletableFuture().getNow(null))) {
                fenced.add(position);
            }
        }
        count(fenced);
        pending.clear();
        fencedPending.clear();
        submitted.clear();
    }

    private record Submitted(String family, boolean delete) {
    }

    /** Adds the acknowledged writes to their families' counters. */
    private void count(Set<Integer> fenced) {
        Map<String, long[]> byFamily = new HashMap<>();
        for (int i = 0; i < submitted.size(); i++) {
            Submitted write = submitted.get(i);
            long[] counts = byFamily.computeIfAbsent(write.family(), f -> new long[3]);
            counts[write.delete() ? 1 : 0]++;
            counts[2] += fenced.contains(i) ? 1 : 0;
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
        connection.close();
    }
}
