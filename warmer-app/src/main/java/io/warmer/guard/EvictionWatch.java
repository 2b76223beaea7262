package io.warmer.guard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, from successive samples of every master's memory, when Redis has started evicting and when it is safe to
 * write again. Pure: no clock, no I/O, so the decisions are tested sample by sample.
 *
 * <p>Evicting starts when {@code evicted_keys} rises on any node between two samples. It is over only when no node
 * evicted since the previous sample <em>and</em> every node with a {@code maxmemory} uses less than the resume margin
 * of it: right after evicting, Redis sits just under its limit, and writing again at once would only evict again.
 */
final class EvictionWatch {

    /** What one sample changed. */
    enum Transition {
        /** Nothing: still calm, or still evicting. */
        NONE,
        /** {@code evicted_keys} rose: Redis is evicting. */
        STARTED,
        /** Evictions have stopped and every node has room again. */
        OVER
    }

    /**
     * @param transition what this sample changed
     * @param evicted    keys evicted since the previous sample, over all nodes
     * @param evicting   the nodes that evicted since the previous sample
     */
    record Step(Transition transition, long evicted, List<NodeMemory> evicting) {
    }

    private final double resumeBelow;
    private final Map<String, Long> lastEvictedKeys = new HashMap<>();
    private boolean evicting;
    private long evictedSeen;

    /** @param resumeBelow share of {@code maxmemory} every node must be below before evicting is over, e.g. 0.95 */
    EvictionWatch(double resumeBelow) {
        this.resumeBelow = resumeBelow;
    }

    Step observe(List<NodeMemory> nodes) {
        long evicted = 0;
        List<NodeMemory> evictingNodes = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (NodeMemory node : nodes) {
            present.add(node.address());
            Long before = lastEvictedKeys.put(node.address(), node.evictedKeys());
            // A node seen for the first time only sets the baseline: its evictions may be days old. A counter that
            // went down was reset (restart, CONFIG RESETSTAT): a new baseline too.
            if (before != null && node.evictedKeys() > before) {
                evicted += node.evictedKeys() - before;
                evictingNodes.add(node);
            }
        }
        lastEvictedKeys.keySet().retainAll(present); // a node that left the cluster
        evictedSeen += evicted;
        if (!evicting && evicted > 0) {
            evicting = true;
            return new Step(Transition.STARTED, evicted, evictingNodes);
        }
        if (evicting && evicted == 0 && nodes.stream().allMatch(this::hasRoom)) {
            evicting = false;
            return new Step(Transition.OVER, 0, List.of());
        }
        return new Step(Transition.NONE, evicted, evictingNodes);
    }

    /** Whether Redis is evicting, as of the last sample. */
    boolean evicting() {
        return evicting;
    }

    /** Keys Redis evicted since the first sample, over all nodes. */
    long evictedSeen() {
        return evictedSeen;
    }

    private boolean hasRoom(NodeMemory node) {
        return !node.limited() || node.usedMemory() < resumeBelow * node.maxMemory();
    }
}
