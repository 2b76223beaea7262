package io.warmer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The second reference W1 is compared with, in a JVM of its own: the obvious Debezium-to-Redis loop a team writes by
 * hand. Debezium's embedded engine (its own initial snapshot, offsets in memory, no Kafka) hands over batches of
 * JSON change events; each event's {@code after} becomes {@code SET <prefix>:user:<id> <after> EX 3600}, pipelined
 * ({@link PipelinedSet}). No fencing, no replayable log, no readiness. It exits once Redis acknowledged a SET for
 * each of the table's rows, so that its JVM's lifetime is the time to a warm cache, as W1's is timed; the slot and
 * the publication it made are dropped on the way out.
 *
 * <p>Arguments: PostgreSQL host, port, database, user, Redis URI, key prefix, rows; the password in
 * {@link BenchConfig#PASSWORD_ENV}.
 */
public final class DebeziumLoopReference {

    static final String SLOT = "bench_reference_loop";

    private DebeziumLoopReference() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[5] + ":user:";
        long rows = Long.parseLong(args[6]);
        Properties p = new Properties();
        p.setProperty("name", "reference-loop");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("offset.flush.interval.ms", "60000");
        p.setProperty("database.hostname", args[0]);
        p.setProperty("database.port", args[1]);
        p.setProperty("database.dbname", args[2]);
        p.setProperty("database.user", args[3]);
        p.setProperty("database.password", System.getenv(BenchConfig.PASSWORD_ENV));
        p.setProperty("topic.prefix", "reference");
        p.setProperty("table.include.list", UsersTable.TABLE.replace(".", "\\."));
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", SLOT);
        p.setProperty("slot.drop.on.stop", "true");
        p.setProperty("publication.name", SLOT);
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        // Batches as large as Warmer's capture takes them, so that the comparison is of the work, not of the batching.
        p.setProperty("max.batch.size", "8192");
        p.setProperty("max.queue.size", "32768");

        ObjectMapper json = new ObjectMapper();
        CountDownLatch warm = new CountDownLatch(1);
        try (PipelinedSet redis = new PipelinedSet(args[4], Duration.ofHours(1))) {
            DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class).using(p)
                    .notifying((List<ChangeEvent<String, String>> events,
                                DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
                        for (ChangeEvent<String, String> event : events) {
                            if (event.value() != null) {
                                JsonNode after = read(json, event.value()).get("after");
                                if (after != null && !after.isNull()) {
                                    redis.set(prefix + after.get("id").asText(), after.toString());
                                }
                            }
                            committer.markProcessed(event);
                        }
                        committer.markBatchFinished();
                        if (redis.written() >= rows) {
                            redis.awaitAll();
                            warm.countDown();
                        }
                    })
                    .using((success, message, error) -> {
                        if (!success) {
                            System.err.println("the engine stopped: " + message);
                        }
                        warm.countDown();
                    })
                    .build();
            ExecutorService executor = Executors.newSingleThreadExecutor();
            executor.execute(engine);
            warm.await();
            engine.close();
            executor.shutdown();
            executor.awaitTermination(1, TimeUnit.MINUTES);
            System.out.println("rows " + redis.written());
        }
    }

    private static JsonNode read(ObjectMapper json, String value) {
        try {
            return json.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("not a JSON change event: " + value, e);
        }
    }
}
