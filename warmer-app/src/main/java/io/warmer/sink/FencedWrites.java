package io.warmer.sink;

import io.lettuce.core.cluster.SlotHash;
import io.warmer.family.CacheWrite;
import io.warmer.redis.RedisScript;
import java.util.List;

/**
 * Stale-write fencing: each fenced key has a companion <em>version key</em> holding the version
 * ({@link io.warmer.change.Version}, text that compares like commit order) of the change that last wrote it, and a
 * Lua script sets or deletes the key only if the write is newer. The key's own value stays exactly what the application reads.
 * A set or sorted set holds members of many rows, so its version key is a hash with each member's version instead:
 * a member is added or removed only by a newer change of its own row. A capped sorted set has a third key, its rest
 * key ({@link #restKeyOf}).
 *
 * <p>The version key is in the same Redis Cluster hash slot as its key, so the script touches one
 * slot: a key with a hash tag ({@code v2:{user:42}:profile}) keeps it and gets a suffix; any other
 * key becomes the hash tag ({@code {v2:user:42:profile}:v}), which hashes exactly like the key.
 */
public final class FencedWrites {

    /** Appended to a key to name its version key. */
    public static final String VERSION_SUFFIX = ":v";
    /** Appended to a capped sorted set's key to name its rest key. */
    public static final String REST_SUFFIX = ":rest";
    static final RedisScript SCRIPT = RedisScript.of(FencedWrites.class, "fenced-writes.lua");

    private FencedWrites() {
    }

    /** The version key of {@code key}. */
    public static String versionKeyOf(String key) {
        return companionOf(key, VERSION_SUFFIX);
    }

    /**
     * The rest key of a capped sorted set's {@code key}: a sorted set of the members beyond the cap, in the same hash
     * slot. The key shows the cap's highest-scored members; when one of them leaves, or falls below another, the
     * highest waiting here takes its place, which a key that kept only its cap could not know.
     */
    public static String restKeyOf(String key) {
        return companionOf(key, REST_SUFFIX);
    }

    private static String companionOf(String key, String suffix) {
        if (hasHashTag(key)) {
            return key + suffix;
        }
        if (key.indexOf('}') < 0) {
            return "{" + key + "}" + suffix;
        }
        // A '}' inside would end the tag early; name the slot by a tag that hashes to it instead.
        return "{" + SlotTags.TAGS[SlotHash.getSlot(key)] + "}" + suffix + ":" + key;
    }

    /** For each of the 16,384 cluster slots, a short string that hashes to it; built on first use. */
    private static final class SlotTags {
        static final String[] TAGS = build();

        private static String[] build() {
            String[] tags = new String[SlotHash.SLOT_COUNT];
            int found = 0;
            for (int i = 0; found < tags.length; i++) {
                String candidate = Integer.toString(i, 36);
                int slot = SlotHash.getSlot(candidate);
                if (tags[slot] == null) {
                    tags[slot] = candidate;
                    found++;
                }
            }
            return tags;
        }
    }

    /** Redis Cluster's rule: the first '{' with a later '}' and something between them. */
    static boolean hasHashTag(String key) {
        int open = key.indexOf('{');
        if (open < 0) {
            return false;
        }
        int close = key.indexOf('}', open + 1);
        return close > open + 1;
    }

    /** Appends the write's keys to a batch's KEYS (two, or three for a capped sorted set); see fenced-writes.lua. */
    static void addKeys(CacheWrite write, List<String> keys) {
        keys.add(write.key());
        keys.add(versionKeyOf(write.key()));
        if (capOf(write) > 0) {
            keys.add(restKeyOf(write.key()));
        }
    }

    private static int capOf(CacheWrite write) {
        return write instanceof CacheWrite.AddMember add ? add.cap()
                : write instanceof CacheWrite.RemoveMember remove ? remove.cap() : 0;
    }

    /** Appends the write's arguments to a batch's ARGV, in the order fenced-writes.lua reads them. */
    static void addArgs(CacheWrite write, List<String> args) {
        args.add(write.version().text());
        String tombstoneTtl = String.valueOf(write.fencing().tombstoneTtl().toMillis());
        String fenced = write.fencing().enabled() ? "1" : "0";
        if (write instanceof CacheWrite.Put put) {
            args.addAll(List.of("set", millis(put.ttl()), tombstoneTtl, fenced, "1", put.value()));
        } else if (write instanceof CacheWrite.PutHash hash) {
            args.addAll(List.of("hset", millis(hash.ttl()), tombstoneTtl, fenced, String.valueOf(2 * hash.fields().size())));
            hash.fields().forEach((field, value) -> {
                args.add(field);
                args.add(value);
            });
        } else if (write instanceof CacheWrite.AddMember add) {
            if (add.score() == null) {
                args.addAll(List.of("sadd", "0", tombstoneTtl, fenced, "1", add.member()));
            } else if (add.cap() == 0) {
                args.addAll(List.of("zadd", "0", tombstoneTtl, fenced, "2", add.member(), add.scoreText()));
            } else {
                args.addAll(List.of("zadd", "0", tombstoneTtl, fenced, "3", add.member(), add.scoreText(),
                        String.valueOf(add.cap())));
            }
        } else if (write instanceof CacheWrite.RemoveMember remove) {
            if (remove.cap() == 0) {
                args.addAll(List.of(remove.sorted() ? "zrem" : "srem", "0", tombstoneTtl, fenced, "1", remove.member()));
            } else {
                args.addAll(List.of("zrem", "0", tombstoneTtl, fenced, "2", remove.member(), String.valueOf(remove.cap())));
            }
        } else if (write instanceof CacheWrite.Delete) {
            args.addAll(List.of("del", "0", tombstoneTtl, fenced, "0"));
        } else {
            throw new IllegalArgumentException("no script operation for " + write);
        }
    }

    private static String millis(java.time.Duration ttl) {
        return ttl == null ? "0" : String.valueOf(ttl.toMillis());
    }
}
