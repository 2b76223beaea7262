package io.warmer.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Change-to-Redis latency as an application would see it: on every keyspace notification of a
 * {@code SET} to a cache key ({@code notify-keyspace-events K$}), GET the key and record
 * now − the value's {@code touched_us}, which the update set from the database's clock
 * ({@code clock_timestamp()}, same machine, same clock). Each value is counted once per key, however
 * many notifications show it.
 */
final class KeyspaceLatency implements AutoCloseable {

    /** Latencies up to an hour, in microseconds, 3 significant digits. */
    static final long MAX_MICROS = 3_600_000_000L;
    private static final String FIELD = "\"touched_us\":";

    private final RedisClient client;
    private final StatefulRedisPubSubConnection<String, String> notifications;
    private final StatefulRedisConnection<String, String> reader;
    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final ConcurrentHashMap<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final AtomicLong lastRecordNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong recorded = new AtomicLong();

    private KeyspaceLatency(RedisClient client, String keyGlob) {
        this.client = client;
        this.reader = client.connect();
        this.notifications = client.connectPubSub();
        RedisAsyncCommands<String, String> async = reader.async();
        reader.sync().configSet("notify-keyspace-events", "K$");
        String channelPrefix = "__keyspace@0__:";
        notifications.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                String key = channel.substring(channelPrefix.length());
                async.get(key).thenAccept(value -> record(key, value));
            }
        });
        notifications.sync().psubscribe(channelPrefix + keyGlob);
    }

    /** Subscribes to the SETs of keys matching {@code keyGlob}; notifications are on until {@link #close}. */
    static KeyspaceLatency subscribe(String redisUri, String keyGlob) {
        return new KeyspaceLatency(RedisClient.create(redisUri), keyGlob);
    }

    private void record(String key, String value) {
        long now = nowMicros();
        if (value == null) {
            return;
        }
        int at = value.indexOf(FIELD);
        if (at < 0 || value.startsWith("null", at + FIELD.length())) {
            return;
        }
        int from = at + FIELD.length();
        int to = from;
        while (to < value.length() && Character.isDigit(value.charAt(to))) {
            to++;
        }
        long touched = Long.parseLong(value.substring(from, to));
        Long previous = lastSeen.put(key, touched);
        if (previous != null && previous >= touched) {
            return;
        }
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, now - touched)));
        recorded.incrementAndGet();
        lastRecordNanos.set(System.nanoTime());
    }

    /** The latencies recorded since the last call (microseconds). */
    Histogram interval() {
        return recorder.getIntervalHistogram();
    }

    /** Values recorded so far, each a distinct update seen in Redis. */
    long recorded() {
        return recorded.get();
    }

    /** Nanos (System.nanoTime) of the latest recorded value. */
    long lastRecordNanos() {
        return lastRecordNanos.get();
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public void close() {
        try {
            notifications.sync().punsubscribe();
            reader.sync().configSet("notify-keyspace-events", "");
        } finally {
            notifications.close();
            reader.close();
            client.shutdown();
        }
    }
}
