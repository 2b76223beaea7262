package io.warmer.sink;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.warmer.family.CacheWrite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Pipelines writes over one connection with auto-flush off: commands go out every {@code pipeline}
 * writes and are awaited in bulk, which is what makes a snapshot of millions of rows fast.
 */
final class RedisCacheWriter implements CacheWriter {

    /** Past this many unacknowledged writes, submit waits: bounds memory when Redis is slower than Kafka. */
    static final int MAX_UNACKNOWLEDGED = 16_384;

    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String address;
    private final int pipeline;
    private final Duration timeout;
    private final SinkCounters counters;
    private final List<RedisFuture<?>> pending = new ArrayList<>();
    /** Positions in {@link #pending} of fenced writes, whose result says whether they applied. */
    private final List<Integer> fencedPending = new ArrayList<>();
    private final String scriptSha;
    private long pendingPuts;
    private long pendingDeletes;

    RedisCacheWriter(StatefulRedisConnection<String, String> connection, String address, int pipeline,
                     Duration timeout, SinkCounters counters) {
        this.connection = connection;
        this.address = address;
        this.pipeline = pipeline;
        this.timeout = timeout;
        this.counters = counters;
        // Loaded on every new connection: a Redis restart empties the script cache, and the retried
        // batch then arrives here again.
        this.scriptSha = connection.sync().scriptLoad(FencedWrites.SCRIPT);
        connection.setAutoFlushCommands(false);
        this.redis = connection.async();
    }

    @Override
    public void submit(CacheWrite write) {
        if (write.fencing().enabled()) {
            pending.add(redis.evalsha(scriptSha, ScriptOutputType.INTEGER, FencedWrites.keys(write),
                    FencedWrites.args(write)));
            fencedPending.add(pending.size() - 1);
            if (write instanceof CacheWrite.Put) {
                pendingPuts++;
            } else {
                pendingDeletes++;
            }
        } else if (write instanceof CacheWrite.Put put) {
            pending.add(put.ttl() == null ? redis.set(put.key(), put.value())
                    : redis.set(put.key(), put.value(), SetArgs.Builder.px(put.ttl().toMillis())));
            pendingPuts++;
        } else {
            pending.add(redis.unlink(write.key()));
            pendingDeletes++;
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
        connection.flushCommands();
        RedisFuture<?>[] futures = pending.toArray(new RedisFuture<?>[0]);
        boolean done;
        try {
            done = LettuceFutures.awaitAll(timeout.toMillis(), TimeUnit.MILLISECONDS, futures);
        } catch (RuntimeException e) {
            throw new CacheWriteException("Redis at " + address + " rejected a write: " + e.getMessage()
                    + "; the batch will be retried from Kafka.", e);
        }
        if (!done) {
            throw new CacheWriteException("Redis at " + address + " did not acknowledge " + futures.length
                    + " writes within " + timeout.toSeconds() + " s; they will be retried from Kafka."
                    + " Check that Redis is up and not overloaded.", null);
        }
        for (RedisFuture<?> future : futures) {
            if (future.toCompletableFuture().isCompletedExceptionally()) {
                throw new CacheWriteException("Redis at " + address + " rejected a write: " + failureOf(future)
                        + "; the batch will be retried from Kafka.", null);
            }
        }
        long fenced = 0;
        for (int position : fencedPending) {
            if (Long.valueOf(0).equals(futures[position].toCompletableFuture().getNow(null))) {
                fenced++;
            }
        }
        counters.acknowledged(pendingPuts, pendingDeletes, fenced);
        pending.clear();
        fencedPending.clear();
        pendingPuts = 0;
        pendingDeletes = 0;
    }

    private static String failureOf(RedisFuture<?> future) {
        try {
            future.get(0, TimeUnit.MILLISECONDS);
            return "unknown";
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (java.util.concurrent.TimeoutException e) {
            return "not completed";
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
