package io.warmer.guard;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.TableSchema;
import io.warmer.change.TableId;
import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.sink.FencedWrites;
import io.warmer.sink.SortedSetCap;
import io.warmer.verify.ExpectedEntries;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Before a warm-up or a replay: the memory the families' entries will take in Redis, against the room left under
 * {@code maxmemory}. Per family it samples rows, renders their entries exactly as the sink would
 * ({@link ExpectedEntries}), looks up which are already in Redis, and measures what Redis charges for one entry with
 * {@code MEMORY USAGE}: of entries already there, or else of a few probe entries of the same key length and value,
 * written under {@value #PROBE_PREFIX} and unlinked at once.
 */
public final class MemoryEstimate {

    /** Rows sampled per family. */
    public static final int SAMPLE_ROWS = 200;
    /** Probe entries written per family, at most. */
    public static final int PROBES = 20;
    /**
     * Probes are written (one at a time) only when every master has this much room: into a full Redis a probe could
     * evict a key, or be refused, so the estimate counts key and value bytes instead, a lower bound.
     */
    public static final long PROBE_HEADROOM = Bytes.MIB;
    static final String PROBE_PREFIX = "warmer:probe:";
    /**
     * What {@code MEMORY USAGE} leaves out, per key: its bucket in the keyspace's hash table (8 bytes at a load between
     * one half and one, so up to 16).
     */
    static final long TABLE_BYTES_PER_KEY = 16;
    /**
     * Also left out, per key with a TTL: its entry in the expires table (24 bytes) and that entry's bucket. Without
     * these two, the estimate came out 17% short in MemoryEstimateIT, where a key and its version key both expire.
     */
    static final long EXPIRY_BYTES_PER_KEY = 40;
    /** Probes are unlinked at once; the TTL only covers a process that dies in between. */
    static final Duration PROBE_TTL = Duration.ofMinutes(1);

    private final RedisClusterCommands<String, String> redis;
    private final boolean mayProbe;

    private MemoryEstimate(RedisClusterCommands<String, String> redis, boolean mayProbe) {
        this.redis = redis;
        this.mayProbe = mayProbe;
    }

    /**
     * What a warm-up or replay prints before it writes: the estimate, or why there is none (Debezium topics without
     * a database to sample rows from).
     *
     * @throws SQLException when PostgreSQL fails a query
     */
    public static List<String> linesBeforeWriting(WarmerConfig config, Redis process) throws SQLException {
        if (config.source().database().isEmpty()) {
            return List.of("memory: not estimated: no source.postgres to sample rows from (the eviction guard still"
                    + " watches Redis's memory while writing)");
        }
        return of(config, process).lines();
    }

    /**
     * @throws SQLException when PostgreSQL fails a query
     * @param process the process's Redis, which {@code config.redis()} names
     * @throws io.warmer.redis.RedisUnavailableException when Redis cannot be reached
     */
    public static MemoryReport of(WarmerConfig config, Redis process) throws SQLException {
        PostgresEndpoint endpoint = config.source()
                .requireDatabase("the memory estimate renders a sample of the database's rows").endpoint();
        Map<TableId, TableSchema> schemas = io.warmer.config.SchemaCheck.preflight(config);
        try (Connection db = endpoint.connect();
             RedisConnection<String, String> redis = process.connect()) {
            List<NodeMemory> nodes = NodeMemory.ofMasters(redis);
            boolean mayProbe = nodes.stream().allMatch(n -> n.free() >= PROBE_HEADROOM);
            MemoryEstimate estimate = new MemoryEstimate(redis.sync(), mayProbe);
            ExpectedEntries expected = new ExpectedEntries(config.source().postgres(), db, schemas);
            List<MemoryReport.FamilyNeed> families = new ArrayList<>();
            for (KeyFamily family : config.keyFamilies()) {
                families.add(estimate.family(family, expected));
            }
            return new MemoryReport(redis.address(), config.redis().evictionGuard(), families, nodes);
        }
    }

    private MemoryReport.FamilyNeed family(KeyFamily family, ExpectedEntries expected) throws SQLException {
        long rows = expected.rowCount(family.table());
        List<ExpectedEntries.Row> sample = expected.of(family, SAMPLE_ROWS, System.currentTimeMillis());
        List<CacheWrite> entries = sample.stream().flatMap(r -> r.writes().stream())
                .filter(w -> !w.removes()).toList();
        if (entries.isEmpty()) {
            return new MemoryReport.FamilyNeed(family.name(), rows, 0, 0, 0, "no entries in the sample", 0);
        }
        if (family.value() instanceof io.warmer.family.ValueShape.Members) {
            return members(family, rows, sample.size(), entries);
        }
        List<CacheWrite> missing = new ArrayList<>();
        List<Long> presentUsage = new ArrayList<>();
        Cost cost;
        try {
            for (CacheWrite entry : entries) {
                Long usage = redis.memoryUsage(entry.key());
                if (usage == null) {
                    missing.add(entry);
                } else {
                    presentUsage.add(usage + versionKeyUsage(entry.key(), entry) + uncounted(entry));
                }
            }
            cost = !presentUsage.isEmpty() ? new Cost(mean(presentUsage), "MEMORY USAGE of " + presentUsage.size()
                    + " entries already in Redis")
                    : mayProbe ? probe(missing)
                    : bytesOf(missing, "Redis has less than " + Bytes.format(PROBE_HEADROOM) + " free for probe entries");
        } catch (RedisCommandExecutionException e) {
            missing = entries.stream().filter(w -> redis.exists(w.key()) == 0).toList();
            cost = bytesOf(missing.isEmpty() ? entries : missing, "Redis refused MEMORY USAGE: " + e.getMessage());
        }
        long total = Math.round((double) rows * entries.size() / sample.size());
        double presentShare = 1 - (double) missing.size() / entries.size();
        long bytes = Math.round(total * (1 - presentShare) * cost.bytesPerEntry());
        return new MemoryReport.FamilyNeed(family.name(), rows, total, presentShare, cost.bytesPerEntry(),
                cost.measuredBy(), bytes);
    }

    /**
     * A set or sorted-set family: one member per row, in keys shared by many rows, so a key's MEMORY USAGE says
     * nothing of one row. Each member is counted at its bytes, its score, its field in the version hash and the
     * per-element overhead of a hash-table encoded set ({@link #MEMBER_OVERHEAD_BYTES}), an upper bound for small
     * sets, which Redis packs tighter; the members already there are asked for one by one. A capped sorted set keeps
     * every member too, beyond its cap in its rest key, so that one can take the place of a member that leaves.
     */
    private MemoryReport.FamilyNeed members(KeyFamily family, long rows, int sampled, List<CacheWrite> entries) {
        long present = 0;
        long bytes = 0;
        for (CacheWrite entry : entries) {
            CacheWrite.AddMember add = (CacheWrite.AddMember) entry;
            boolean there = add.score() == null ? redis.sismember(add.key(), add.member())
                    : SortedSetCap.scoreOf(redis, add.key(), add.member(), add.cap()) != null;
            present += there ? 1 : 0;
            bytes += utf8(add.member()) + MEMBER_OVERHEAD_BYTES + (add.score() == null ? 0 : 8)
                    + (add.fencing().enabled() ? utf8(add.member()) + utf8(add.version().text()) + MEMBER_OVERHEAD_BYTES : 0);
        }
        long perMember = bytes / entries.size();
        long total = Math.round((double) rows * entries.size() / sampled);
        double presentShare = (double) present / entries.size();
        return new MemoryReport.FamilyNeed(family.name(), rows, total, presentShare, perMember,
                "member bytes and set overhead (a set's MEMORY USAGE is shared by its rows)",
                Math.round(total * (1 - presentShare) * perMember));
    }

    /** Redis's cost per element of a hash-table encoded set, sorted set or hash, beside the element's bytes. */
    static final long MEMBER_OVERHEAD_BYTES = 24;

    /** What one entry costs, and how that was found out. */
    private record Cost(long bytesPerEntry, String measuredBy) {
    }

    /**
     * The probes measure what Redis adds to an entry's bytes (key, encoding, allocator rounding, its version key); the
     * bytes themselves come from every sampled entry. Values vary from row to row far more than that overhead does, so
     * a few probes (the first {@link #PROBES}, a handful of rows when a family has several keys) charged at their own
     * values would swing the estimate by their rows' sizes: 16% over in a CI run of MemoryEstimateIT.
     */
    private Cost probe(List<CacheWrite> missing) {
        List<Long> overheads = new ArrayList<>();
        for (CacheWrite entry : missing.subList(0, Math.min(PROBES, missing.size()))) {
            String probe = probeKeyLike(entry.key());
            String version = FencedWrites.versionKeyOf(probe);
            try {
                if (entry instanceof CacheWrite.Put put) {
                    redis.set(probe, put.value(), SetArgs.Builder.px(PROBE_TTL.toMillis()));
                } else if (entry instanceof CacheWrite.PutHash hash) {
                    redis.hset(probe, hash.fields());
                    redis.pexpire(probe, PROBE_TTL.toMillis());
                }
                if (entry.fencing().enabled()) {
                    redis.set(version, io.warmer.change.Version.of(0, 0).text(), SetArgs.Builder.px(PROBE_TTL.toMillis()));
                }
                Long usage = redis.memoryUsage(probe);
                overheads.add(orZero(usage) + (entry.fencing().enabled() ? orZero(redis.memoryUsage(version)) : 0)
                        + uncounted(entry) - valueBytes(entry));
            } finally {
                redis.unlink(probe);
                redis.unlink(version); // one slot with its key, but a key at a time keeps it obvious
            }
        }
        List<Long> values = missing.stream().map(MemoryEstimate::valueBytes).toList();
        return new Cost(mean(overheads) + mean(values), "MEMORY USAGE of " + overheads.size() + " probe entries");
    }

    /** The bytes of an entry's value: a string's, or a hash's fields and values. */
    private static long valueBytes(CacheWrite entry) {
        if (entry instanceof CacheWrite.Put put) {
            return utf8(put.value());
        }
        if (entry instanceof CacheWrite.PutHash hash) {
            return hash.fields().entrySet().stream().mapToLong(f -> utf8(f.getKey()) + utf8(f.getValue())).sum();
        }
        return 0;
    }

    /** A key of the same length as {@code key}, unique to this probe: what Redis charges depends on the length. */
    static String probeKeyLike(String key) {
        String probe = PROBE_PREFIX + UUID.randomUUID() + ":";
        int length = key.getBytes(StandardCharsets.UTF_8).length;
        return probe.length() >= length ? probe : probe + "x".repeat(length - probe.length());
    }

    /** The bytes an entry takes that {@code MEMORY USAGE} does not count, for its key and its version key. */
    static long uncounted(CacheWrite entry) {
        long keys = entry.fencing().enabled() ? 2 : 1; // a version key has its entry's TTL (fenced-writes.lua)
        boolean expires = entry instanceof CacheWrite.Put put ? put.ttl() != null
                : entry instanceof CacheWrite.PutHash hash && hash.ttl() != null;
        return keys * (TABLE_BYTES_PER_KEY + (expires ? EXPIRY_BYTES_PER_KEY : 0));
    }

    private long versionKeyUsage(String key, CacheWrite entry) {
        return entry.fencing().enabled() ? orZero(redis.memoryUsage(FencedWrites.versionKeyOf(key))) : 0;
    }

    /** The lower bound when nothing can be measured: the key's and value's bytes, and the version key's. */
    private static Cost bytesOf(List<CacheWrite> entries, String why) {
        List<Long> sizes = new ArrayList<>();
        for (CacheWrite entry : entries) {
            long size = utf8(entry.key());
            if (entry instanceof CacheWrite.Put put) {
                size += utf8(put.value());
            } else if (entry instanceof CacheWrite.PutHash hash) {
                size += hash.fields().entrySet().stream().mapToLong(f -> utf8(f.getKey()) + utf8(f.getValue())).sum();
            }
            if (entry.fencing().enabled()) {
                size += utf8(FencedWrites.versionKeyOf(entry.key())) + utf8(io.warmer.change.Version.of(0, 0).text());
            }
            sizes.add(size);
        }
        return new Cost(mean(sizes), "key and value bytes, a lower bound: " + why);
    }

    private static long utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static long mean(List<Long> values) {
        return values.isEmpty() ? 0 : Math.round(values.stream().mapToLong(Long::longValue).average().orElse(0));
    }
}
