package io.warmer.monitor;

import io.warmer.verify.VerifyReport;
import io.warmer.verify.ExpectedEntries;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import io.warmer.status.FamilyProgress;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys a check found holding something else than the database says, followed until they can be judged. A value
 * may be in flight: the row changed after Redis was written and the change is on its way. So a key counts as stale
 * only once the pipeline has passed the point of the check and it still differs while its row has not changed:
 *
 * <ol>
 *   <li>{@link Phase#CAPTURE}: until the capture has delivered everything committed before a WAL position taken
 *       right after the check read the row;</li>
 *   <li>{@link Phase#MATERIALIZE}: until the materializer has committed past the end of the family's topics taken at
 *       that moment;</li>
 *   <li>then the row is read again. Redis now agrees: it was in flight. Redis differs and the row is as it was:
 *       {@link Phase#CONFIRMED} stale, looked at again at every check until it is right. The row changed: followed
 *       again from the start.</li>
 * </ol>
 */
final class StaleSuspects {

    private static final Logger LOG = LoggerFactory.getLogger(StaleSuspects.class);

    enum Phase { CAPTURE, MATERIALIZE, CONFIRMED }

    private static final class Suspect {
        final KeyFamily family;
        final String key;
        final ObjectNode primaryKey;
        /** What the key should hold: a string, a hash's fields, or null for "absent". */
        Object expected;
        Phase phase = Phase.CAPTURE;
        long position = -1;
        Map<TopicPartition, Long> marks;

        Suspect(KeyFamily family, String key, ObjectNode primaryKey, Object expected) {
            this.family = family;
            this.key = key;
            this.primaryKey = primaryKey;
            this.expected = expected;
        }
    }

    private final Map<String, Suspect> suspects = new LinkedHashMap<>();

    /** The stale keys a check found; those already followed go on where they are. */
    void found(KeyFamily family, List<VerifyReport.StaleKey> staleKeys) {
        for (VerifyReport.StaleKey stale : staleKeys) {
            suspects.putIfAbsent(family.name() + "|" + stale.key(),
                    new Suspect(family, stale.key(), stale.primaryKey(), contentOf(stale.expected())));
        }
    }

    /** Whether a suspect waits for a WAL position to be taken (one is taken per check, after the read). */
    boolean needsPosition() {
        return suspects.values().stream().anyMatch(s -> s.phase == Phase.CAPTURE && s.position < 0);
    }

    /** Every suspect waiting for a position gets this one, taken after the check read the rows. */
    void positionTaken(long position) {
        suspects.values().stream().filter(s -> s.phase == Phase.CAPTURE && s.position < 0)
                .forEach(s -> s.position = position);
    }

    /**
     * Moves every suspect on as far as it can go now.
     *
     * @param capturePosition every change committed below it has been delivered to Kafka
     * @param progress        the families' materializers, and the end of their change (and route) topics now
     */
    void advance(long capturePosition, FamilyProgress progress, ExpectedEntries entries, RedisClusterCommands<String, String> redis,
                 long nowMs) throws InterruptedException, SQLException {
        Iterator<Suspect> all = suspects.values().iterator();
        while (all.hasNext()) {
            Suspect suspect = all.next();
            if (suspect.phase == Phase.CAPTURE && suspect.position >= 0 && capturePosition >= suspect.position) {
                suspect.marks = progress.endOffsetsOf(suspect.family);
                suspect.phase = Phase.MATERIALIZE;
            }
            if (suspect.phase == Phase.MATERIALIZE && progress.of(suspect.family.name()).behind(suspect.marks) > 0) {
                continue;
            }
            if (suspect.phase == Phase.CAPTURE) {
                continue;
            }
            Object now = expectedNow(suspect, entries, nowMs);
            if (matches(redis, suspect, now)) {
                all.remove(); // in flight, and arrived
            } else if (Objects.equals(now, suspect.expected)) {
                if (suspect.phase != Phase.CONFIRMED) {
                    LOG.atWarn().addKeyValue("event", "stale_value").addKeyValue("family", suspect.family.name())
                            .addKeyValue("key", suspect.key).log("Key {} of family {} holds another value than the"
                                    + " database says, after the pipeline passed the change: `warmer snapshot --family {}`"
                                    + " repairs it.", suspect.key, suspect.family.name(), suspect.family.name());
                }
                suspect.phase = Phase.CONFIRMED;
            } else {
                suspect.expected = now; // the row changed meanwhile: follow it from here
                suspect.phase = Phase.CAPTURE;
                suspect.position = -1;
            }
        }
    }

    /** Confirmed stale keys of a family, and an example. */
    long confirmed(String family) {
        return suspects.values().stream().filter(s -> s.phase == Phase.CONFIRMED && s.family.name().equals(family)).count();
    }

    /** Keys of a family still followed, not confirmed yet. */
    long following(String family) {
        return suspects.values().stream().filter(s -> s.phase != Phase.CONFIRMED && s.family.name().equals(family)).count();
    }

    Optional<String> confirmedExample(String family) {
        return suspects.values().stream().filter(s -> s.phase == Phase.CONFIRMED && s.family.name().equals(family))
                .map(s -> s.key).findFirst();
    }

    private static Object expectedNow(Suspect suspect, ExpectedEntries entries, long nowMs) throws SQLException {
        Optional<ExpectedEntries.Row> row = entries.ofRow(suspect.family, suspect.primaryKey, nowMs);
        if (row.isEmpty() || row.get().unrenderable()) {
            return null;
        }
        return row.get().writes().stream().filter(w -> w.key().equals(suspect.key)).findFirst()
                .map(StaleSuspects::contentOf).orElse(null);
    }

    private static boolean matches(RedisClusterCommands<String, String> redis, Suspect suspect, Object expected) {
        if (expected == null) {
            return redis.exists(suspect.key) == 0;
        }
        if (expected instanceof Map<?, ?> fields) {
            return fields.equals(redis.hgetall(suspect.key));
        }
        return expected.equals(redis.get(suspect.key));
    }

    /** What a write leaves under its key: a string, a hash's fields, or null for nothing. */
    private static Object contentOf(CacheWrite write) {
        if (write instanceof CacheWrite.Put put) {
            return put.value();
        }
        if (write instanceof CacheWrite.PutHash hash) {
            return hash.fields();
        }
        return null;
    }
}
