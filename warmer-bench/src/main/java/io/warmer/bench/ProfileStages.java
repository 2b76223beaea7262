package io.warmer.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU goes, per stage of the pipeline: reads a JFR recording's execution samples, gives each
 * sample to the stage of the innermost frame that belongs to one, and prints CPU-seconds per million
 * rows: each stage's share of the samples times the CPU time the JVM used over the recording (its
 * {@code jdk.CPULoad} events). Estimates: JFR samples a few threads per period, and the recording covers
 * the JVM's start and end as well as the rows.
 *
 * <p>Usage: {@code ProfileStages <recording.jfr> <rows>}
 */
public final class ProfileStages {

    /** Package prefixes to stages, most specific first; frames in none of them (the JDK) are skipped. */
    private static final Map<String, String> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("io.warmer.capture", "warmer capture (Connect record -> change JSON)");
        STAGES.put("io.warmer.change", "warmer change codec (no caller above)");
        STAGES.put("io.warmer.topology", "warmer topology (change JSON -> cache writes)");
        STAGES.put("io.warmer.family", "warmer topology (change JSON -> cache writes)");
        STAGES.put("io.warmer.sink", "warmer sink (cache writes -> Lettuce)");
        STAGES.put("io.debezium", "Debezium (snapshot, events, metrics, offsets)");
        STAGES.put("org.postgresql", "PostgreSQL JDBC driver");
        STAGES.put("org.apache.kafka.clients.producer", "Kafka producer");
        STAGES.put("org.apache.kafka.streams", "Kafka Streams runtime");
        STAGES.put("org.apache.kafka.clients.consumer", "Kafka consumer");
        STAGES.put("io.lettuce", "Lettuce + Netty (Redis client)");
        STAGES.put("io.netty", "Lettuce + Netty (Redis client)");
        STAGES.put("kafka.", "Kafka broker (in-process)");
        STAGES.put("org.apache.kafka.server", "Kafka broker (in-process)");
        STAGES.put("org.apache.kafka.storage", "Kafka broker (in-process)");
        STAGES.put("org.apache.kafka.raft", "Kafka broker (in-process)");
        STAGES.put("org.apache.kafka.controller", "Kafka broker (in-process)");
        STAGES.put("org.apache.kafka.common", "Kafka client common (network, records)");
        STAGES.put("com.fasterxml.jackson", "Jackson (no caller above)");
    }

    private ProfileStages() {
    }

    public static void main(String[] args) throws Exception {
        Path recording = Path.of(args[0]);
        long rows = Long.parseLong(args[1]);
        double periodSeconds = 0.010; // JFR "profile": one sample per 10 ms, when nothing better is recorded
        Map<String, Long> samples = new LinkedHashMap<>();
        STAGES.values().forEach(stage -> samples.putIfAbsent(stage, 0L));
        samples.put("other (JDK, GC-free startup, unattributed)", 0L);
        long total = 0;
        double jvmLoadSum = 0;
        long jvmLoadEvents = 0;
        int cores = Runtime.getRuntime().availableProcessors();
        java.time.Instant first = null;
        java.time.Instant last = null;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            first = first == null || event.getStartTime().isBefore(first) ? event.getStartTime() : first;
            last = last == null || event.getEndTime().isAfter(last) ? event.getEndTime() : last;
            if (type.equals("jdk.CPULoad")) {
                // Shares of the whole machine's CPU, all cores together.
                jvmLoadSum += event.getDouble("jvmUser") + event.getDouble("jvmSystem");
                jvmLoadEvents++;
            } else if (type.equals("jdk.CPUInformation")) {
                cores = event.getInt("hwThreads");
            } else if (type.equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
                total++;
                samples.merge(stageOf(event.getStackTrace().getFrames()), 1L, Long::sum);
            }
        }
        // JFR samples a few threads per period, not all: the samples give the shares, the JVM's measured CPU
        // load over the recording gives the total they are shares of.
        double seconds = first == null ? 0 : java.time.Duration.between(first, last).toMillis() / 1000.0;
        double jvmCpuSeconds = jvmLoadEvents == 0 ? total * periodSeconds : jvmLoadSum / jvmLoadEvents * cores * seconds;
        System.out.printf(Locale.ROOT, "# %,d execution samples, %,d rows; the JVM used %.1f CPU-seconds in %.1f s"
                + " (%.2f of %d cores)%n", total, rows, jvmCpuSeconds, seconds, jvmCpuSeconds / seconds, cores);
        System.out.printf(Locale.ROOT, "%-52s %10s %8s%n", "stage", "cpu-s/1M", "share");
        for (var stage : samples.entrySet()) {
            if (stage.getValue() > 0) {
                double share = (double) stage.getValue() / total;
                System.out.printf(Locale.ROOT, "%-52s %10.2f %7.1f%%%n", stage.getKey(),
                        share * jvmCpuSeconds * 1_000_000 / rows, 100.0 * share);
            }
        }
        System.out.printf(Locale.ROOT, "%-52s %10.2f%n", "the whole JVM", jvmCpuSeconds * 1_000_000 / rows);
    }

    /** Shared libraries: their time belongs to the stage that called them, when one did. */
    private static final List<String> SHARED = List.of("com.fasterxml.jackson", "org.apache.kafka.common",
            "io.warmer.change");

    private static String stageOf(List<RecordedFrame> frames) {
        String shared = null;
        for (RecordedFrame frame : frames) {
            if (frame.getMethod() == null || frame.getMethod().getType() == null) {
                continue;
            }
            String type = frame.getMethod().getType().getName();
            for (var stage : STAGES.entrySet()) {
                if (type.startsWith(stage.getKey())) {
                    if (SHARED.stream().noneMatch(type::startsWith)) {
                        return stage.getValue();
                    }
                    shared = shared == null ? stage.getValue() : shared;
                }
            }
        }
        return shared != null ? shared : "other (JDK, GC-free startup, unattributed)";
    }
}
