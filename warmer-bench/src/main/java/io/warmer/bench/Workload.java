package io.warmer.bench;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The suite's workloads, by the names {@code --only} takes. */
enum Workload {
    /** Snapshot of the users table, PostgreSQL to Redis end to end. */
    W1("W1"),
    /** Steady updates at fixed rates; change-to-Redis latency. Needs W1's running service. */
    W2("W2"),
    /** Replay of the change topic into a fresh prefix, fencing on. Needs W1's topic. */
    W3("W3"),
    /** Replay into W3's prefix again: every write stale. Needs W3. */
    W4("W4"),
    /** migrate-keys of N keys against the seed's per-key loop. Independent of the others. */
    W5("W5"),
    /** Two materializer processes sharing the partitions against one. Needs W1's topic. */
    X2("X2"),
    /** FLUSHALL under W1's running service: time until it has rebuilt every key by itself. Needs W1, W3 to compare. */
    W6("W6"),
    /** Restart of a service with a join: stores kept in kafka.state-dir against restored. Independent of the others. */
    W7("W7"),
    /** A warm-up whose families include a 1:N join against the same rows without it. Independent of the others. */
    W8("W8");

    final String wireName;

    Workload(String wireName) {
        this.wireName = wireName;
    }

    static Workload parse(String text) {
        for (Workload w : values()) {
            if (w.wireName.equalsIgnoreCase(text.trim())) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + text + "', expected one of W1, W2, W3, W4, W5, W6, W7, W8, X2");
    }

    /** {@code chosen} plus what they need: W1 under W2, W3, W4, W6 and X2; W3 under W4 and W6. */
    static Set<Workload> withPrerequisites(Set<Workload> chosen) {
        Set<Workload> all = EnumSet.copyOf(chosen);
        if (all.contains(W4) || all.contains(W6)) {
            all.add(W3);
        }
        if (all.contains(W2) || all.contains(W3) || all.contains(X2)) {
            all.add(W1);
        }
        return all;
    }

    @Override
    public String toString() {
        return wireName.toUpperCase(Locale.ROOT);
    }
}
