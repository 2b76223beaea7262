package io.warmer.sink;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a capped sorted set lies in Redis, for those who read it back (verify, the memory estimate): its key shows the
 * cap's highest-scored members, and its rest key ({@link FencedWrites#restKeyOf}) holds the others, which
 * fenced-writes.lua moves up when a shown one leaves or falls. A member is a member of the family's key when it is on
 * either side; that the key shows the right ones is a property of the two sides together ({@link #misplaced}).
 */
public final class SortedSetCap {

    private SortedSetCap() {
    }

    /** The member's score on either side, or null when it is on neither; {@code cap} 0 reads the key alone. */
    public static Double scoreOf(RedisClusterCommands<String, String> redis, String key, String member, int cap) {
        Double score = redis.zscore(key, member);
        return score != null || cap == 0 ? score : redis.zscore(FencedWrites.restKeyOf(key), member);
    }

    /** Every member, shown or waiting; {@code cap} 0 reads the key alone. */
    public static List<String> membersOf(RedisClusterCommands<String, String> redis, String key, int cap) {
        List<String> members = new ArrayList<>(redis.zrange(key, 0, -1));
        if (cap > 0) {
            members.addAll(redis.zrange(FencedWrites.restKeyOf(key), 0, -1));
        }
        return members;
    }

    /**
     * Why the key does not show the cap's highest members of the two sides, or null when it does: it shows more than
     * the cap, or fewer while members wait, or a member below one that waits. Ties order as Redis orders them: by the
     * member's bytes.
     */
    public static String misplaced(RedisClusterCommands<String, String> redis, String key, int cap) {
        String rest = FencedWrites.restKeyOf(key);
        long shown = redis.zcard(key);
        long waiting = redis.zcard(rest);
        if (shown > cap) {
            return key + " shows " + shown + " members, more than its cap of " + cap;
        }
        if (waiting == 0) {
            return null;
        }
        if (shown < cap) {
            return key + " shows " + shown + " members while " + waiting + " wait in " + rest + " (cap " + cap + ")";
        }
        ScoredValue<String> lowestShown = redis.zrangeWithScores(key, 0, 0).get(0);
        ScoredValue<String> highestWaiting = redis.zrangeWithScores(rest, -1, -1).get(0);
        if (order(lowestShown, highestWaiting) < 0) {
            return key + " shows " + lowestShown.getValue() + " (score " + lowestShown.getScore() + ") while "
                    + highestWaiting.getValue() + " (score " + highestWaiting.getScore() + ") waits in " + rest;
        }
        return null;
    }

    /** Redis's order of sorted-set members: by score, then by the member's bytes. */
    static int order(ScoredValue<String> a, ScoredValue<String> b) {
        int byScore = Double.compare(a.getScore(), b.getScore());
        return byScore != 0 ? byScore : Arrays.compareUnsigned(a.getValue().getBytes(StandardCharsets.UTF_8),
                b.getValue().getBytes(StandardCharsets.UTF_8));
    }
}
