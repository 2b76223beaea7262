package io.warmer.topology;

import io.warmer.family.CacheWrite;
import io.warmer.sink.CacheWriter;
import io.warmer.sink.CacheWriterFactory;
import io.warmer.sink.SinkCounters;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cache in a map, for topology tests: writes become visible once the sink store is flushed, as
 * they become durable in Redis only once acknowledged, and a fenced write applies only when its version is newer
 * than the key's, as the fencing script does.
 */
final class InMemoryCache implements CacheWriterFactory {

    final Map<String, String> entries = new ConcurrentHashMap<>();
    final Map<String, CacheWrite.Put> puts = new ConcurrentHashMap<>();
    final Map<String, io.warmer.change.Version> versions = new ConcurrentHashMap<>();
    final SinkCounters counters = new SinkCounters();
    /** Every write applied, in order (not the fenced ones). */
    final java.util.List<CacheWrite> applied = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public SinkCounters counters() {
        return counters;
    }

    /** Sets and sorted sets: member to score (null in a plain set); a member's version fences it alone. */
    final Map<String, Map<String, Double>> members = new ConcurrentHashMap<>();
    final Map<String, io.warmer.change.Version> memberVersions = new ConcurrentHashMap<>();

    private void applyMember(CacheWrite write) {
        String member = write instanceof CacheWrite.AddMember add ? add.member() : ((CacheWrite.RemoveMember) write).member();
        String id = write.key() + "\u0000" + member;
        if (write.fencing().enabled()) {
            io.warmer.change.Version held = memberVersions.get(id);
            if (held != null && !write.version().isNewerThan(held)) {
                return;
            }
            memberVersions.put(id, write.version());
        }
        applied.add(write);
        if (write instanceof CacheWrite.AddMember add) {
            members.computeIfAbsent(add.key(), k -> new java.util.TreeMap<>()).put(member, add.score());
        } else {
            Map<String, Double> set = members.get(write.key());
            if (set != null) {
                set.remove(member);
                if (set.isEmpty()) {
                    members.remove(write.key());
                }
            }
        }
    }

    @Override
    public CacheWriter open(String storeName) {
        return new CacheWriter() {
            private final java.util.List<CacheWrite> pending = new java.util.ArrayList<>();

            @Override
            public void submit(String family, CacheWrite write) {
                pending.add(write);
            }

            @Override
            public void sendPending() {
                // becomes visible only once acknowledged, as in Redis
            }

            @Override
            public void awaitAcknowledged() {
                for (CacheWrite write : pending) {
                    if (write instanceof CacheWrite.AddMember || write instanceof CacheWrite.RemoveMember) {
                        applyMember(write);
                        continue;
                    }
                    if (write.fencing().enabled()) {
                        io.warmer.change.Version held = versions.get(write.key());
                        if (held != null && !write.version().isNewerThan(held)) {
                            continue;
                        }
                        versions.put(write.key(), write.version());
                    }
                    applied.add(write);
                    if (write instanceof CacheWrite.Put put) {
                        entries.put(put.key(), put.value());
                        puts.put(put.key(), put);
                    } else if (write instanceof CacheWrite.PutHash hash) {
                        entries.put(hash.key(), hash.fields().toString());
                    } else {
                        entries.remove(write.key());
                    }
                }
                pending.clear();
            }

            @Override
            public void close() {
            }
        };
    }
}
