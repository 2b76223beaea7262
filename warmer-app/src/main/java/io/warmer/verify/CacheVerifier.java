package io.warmer.verify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.capture.TableSchema;
import io.warmer.change.TableId;
import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import io.warmer.family.KeyTemplate;
import io.warmer.family.ValueShape;
import io.warmer.sink.SortedSetCap;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.Version;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the database, the truth, with Redis: for each family, what it would write for each row
 * (computed by the pipeline's own {@link KeyFamily#map}) against what Redis holds. Missing keys,
 * stale values (other bytes) and, over the whole keyspace, extra keys no row accounts for.
 */
public final class CacheVerifier {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CacheVerifier.class);

    /** Examples kept per kind of drift and family. */
    static final int EXAMPLES = 5;
    /** Stale keys kept per family for a second look. */
    static final int SUSPECTS = 1_000;

    private final WarmerConfig config;
    private final RedisClusterCommands<String, String> redis;
    private final ExpectedEntries entries;

    public CacheVerifier(WarmerConfig config, Connection db, RedisClusterCommands<String, String> redis,
                         Map<TableId, TableSchema> schemas) {
        this.config = config;
        this.redis = redis;
        this.entries = new ExpectedEntries(config.source().postgres(), db, schemas);
    }

    /** The database's side of the comparison, for a second look at single rows. */
    public ExpectedEntries entries() {
        return entries;
    }

    /** @param sample rows per family, at random; null for every row, which also looks for extra keys */
    public VerifyReport verify(Integer sample, long nowMs) throws SQLException {
        entries.readColumnsAgain(); // a column added, dropped or retyped since the last check
        List<VerifyReport.Family> families = new ArrayList<>();
        Set<String> expectedEverywhere = new HashSet<>();
        List<FamilyCheck> checks = new ArrayList<>();
        for (KeyFamily family : config.keyFamilies()) {
            FamilyCheck check = new FamilyCheck(family);
            check.compare(sample, nowMs);
            expectedEverywhere.addAll(check.expectedKeys);
            checks.add(check);
        }
        for (FamilyCheck check : checks) {
            if (sample == null) {
                check.findExtraKeys(expectedEverywhere);
            }
            families.add(check.report(sample == null));
        }
        return new VerifyReport(families);
    }

    /**
     * What Redis holds under a key against what the family would write.
     *
     * @param cached   what Redis holds (a hash shown as its map), or null when the key is absent
     * @param expected what the write puts there, as text
     */
    record Comparison(String cached, String expected, boolean matches) {
    }

    private static String memberEntry(String key, String member) {
        return key + '\u0000' + member;
    }

    /** Compares one put with Redis now. */
    static Comparison comparison(RedisClusterCommands<String, String> redis, CacheWrite write) {
        if (write instanceof CacheWrite.AddMember add) {
            if (add.score() == null) {
                boolean present = redis.sismember(add.key(), add.member());
                return new Comparison(present ? add.member() : null, add.member(), present);
            }
            Double score = SortedSetCap.scoreOf(redis, add.key(), add.member(), add.cap());
            return new Comparison(score == null ? null : String.valueOf(score), String.valueOf(add.score()),
                    add.score().equals(score));
        }
        if (write instanceof CacheWrite.RemoveMember remove) {
            boolean absent = remove.sorted() ? SortedSetCap.scoreOf(redis, remove.key(), remove.member(), remove.cap()) == null
                    : !redis.sismember(remove.key(), remove.member());
            return new Comparison(absent ? null : remove.member(), null, absent);
        }
        if (write instanceof CacheWrite.Put put) {
            String cached = redis.get(put.key());
            return new Comparison(cached, put.value(), put.value().equals(cached));
        }
        if (write instanceof CacheWrite.PutHash hash) {
            Map<String, String> cached = redis.hgetall(hash.key());
            return new Comparison(cached.isEmpty() ? null : cached.toString(), hash.fields().toString(),
                    cached.equals(hash.fields()));
        }
        boolean absent = redis.exists(write.key()) == 0;
        return new Comparison(absent ? null : "a value", null, absent);
    }

    /** The comparison of one family. */
    private final class FamilyCheck {
        final KeyFamily family;
        final Set<String> expectedKeys = new HashSet<>();
        /** Of a set or sorted-set family: each key and member a row accounts for (absent ones included). */
        final Set<String> expectedMembers = new HashSet<>();
        final boolean members;
        /** Of a capped sorted-set family, its cap; 0 for any other. */
        final int cap;
        final List<String> missing = new ArrayList<>();
        final List<String> stale = new ArrayList<>();
        final List<String> extra = new ArrayList<>();
        final List<VerifyReport.StaleKey> staleKeys = new ArrayList<>();
        long exactCount;
        long missingCount;
        long staleCount;
        long extraCount;
        /** Keys the scan listed that the slot's owner does not hold: a node's leftovers of slots it no longer serves. */
        long listedElsewhere;
        long checked;
        long expected;
        String broken;

        FamilyCheck(KeyFamily family) {
            this.family = family;
            this.members = family.value() instanceof ValueShape.Members;
            this.cap = family.value() instanceof ValueShape.Members m ? m.cap() : 0;
        }

        void compare(Integer sample, long nowMs) throws SQLException {
            for (ExpectedEntries.Row row : entries.of(family, sample, nowMs)) {
                checked++;
                if (row.broken() != null && broken == null) {
                    broken = row.broken();
                }
                if (row.unrenderable()) {
                    continue; // the pipeline sets such rows aside too (dead-letter topic)
                }
                ObjectNode primaryKey = entries.primaryKeyOf(family, row.row());
                if (row.writes().isEmpty() && members) {
                    // Filtered out: the row's member may not be in any key it renders (the keys are other rows' too).
                    family.deletesOf(primaryKey, new RowChange(Operation.INSERT, Version.ZERO, 0,
                            family.table().qualified(), row.row(), null), Set.of(), nowMs).forEach(w -> check(w, primaryKey));
                } else if (row.writes().isEmpty()) {
                    expectAbsent(renderable(row.row()), primaryKey); // filtered out: none of its keys may exist
                }
                for (CacheWrite write : row.writes()) {
                    check(write, primaryKey);
                }
            }
            if (cap > 0) {
                checkCaps();
            }
        }

        /**
         * Each member was found on one side of its key or the other; a key must also show the highest of them. With
         * every member accounted for (and, with --full, none more), the key then shows what the database's top rows are.
         */
        private void checkCaps() {
            for (String key : expectedKeys) {
                String misplaced = SortedSetCap.misplaced(redis, key, cap);
                if (misplaced != null) {
                    note(stale, misplaced);
                    staleCount++;
                }
            }
        }

        private void check(CacheWrite write, ObjectNode primaryKey) {
            if (write instanceof CacheWrite.RemoveMember remove) {
                expectedMembers.add(memberEntry(remove.key(), remove.member()));
                if (!comparison(redis, remove).matches()) {
                    note(stale, remove.key() + " has member " + remove.member() + ", but its row has no entry there"
                            + " (filtered out or moved)");
                    staleCount++;
                }
                return;
            }
            if (write instanceof CacheWrite.AddMember add) {
                expectedMembers.add(memberEntry(add.key(), add.member()));
                expectedKeys.add(add.key());
                expected++;
                Comparison comparison = comparison(redis, add);
                if (comparison.cached() == null) {
                    note(missing, add.key() + " lacks member " + add.member());
                    missingCount++;
                } else if (comparison.matches()) {
                    exactCount++;
                } else {
                    note(stale, add.key() + " scores " + add.member() + " " + comparison.cached()
                            + ", the database says " + comparison.expected());
                    staleCount++; // not a suspect: a second look compares whole values, and a set is many rows'
                }
                return;
            }
            if (write instanceof CacheWrite.Delete) {
                expectAbsent(List.of(write.key()), primaryKey);
                return;
            }
            expectedKeys.add(write.key());
            expected++;
            Comparison comparison = comparison(redis, write);
            if (comparison.cached() == null) {
                note(missing, write.key());
                missingCount++;
            } else if (comparison.matches()) {
                exactCount++;
            } else {
                note(stale, write.key() + " holds " + comparison.cached() + ", the database says " + comparison.expected());
                suspect(write.key(), primaryKey, write);
            }
        }

        private void expectAbsent(List<String> keys, ObjectNode primaryKey) {
            for (String key : keys) {
                expectedKeys.add(key); // accounted for by its row: reported as stale, never also as extra
                if (redis.exists(key) > 0) {
                    note(stale, key + " exists, but its row has no entry (filtered out, expired or gone)");
                    suspect(key, primaryKey, null);
                }
            }
        }

        private void suspect(String key, ObjectNode primaryKey, CacheWrite expectedWrite) {
            staleCount++;
            if (staleKeys.size() < SUSPECTS) {
                staleKeys.add(new VerifyReport.StaleKey(key, primaryKey, expectedWrite));
            }
        }

        private List<String> renderable(ObjectNode row) {
            List<String> keys = new ArrayList<>();
            for (KeyTemplate template : family.keys()) {
                template.tryRender(row).ifPresent(keys::add);
            }
            return keys;
        }

        void findExtraKeys(Set<String> expectedEverywhere) {
            if (members) {
                findExtraMembers();
                return;
            }
            for (KeyTemplate template : family.keys()) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(template.globPattern()).limit(1_000));
                    for (String key : page.getKeys()) {
                        // Confirmed where readers read it: a cluster SCAN also lists what a node holds for slots it
                        // no longer serves (a former master after a failover, until it has synced from the new one).
                        if (!expectedEverywhere.contains(key)) {
                            if (redis.exists(key) > 0) {
                                note(extra, key);
                                extraCount++;
                            } else {
                                listedElsewhere++;
                            }
                        }
                    }
                    cursor = page;
                } while (!cursor.isFinished());
            }
            if (listedElsewhere > 0) {
                LOG.info("Family {}: {} keys a node listed are not held by their slot's owner (a node's leftovers of"
                        + " slots it no longer serves, e.g. after a failover); not counted as extra.", family.name(),
                        listedElsewhere);
            }
        }

        /** Members of the family's keys that no row accounts for: each one counts as an extra entry. */
        private void findExtraMembers() {
            boolean sorted = ((ValueShape.Members) family.value()).sorted();
            for (KeyTemplate template : family.keys()) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(template.globPattern()).limit(1_000));
                    for (String key : page.getKeys()) {
                        if (template.match(key).isEmpty() || !redis.type(key).equals(sorted ? "zset" : "set")) {
                            continue; // a version key (a hash) that fits the pattern, or another family's key
                        }
                        List<String> found = sorted ? SortedSetCap.membersOf(redis, key, cap)
                                : List.copyOf(redis.smembers(key));
                        for (String member : found) {
                            if (!expectedMembers.contains(memberEntry(key, member))) {
                                note(extra, key + " member " + member);
                                extraCount++;
                            }
                        }
                    }
                    cursor = page;
                } while (!cursor.isFinished());
            }
        }

        VerifyReport.Family report(boolean extraChecked) {
            return new VerifyReport.Family(family.name(), checked, expected, exactCount, missingCount, staleCount,
                    extraChecked ? extraCount : null, missing, stale, extra, staleKeys, broken);
        }

        private static void note(List<String> examples, String example) {
            if (examples.size() < EXAMPLES) {
                examples.add(example);
            }
        }
    }
}
