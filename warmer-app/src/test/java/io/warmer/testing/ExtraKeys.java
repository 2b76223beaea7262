package io.warmer.testing;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.sink.FencedWrites;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Why a key no row accounts for is still in Redis, for a failure message: what Redis holds under the key and its
 * version key (value, TTL left), and every record of the row in its change topic (offset, time, operation,
 * version). With the times of a test's events beside it, that says which write left the key and which delete
 * never came or was refused.
 */
public final class ExtraKeys {

    private ExtraKeys() {
    }

    /**
     * @param keys     extra keys, each with the row's id as its first run of digits after {@code idAfter}
     * @param idAfter  the text just before the id in the key, e.g. {@code "customer:"}
     * @param topic    the change topic of the row's table
     */
    public static String explain(RedisClusterCommands<String, String> redis, String bootstrap, String topic,
                                 List<String> keys, String idAfter) {
        Pattern id = Pattern.compile(Pattern.quote(idAfter) + "(\\d+)");
        Map<String, String> idOf = new HashMap<>();
        for (String key : keys) {
            Matcher m = id.matcher(key);
            if (m.find()) {
                idOf.put(key, m.group(1));
            }
        }
        Map<String, List<String>> history = history(bootstrap, topic, idOf.values());
        StringBuilder text = new StringBuilder();
        for (String key : keys) {
            String versionKey = FencedWrites.versionKeyOf(key);
            text.append("\n  ").append(key).append(": ").append(redis.type(key)).append(" ttl ")
                    .append(redis.pttl(key)).append(" ms; version ").append(redis.get(versionKey)).append(" ttl ")
                    .append(redis.pttl(versionKey)).append(" ms");
            for (String line : history.getOrDefault(idOf.get(key), List.of())) {
                text.append("\n    ").append(line);
            }
        }
        return text.toString();
    }

    /** Each id's records, in topic order, as text. */
    private static Map<String, List<String>> history(String bootstrap, String topic, java.util.Collection<String> ids) {
        Map<String, List<String>> lines = new HashMap<>();
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    String rowId;
                    try {
                        rowId = RowChangeCodec.readKey(record.key()).path("id").asText();
                    } catch (RuntimeException e) {
                        continue; // a snapshot marker
                    }
                    if (!ids.contains(rowId)) {
                        continue;
                    }
                    String what;
                    if (record.value() == null) {
                        what = "tombstone";
                    } else {
                        RowChange change = RowChangeCodec.read(record.value());
                        what = change.op() + " " + change.version();
                    }
                    lines.computeIfAbsent(rowId, k -> new ArrayList<>()).add(record.partition() + "@"
                            + record.offset() + " " + Instant.ofEpochMilli(record.timestamp()) + " " + what);
                }
            }
        } catch (RuntimeException e) {
            lines.put("?", List.of("could not read " + topic + ": " + e));
        }
        return lines;
    }

    /**
     * Which nodes of a cluster hold each key, asked of each node alone by SCAN (which, unlike a keyed command, is not
     * redirected): a key that only a node no longer serving its slot holds is seen by a cluster SCAN and by no GET.
     * Each node with its line of CLUSTER NODES as it sees itself.
     */
    public static String nodesHolding(List<Integer> ports, List<String> keys) {
        StringBuilder text = new StringBuilder("\nnodes:");
        Map<String, List<Integer>> holders = new HashMap<>();
        for (int port : ports) {
            io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + port);
            try (var connection = client.connect()) {
                var node = connection.sync();
                String myself = node.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElse("?");
                text.append("\n  ").append(port).append(": ").append(myself).append(", ").append(node.dbsize())
                        .append(" keys");
                java.util.Set<String> wanted = new java.util.HashSet<>(keys);
                io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
                do {
                    var page = node.scan(cursor, io.lettuce.core.ScanArgs.Builder.limit(1_000));
                    page.getKeys().stream().filter(wanted::contains)
                            .forEach(k -> holders.computeIfAbsent(k, x -> new ArrayList<>()).add(port));
                    cursor = page;
                } while (!cursor.isFinished());
            } catch (RuntimeException e) {
                text.append("\n  ").append(port).append(": ").append(e.getMessage());
            } finally {
                client.shutdown();
            }
        }
        for (String key : keys) {
            text.append("\n  ").append(key).append(" (slot ").append(io.lettuce.core.cluster.SlotHash.getSlot(key))
                    .append(") is on ").append(holders.getOrDefault(key, List.of()));
        }
        return text.toString();
    }
}
