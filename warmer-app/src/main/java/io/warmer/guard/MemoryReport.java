package io.warmer.guard;

import io.warmer.config.EvictionGuardMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * What {@link MemoryEstimate} found: per family, the memory its missing entries will take, and whether that fits in
 * what Redis has left under {@code maxmemory}. Pure: the verdict and its wording are tested without servers.
 *
 * @param address  where Redis is, for messages: never the password
 * @param guard    {@code redis.eviction-guard}, which decides what happens if Redis evicts anyway
 * @param families one per family, in configuration order
 * @param nodes    every master's memory when the estimate was made
 */
public record MemoryReport(String address, EvictionGuardMode guard, List<FamilyNeed> families, List<NodeMemory> nodes) {

    /**
     * @param family        the family's name
     * @param rows          rows of its table
     * @param entries       entries the family writes for them (rows outside its {@code where} have none; a row has
     *                      one per key template), estimated from the sample
     * @param presentShare  share of those entries already in Redis (they are overwritten in place and need no more)
     * @param bytesPerEntry what Redis charges for one entry, its fencing version key included
     * @param measuredBy    how {@code bytesPerEntry} was found, e.g. "MEMORY USAGE of 20 probe entries"
     * @param bytes         the memory the missing entries will take
     */
    public record FamilyNeed(String family, long rows, long entries, double presentShare, long bytesPerEntry,
                             String measuredBy, long bytes) {
    }

    /** What the estimate means for the warm-up. */
    public enum Verdict {
        /** {@code maxmemory} is 0: Redis grows until the host runs out. */
        NO_LIMIT,
        /** The new entries fit in the room Redis has left. */
        FITS,
        /** They do not fit and the policy evicts: Redis will push out existing keys. */
        WILL_EVICT,
        /** They do not fit and the policy is {@code noeviction}: Redis will refuse writes once full. */
        WILL_REFUSE_WRITES
    }

    public MemoryReport {
        families = List.copyOf(families);
        nodes = List.copyOf(nodes);
    }

    /** The memory every family's missing entries will take. */
    public long needed() {
        return families.stream().mapToLong(FamilyNeed::bytes).sum();
    }

    public Verdict verdict() {
        if (nodes.stream().noneMatch(NodeMemory::limited)) {
            return Verdict.NO_LIMIT;
        }
        // Keys spread evenly over a cluster's masters by hash slot: each must hold its share.
        long perNode = needed() / nodes.size();
        if (nodes.stream().allMatch(n -> n.free() >= perNode)) {
            return Verdict.FITS;
        }
        return nodes.stream().anyMatch(NodeMemory::policyEvicts) ? Verdict.WILL_EVICT : Verdict.WILL_REFUSE_WRITES;
    }

    /** One line per family, one for Redis, then the verdict; a verdict that warns starts with "WARNING:". */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (FamilyNeed f : families) {
            lines.add(String.format(Locale.ROOT, "estimate: %s: %,d rows, %,d entries, %.0f%% already in Redis:"
                            + " ~%,d new entries of ~%s (%s) = ~%s", f.family(), f.rows(), f.entries(),
                    100 * f.presentShare(), Math.round(f.entries() * (1 - f.presentShare())),
                    Bytes.format(f.bytesPerEntry()), f.measuredBy(), Bytes.format(f.bytes())));
        }
        lines.add("estimate: Redis at " + address + ": " + describeRedis());
        lines.add(verdictLine());
        return lines;
    }

    private String describeRedis() {
        if (nodes.size() == 1) {
            NodeMemory node = nodes.get(0);
            return node.describe() + (node.limited() ? ", " + Bytes.format(node.free()) + " free" : "");
        }
        return nodes.size() + " masters, " + total(NodeMemory::usedMemory) + " used of maxmemory "
                + total(NodeMemory::maxMemory) + " in total, policy " + policies();
    }

    private String verdictLine() {
        String need = "~" + Bytes.format(needed());
        return switch (verdict()) {
            case NO_LIMIT -> "estimate: no maxmemory is set on Redis at " + address + " (maxmemory 0): nothing but"
                    + " the host's memory limits the new entries' " + need + ".";
            case FITS -> "estimate: fits: the new entries need " + need + ", " + freeText() + "; afterwards Redis"
                    + " uses about " + percentAfter() + "% of maxmemory.";
            case WILL_EVICT -> "WARNING: the new entries will not fit in Redis at " + address + ": they need " + need
                    + ", only " + freeText() + ". With maxmemory-policy " + policies() + " Redis will evict "
                    + (policies().startsWith("volatile-") ? "keys with a TTL" : "existing keys") + " to make room,"
                    + " hot old keys production still reads among them. " + fix() + " " + guardSentence();
            case WILL_REFUSE_WRITES -> "WARNING: the new entries will not fit in Redis at " + address + ": they need "
                    + need + ", only " + freeText() + ". With maxmemory-policy " + policies() + " Redis refuses"
                    + " writes once full (OOM errors), production's as well as Warmer's, and the warm-up stalls,"
                    + " retrying from Kafka until there is room. " + fix();
        };
    }

    /** What to do before warming: raise maxmemory by the shortfall, or free memory. */
    private String fix() {
        if (nodes.size() == 1) {
            NodeMemory node = nodes.get(0);
            long shortfall = needed() - node.free();
            return "Before warming, raise maxmemory by at least " + Bytes.format(shortfall) + " (e.g. CONFIG SET"
                    + " maxmemory " + Bytes.configMegabytes(node.maxMemory() + shortfall) + ", and in redis.conf), or"
                    + " free memory first, e.g. `warmer cleanup --pattern '<old key generation>'` once nothing reads it.";
        }
        long perNode = needed() / nodes.size();
        long shortfall = nodes.stream().mapToLong(n -> Math.max(0, perNode - n.free())).max().orElse(0);
        return "Before warming, raise maxmemory on every master by at least " + Bytes.format(shortfall) + ", or free"
                + " memory first, e.g. `warmer cleanup --pattern '<old key generation>'` once nothing reads it.";
    }

    private String guardSentence() {
        return switch (guard) {
            case PAUSE -> "If Redis starts evicting, the eviction guard pauses writing (redis.eviction-guard: pause).";
            case WARN -> "redis.eviction-guard is warn: Warmer will log the evictions and keep writing.";
            case OFF -> "redis.eviction-guard is off: nothing will stop the evictions.";
        };
    }

    /** E.g. "4.0 MiB is free (used_memory 4.0 MiB of maxmemory 8.0 MiB, policy allkeys-lru)". */
    private String freeText() {
        long free = nodes.stream().filter(NodeMemory::limited).mapToLong(NodeMemory::free).sum();
        return nodes.size() == 1 ? Bytes.format(free) + " is free (" + nodes.get(0).describe() + ")"
                : Bytes.format(free) + " are free in total over " + nodes.size() + " masters";
    }

    private long percentAfter() {
        long used = nodes.stream().filter(NodeMemory::limited).mapToLong(NodeMemory::usedMemory).sum();
        long max = nodes.stream().filter(NodeMemory::limited).mapToLong(NodeMemory::maxMemory).sum();
        return Math.round(100.0 * (used + needed()) / max);
    }

    private String total(ToLongFunction<NodeMemory> field) {
        return Bytes.format(nodes.stream().mapToLong(field).sum());
    }

    private String policies() {
        return String.join("/", nodes.stream().map(NodeMemory::policy).distinct().toList());
    }
}
