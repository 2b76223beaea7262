package io.warmer.migrate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.warmer.redis.RedisConnection;
import io.warmer.redis.RedisScript;
import io.warmer.sink.CacheWriteException;
import io.warmer.sink.FencedWrites;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Copies every key matching a {@link KeyMapping}'s glob to its new name, with its value and remaining TTL, for data
 * that exists only in the cache (sessions): SCAN, then, on a standalone Redis, a script that COPYs each key server
 * side unless its new name or that name's fencing version key exists; in a Redis Cluster, where the two names
 * usually live in different slots, DUMP and PTTL of the old keys and a script that RESTOREs each under its new name
 * on the same condition.
 *
 * <p>The old keys stay: the old generation is the rollback path until {@code warmer cleanup} removes it.
 */
public final class KeyMigration {

    /** Keys asked of SCAN per call: one batch, one checkpoint. */
    static final int BATCH = 500;

    static final RedisScript SCRIPT = RedisScript.of(KeyMigration.class, "restore-if-absent.lua");
    /** Standalone Redis: the copy done server side, in batches; see copy-if-absent.lua. */
    static final RedisScript COPY_SCRIPT = RedisScript.of(KeyMigration.class, "copy-if-absent.lua");
    /** Keys per copy-if-absent call: a page of SCAN in a few calls, each short for Redis. */
    static final int COPY_BATCH = 100;

    /** What the caller hears while a migration runs: to show progress, and to pace it by blocking. */
    public interface Progress {
        /** Before the first batch, with the counts it starts from: those of the checkpoint when it resumes. */
        void started(MigrationReport start);

        /** After a batch of {@code keys} matching keys was acknowledged and its checkpoint stored. */
        void batchDone(int keys, MigrationReport soFar) throws InterruptedException;
    }

    private final RedisKeyspace redis;
    private final KeyMapping mapping;
    private final Duration timeout;

    /** @param timeout how long a batch may wait for Redis before the migration stops (it can be resumed) */
    public KeyMigration(RedisKeyspace redis, KeyMapping mapping, Duration timeout) {
        this.redis = redis;
        this.mapping = mapping;
        this.timeout = timeout;
    }

    /** Counts the keys matching the glob and names the copies of the first {@code examples}; writes nothing. */
    public MigrationReport dryRun(int examples) throws InterruptedException {
        long started = System.nanoTime();
        long matched = 0;
        List<MigrationReport.Example> shown = new ArrayList<>();
        for (String node : redis.nodes()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<byte[]> page = awaitScan(scan(node, cursor), node, cursor);
                for (byte[] key : page.getKeys()) {
                    matched++;
                    if (shown.size() < examples) {
                        shown.add(new MigrationReport.Example(text(key), text(targetOf(key))));
                    }
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        return new MigrationReport(mapping.from(), mapping.to(), true, false, matched, 0, 0, 0,
                (System.nanoTime() - started) / 1e9, List.copyOf(shown));
    }

    /**
     * Copies every matching key, going on from the checkpoint of an interrupted run unless {@code restart}.
     *
     * @throws CacheWriteException naming Redis and, where one failed, the key, when Redis fails or does not answer
     *         in time; what was copied stays, and the next run resumes from the last checkpoint
     */
    public MigrationReport run(boolean restart, Progress progress) throws InterruptedException {
        String checkpointKey = MigrationCheckpoint.keyOf(mapping);
        if (restart) {
            awaitOne(redis.commands().del(bytes(checkpointKey)), "DEL", checkpointKey);
        }
        boolean standalone = redis.standalone();
        String sha = load(standalone ? COPY_SCRIPT : SCRIPT);
        byte[] stored = awaitOne(redis.commands().get(bytes(checkpointKey)), "GET", checkpointKey);
        MigrationCheckpoint from = stored == null ? null : MigrationCheckpoint.fromJson(checkpointKey, stored);
        boolean resumed = from != null;

        List<String> nodes = redis.nodes();
        int node = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        Counts counts = new Counts();
        double secondsBefore = 0;
        if (resumed) {
            counts.add(from.copied(), from.skipped(), from.expired());
            secondsBefore = from.seconds();
            // A node that is no longer a master (a failover) means scanning every node again. Copying a key twice
            // is harmless anyway: the second time its new name exists, and it is skipped.
            if (nodes.contains(from.node())) {
                node = nodes.indexOf(from.node());
                cursor = ScanCursor.of(from.cursor());
            }
        }
        long started = System.nanoTime();
        progress.started(counts.report(resumed, secondsBefore));
        // Two pages deep: the next SCAN and the next page's copies are sent before the previous page's copies are
        // awaited, so Redis is not idle while this side prepares a page. A checkpoint still names only a position
        // every key before which was copied and acknowledged.
        SentPage previous = null;
        for (; node < nodes.size(); node++, cursor = ScanCursor.INITIAL) {
            String nodeId = nodes.get(node);
            RedisFuture<KeyScanCursor<byte[]>> nextScan = scan(nodeId, cursor);
            KeyScanCursor<byte[]> page;
            do {
                page = awaitScan(nextScan, nodeId, cursor);
                if (!page.isFinished()) {
                    nextScan = scan(nodeId, page);
                }
                String nextNode = page.isFinished() ? (node + 1 < nodes.size() ? nodes.get(node + 1) : null) : nodeId;
                String nextCursor = page.isFinished() ? ScanCursor.INITIAL.getCursor() : page.getCursor();
                SentPage sent = standalone ? copyInPlace(page.getKeys(), sha, nextNode, nextCursor)
                        : copy(page.getKeys(), sha, nextNode, nextCursor);
                if (previous != null) {
                    finish(previous, checkpointKey, counts, resumed, secondsBefore, started, progress);
                }
                previous = sent;
                cursor = page;
            } while (!page.isFinished());
        }
        if (previous != null) {
            finish(previous, checkpointKey, counts, resumed, secondsBefore, started, progress);
        }
        awaitOne(redis.commands().del(bytes(checkpointKey)), "DEL", checkpointKey);
        return counts.report(resumed, secondsBefore + (System.nanoTime() - started) / 1e9);
    }

    /**
     * A page whose copies were sent: {@code results} answers, per key, 1 copied, 0 skipped, -1 gone; {@code nextNode}
     * and {@code nextCursor} are where scanning goes on after it (null node: nowhere, the migration is done).
     */
    private record SentPage(int keys, CheckedSupplier<List<Long>> results, String nextNode, String nextCursor) {
    }

    private interface CheckedSupplier<T> {
        T get() throws InterruptedException;
    }

    /** Counts a sent page once Redis acknowledged it, then stores the checkpoint after it and reports progress. */
    private void finish(SentPage page, String checkpointKey, Counts counts, boolean resumed, double secondsBefore,
                        long started, Progress progress) throws InterruptedException {
        for (long result : page.results().get()) {
            if (result == 1) {
                counts.copied++;
            } else if (result == 0) {
                counts.skipped++;
            } else {
                counts.expired++;
            }
        }
        double seconds = secondsBefore + (System.nanoTime() - started) / 1e9;
        if (page.nextNode() != null) {
            storeCheckpoint(checkpointKey, page.nextNode(), page.nextCursor(), counts, seconds);
        }
        progress.batchDone(page.keys(), counts.report(resumed, seconds));
    }

    private void storeCheckpoint(String key, String node, String cursor, Counts counts, double seconds)
            throws InterruptedException {
        var checkpoint = new MigrationCheckpoint(mapping.from(), mapping.to(), node, cursor, counts.copied,
                counts.skipped, counts.expired, seconds);
        awaitOne(redis.commands().set(bytes(key), checkpoint.toJson(), SetArgs.Builder.px(MigrationCheckpoint.TTL.toMillis())),
                "SET", key);
    }

    /** Sends the copies of one SCAN page on a standalone Redis, server side: COPY in batches, each new name checked. */
    private SentPage copyInPlace(List<byte[]> keys, String sha, String nextNode, String nextCursor) {
        List<RedisFuture<List<Long>>> calls = new ArrayList<>();
        List<String> firstKeys = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += COPY_BATCH) {
            List<byte[]> batch = keys.subList(from, Math.min(keys.size(), from + COPY_BATCH));
            byte[][] scriptKeys = new byte[3 * batch.size()][];
            for (int i = 0; i < batch.size(); i++) {
                byte[] target = targetOf(batch.get(i));
                scriptKeys[3 * i] = batch.get(i);
                scriptKeys[3 * i + 1] = target;
                scriptKeys[3 * i + 2] = versionKeyOf(target);
            }
            calls.add(redis.commands().evalsha(sha, ScriptOutputType.MULTI, scriptKeys));
            firstKeys.add(text(batch.get(0)));
        }
        return new SentPage(keys.size(), () -> {
            List<Long> results = new ArrayList<>(keys.size());
            await(calls, "EVALSHA copy-if-absent", firstKeys).forEach(results::addAll);
            return results;
        }, nextNode, nextCursor);
    }

    /**
     * Copies one SCAN page through this client, for a cluster: PTTL and DUMP of every key, then the restore script for
     * those still there. The DUMPs are awaited here; the restores are what the returned page answers.
     */
    private SentPage copy(List<byte[]> keys, String sha, String nextNode, String nextCursor) throws InterruptedException {
        if (keys.isEmpty()) {
            return new SentPage(0, List::of, nextNode, nextCursor);
        }
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.commands();
        List<RedisFuture<Long>> ttls = new ArrayList<>(keys.size());
        List<RedisFuture<byte[]>> dumps = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            ttls.add(commands.pttl(key));
            dumps.add(commands.dump(key));
        }
        List<String> names = keys.stream().map(KeyMigration::text).toList();
        List<Long> remaining = await(ttls, "PTTL", names);
        List<byte[]> payloads = await(dumps, "DUMP", names);

        List<RedisFuture<Long>> restores = new ArrayList<>(keys.size());
        List<String> targets = new ArrayList<>(keys.size());
        int gone = 0;
        for (int i = 0; i < keys.size(); i++) {
            long ttl = remaining.get(i);
            // -2: gone since SCAN. 0: expires within the millisecond, and RESTORE would take 0 as "never expires".
            if (payloads.get(i) == null || ttl == -2 || ttl == 0) {
                gone++;
                continue;
            }
            byte[] target = targetOf(keys.get(i));
            targets.add(text(target));
            restores.add(commands.evalsha(sha, ScriptOutputType.INTEGER,
                    new byte[][] {target, versionKeyOf(target)},
                    bytes(ttl == -1 ? "0" : Long.toString(ttl)), payloads.get(i)));
        }
        int expired = gone;
        return new SentPage(keys.size(), () -> {
            // restore-if-absent answers 1 or 0, as copy-if-absent does; the keys gone since SCAN count as -1.
            List<Long> results = new ArrayList<>(await(restores, "EVALSHA restore-if-absent", targets));
            for (int i = 0; i < expired; i++) {
                results.add(-1L);
            }
            return results;
        }, nextNode, nextCursor);
    }

    private byte[] targetOf(byte[] key) {
        byte[] target = mapping.targetOf(key);
        if (target == null) {
            throw new IllegalStateException("SCAN MATCH '" + mapping.from() + "' returned '" + text(key)
                    + "', which the mapping does not match; KeyMapping and Redis disagree on the glob");
        }
        return target;
    }

    /**
     * The fencing version key the CDC path would use: its keys are text, and so is every key a CDC write can
     * collide with. (A name that is not UTF-8 gets a version key no CDC write uses, which is harmless.)
     */
    private static byte[] versionKeyOf(byte[] key) {
        return bytes(FencedWrites.versionKeyOf(text(key)));
    }

    private RedisFuture<KeyScanCursor<byte[]>> scan(String node, ScanCursor cursor) {
        return redis.scan(node, cursor, ScanArgs.Builder.matches(mapping.from()).limit(BATCH));
    }

    /** A SCAN's page; a failure names the node of a cluster, as the checkpoint does. */
    private KeyScanCursor<byte[]> awaitScan(RedisFuture<KeyScanCursor<byte[]>> scan, String node, ScanCursor cursor)
            throws InterruptedException {
        return awaitOne(scan, "SCAN", "cursor " + cursor.getCursor()
                + (node.equals(RedisConnection.STANDALONE_NODE) ? "" : " on node " + node));
    }

    /** Loaded on the server, or on every node of a cluster. */
    private String load(RedisScript script) throws InterruptedException {
        try {
            return script.load(redis.connection(), timeout);
        } catch (TimeoutException e) {
            throw new CacheWriteException("Redis at " + redis.address() + " did not answer SCRIPT LOAD of "
                    + script.name() + " within " + timeout.toSeconds() + " s (redis.write-timeout). Check that Redis"
                    + " is up and not overloaded.", e);
        } catch (ExecutionException e) {
            throw new CacheWriteException("Redis at " + redis.address() + " failed SCRIPT LOAD of " + script.name()
                    + ": " + e.getCause().getMessage() + "; check that the user may run SCRIPT LOAD.", e.getCause());
        }
    }

    private <T> T awaitOne(RedisFuture<T> future, String command, String key) throws InterruptedException {
        return await(List.of(future), command, List.of(key)).get(0);
    }

    /** The results of {@code futures}, sent for {@code keys} (same order), once Redis answered them all. */
    private <T> List<T> await(List<RedisFuture<T>> futures, String command, List<String> keys) throws InterruptedException {
        CompletableFuture<?>[] all = futures.stream().map(RedisFuture::toCompletableFuture).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CacheWriteException("Redis at " + redis.address() + " did not answer " + futures.size() + " "
                    + command + " within " + timeout.toSeconds() + " s (redis.write-timeout); what was copied stays,"
                    + " and a new run resumes from the last checkpoint. Check that Redis is up and not overloaded.", e);
        } catch (ExecutionException e) {
            for (int i = 0; i < all.length; i++) {
                if (all[i].isCompletedExceptionally()) {
                    throw new CacheWriteException("Redis at " + redis.address() + " failed " + command + " of '"
                            + keys.get(i) + "': " + failureOf(all[i]) + "; what was copied stays, and a new run"
                            + " resumes from the last checkpoint.", e.getCause());
                }
            }
            throw new IllegalStateException("a command failed, yet none of their futures did", e);
        }
        List<T> results = new ArrayList<>(futures.size());
        for (RedisFuture<T> future : futures) {
            results.add(future.toCompletableFuture().getNow(null));
        }
        return results;
    }

    private static String failureOf(CompletableFuture<?> failed) {
        try {
            failed.join();
            return "no failure";
        } catch (CompletionException e) {
            return String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        }
    }

    /** A key as text, for messages and examples; commands get its bytes unchanged. */
    private static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private final class Counts {
        long copied;
        long skipped;
        long expired;

        void add(long copied, long skipped, long expired) {
            this.copied += copied;
            this.skipped += skipped;
            this.expired += expired;
        }

        MigrationReport report(boolean resumed, double seconds) {
            return new MigrationReport(mapping.from(), mapping.to(), false, resumed, copied + skipped + expired, copied,
                    skipped, expired, seconds, List.of());
        }
    }
}
