package io.warmer.monitor;

import io.warmer.concurrent.DaemonThreads;
import io.warmer.capture.CaptureElection;
import io.warmer.capture.CaptureState;
import io.warmer.capture.PostgresCapture;
import io.warmer.config.FamilyConfig;
import io.warmer.redis.RedisConnection;
import io.warmer.config.WarmerConfig;
import io.warmer.family.KeyTemplate;
import io.warmer.service.ServiceView;
import io.warmer.sink.SinkCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a running service ({@link ServiceView}) for its probes, metrics and status page: every check interval it applies
 * the warm-up gate (snapshot, lag and coverage per family) and logs each family's change of stage; every second it
 * PINGs Redis and samples the write counters. Readers get the latest figures without waiting for a check.
 */
public final class PipelineMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMonitor.class);

    /** How often Redis is PINGed and the write rate sampled. */
    static final Duration PULSE_INTERVAL = Duration.ofSeconds(1);
    /** A rate point every this many pulses; with {@link #HISTORY_POINTS}, the page's chart spans 10 minutes. */
    static final int PULSES_PER_POINT = 2;
    static final int HISTORY_POINTS = 300;
    /** Redis counts as unreachable when no PING was answered for this long. */
    static final Duration REDIS_SILENCE = Duration.ofSeconds(5);

    private final ServiceView service;
    private final WarmerConfig config;
    private final WarmupGate.Targets targets;
    /** The interval this monitor checks at: {@code http.check-interval}, or a warm-up's own. */
    private final Duration checkInterval;
    private final WarmupGate gate;
    private final RedisConnection<String, String> pingConnection;
    private final RecentErrors recentErrors;
    private final Instant started = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-monitor-check"));
    private final ScheduledExecutorService pulses = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-monitor-pulse"));
    private final Map<String, RateHistory> rates = new LinkedHashMap<>();
    private final Map<String, FamilyStage> stages = new HashMap<>();
    private final List<LongConsumer> roundTripListeners = new CopyOnWriteArrayList<>();

    private volatile WarmupGate.Status lastGate;
    private volatile Instant lastCheck;
    private volatile String checkError;
    private volatile long lastPingAnsweredNanos;
    private volatile long lastRoundTripNanos = -1;
    private volatile String lastPingError;
    private volatile CompletableFuture<WarmupGate.Status> nextCheck = new CompletableFuture<>();
    private boolean redisWasHealthy = true;
    private int pulseCount;

    private PipelineMonitor(WarmerConfig config, ServiceView service, WarmupGate.Targets targets, Duration checkInterval)
            throws java.sql.SQLException {
        this.service = service;
        this.checkInterval = checkInterval;
        this.config = config;
        this.targets = targets;
        this.gate = new WarmupGate(config, targets, service);
        this.pingConnection = service.redis().connect();
        this.recentErrors = RecentErrors.attach();
        this.lastPingAnsweredNanos = System.nanoTime();
        config.families().forEach(f -> {
            rates.put(f.name(), new RateHistory(HISTORY_POINTS));
            stages.put(f.name(), FamilyStage.STARTING);
        });
    }

    /**
     * Starts watching.
     *
     * @param targets       what readiness requires; {@code warmer warmup} passes its own
     * @param checkInterval how often the gate is applied (it samples the database and Redis)
     * @throws java.sql.SQLException when the database cannot be reached for the coverage checks
     */
    public static PipelineMonitor start(WarmerConfig config, ServiceView service, WarmupGate.Targets targets,
                                        Duration checkInterval) throws java.sql.SQLException {
        PipelineMonitor monitor = new PipelineMonitor(config, service, targets, checkInterval);
        monitor.pulses.scheduleWithFixedDelay(monitor::pulse, 0, PULSE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        monitor.checks.scheduleWithFixedDelay(monitor::check, 0, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
        return monitor;
    }

    /** Called with every PING's round trip, in nanoseconds, e.g. to feed a timer. */
    public void onRedisRoundTrip(LongConsumer listener) {
        roundTripListeners.add(listener);
    }

    /** The result of the next check to complete from now: what a warm-up waits on. */
    public CompletableFuture<WarmupGate.Status> nextCheck() {
        return nextCheck;
    }

    /** Why the last check failed, or null when it worked (the figures are then those of the check before). */
    public String checkError() {
        return checkError;
    }

    /** The last completed check; null before the first. */
    public WarmupGate.Status lastCheck() {
        return lastGate;
    }

    private void check() {
        try {
            WarmupGate.Status status = gate.check();
            lastGate = status;
            lastCheck = Instant.now();
            if (checkError != null) {
                LOG.atInfo().addKeyValue("event", "check_recovered").log("Readiness checks work again");
            }
            checkError = null;
            logStageChanges(status);
            CompletableFuture<WarmupGate.Status> done = nextCheck;
            nextCheck = new CompletableFuture<>();
            done.complete(status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!message.equals(checkError)) {
                LOG.atWarn().addKeyValue("event", "check_failed").log("Readiness check failed (figures kept from the"
                        + " check before; retried every {}): {}", io.warmer.config.Durations.format(checkInterval), message);
            }
            checkError = message;
        }
    }

    private void logStageChanges(WarmupGate.Status status) {
        for (WarmupGate.FamilyReadiness family : status.families()) {
            FamilyStage next = service.rewarm().state() != io.warmer.rewarm.Rewarm.State.IDLE
                    && !family.ready() ? FamilyStage.REWARMING
                    : !status.snapshotDone() ? FamilyStage.SNAPSHOTTING
                    : family.backfill() != null ? FamilyStage.BACKFILLING
                    : family.ready() ? FamilyStage.READY : FamilyStage.STREAMING;
            FamilyStage previous;
            synchronized (stages) {
                previous = stages.put(family.family(), next);
            }
            if (previous != next) {
                LOG.atInfo().addKeyValue("event", "family_stage").addKeyValue("family", family.family())
                        .addKeyValue("from", previous.label()).addKeyValue("to", next.label())
                        .addKeyValue("lag", family.lag()).addKeyValue("coverage", family.coverage())
                        .log("Family {} is now {} (was {})", family.family(), next.label(), previous.label());
            }
        }
    }

    private void pulse() {
        try {
            long roundTrip = gatePing();
            lastRoundTripNanos = roundTrip;
            lastPingAnsweredNanos = System.nanoTime();
            lastPingError = null;
            roundTripListeners.forEach(l -> l.accept(roundTrip));
        } catch (RuntimeException e) {
            lastPingError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        Health.Part redis = redisPart();
        boolean redisHealthy = redis.healthy();
        if (redisHealthy != redisWasHealthy) {
            if (redisHealthy) {
                LOG.atInfo().addKeyValue("event", "redis_reachable").log("{} answers again",
                        service.redis().where());
            } else {
                LOG.atWarn().addKeyValue("event", "redis_unreachable").log("{} does not answer: {}",
                        service.redis().where(), redis.detail());
            }
            redisWasHealthy = redisHealthy;
        }
        if (++pulseCount % PULSES_PER_POINT == 0) {
            Map<String, SinkCounters.Counts> counts = service.counters().byFamily();
            long now = System.currentTimeMillis();
            long nanos = System.nanoTime();
            synchronized (rates) {
                rates.forEach((family, history) -> {
                    SinkCounters.Counts c = counts.get(family);
                    history.sample(now, nanos, c == null ? 0 : c.puts() + c.deletes());
                });
            }
        }
    }

    private long gatePing() {
        long started = System.nanoTime();
        pingConnection.sync().ping();
        return System.nanoTime() - started;
    }

    /** Liveness, computed now. */
    public Health health() {
        List<Health.Part> parts = new ArrayList<>();
        PostgresCapture capture = service.capture();
        CaptureElection election = service.election();
        if (capture != null) {
            CaptureState state = capture.state();
            boolean running = state == CaptureState.CREATED || state == CaptureState.STARTING
                    || state == CaptureState.RUNNING;
            parts.add(new Health.Part("capture", running, state.name(), running ? null
                    : "the capture engine stopped; see the log"));
        } else if (election != null) {
            // Standing by is healthy: another process captures, this one takes over when it stops.
            boolean standby = election.role() == CaptureElection.Role.STANDBY;
            parts.add(new Health.Part("capture", standby, standby ? "STANDBY" : election.role().name(),
                    standby ? election.holder() : "the capture stopped; see the log"));
        }
        if (service.role().materializes()) {
            KafkaStreams.State state = service.materializerState();
            boolean running = state == KafkaStreams.State.CREATED || state == KafkaStreams.State.REBALANCING
                    || state == KafkaStreams.State.RUNNING;
            parts.add(new Health.Part("materializer", running, state.name(), running
                    ? (service.evictionGuard().paused() ? "paused: Redis is evicting" : null)
                    : "the Kafka Streams application is not running; see the log"));
            parts.add(redisPart());
        }
        return new Health(service.state().wireName(), service.stateReason(), parts);
    }

    private Health.Part redisPart() {
        long silentNanos = System.nanoTime() - lastPingAnsweredNanos;
        String address = service.redis().address();
        if (silentNanos > REDIS_SILENCE.toNanos()) {
            return new Health.Part("redis", false, "UNREACHABLE", String.format("no answer to PING from %s for %d s%s",
                    address, TimeUnit.NANOSECONDS.toSeconds(silentNanos),
                    lastPingError == null ? "" : ": " + lastPingError));
        }
        return new Health.Part("redis", true, "CONNECTED", lastRoundTripNanos < 0 ? address
                : String.format("%s, PING %.2f ms", address, lastRoundTripNanos / 1e6));
    }

    /** Everything the status page shows, from the latest check and the counters now. */
    public PipelineStatus status() {
        WarmupGate.Status gateStatus = lastGate;
        Map<String, WarmupGate.FamilyReadiness> readiness = new HashMap<>();
        if (gateStatus != null) {
            gateStatus.families().forEach(f -> readiness.put(f.family(), f));
        }
        Map<String, SinkCounters.Counts> counts = service.counters().byFamily();
        Map<String, Long> deadLettered = service.counters().deadLetteredByFamily();
        List<PipelineStatus.FamilyStatus> families = new ArrayList<>();
        for (FamilyConfig family : config.families()) {
            WarmupGate.FamilyReadiness ready = readiness.get(family.name());
            SinkCounters.Counts c = counts.getOrDefault(family.name(), new SinkCounters.Counts(0, 0, 0));
            List<PipelineStatus.RatePoint> history;
            double rate;
            synchronized (rates) {
                RateHistory h = rates.get(family.name());
                history = h.points();
                rate = h.recentRate(5);
            }
            FamilyStage stage;
            synchronized (stages) {
                stage = stages.get(family.name());
            }
            families.add(new PipelineStatus.FamilyStatus(family.name(),
                    family.key().stream().map(KeyTemplate::toString).toList(), family.table().toString(), stage,
                    ready != null && ready.ready(), ready == null ? "the first check" : ready.waitingFor(),
                    ready == null ? null : ready.coverage(), ready == null ? 0 : ready.checked(),
                    ready == null ? 0 : ready.missing(), ready == null ? 0 : ready.stale(),
                    ready == null ? 0 : ready.inFlight(), ready == null ? null : ready.lag(), c.puts(), c.deletes(),
                    c.fenced(), deadLettered.getOrDefault(family.name(), 0L), rate, history));
        }
        PostgresCapture capture = service.capture();
        CaptureElection election = service.election();
        String captureStage = election == null ? "not in this process"
                : capture == null ? election.role().label() + " (" + election.holder() + ")"
                : capture.state() != CaptureState.RUNNING ? capture.state().name().toLowerCase(java.util.Locale.ROOT)
                : capture.snapshotCompleted() ? "streaming" : "snapshotting";
        Health health = health();
        String error = checkError;
        // Ready only while the last check held, it is not failing since, and every part runs: a lost Redis is not ready.
        boolean ready = gateStatus != null && gateStatus.ready() && error == null && health.healthy();
        return new PipelineStatus(config.kafka().applicationId(), Instant.now().toString(),
                (System.nanoTime() - startedNanos) / 1e9, ready, health,
                captureStage, targets.ready(),
                lastCheck == null ? null : lastCheck.toString(), error,
                gateStatus == null ? null : gateStatus.unjudged(), families, recentErrors.newestFirst());
    }

    public Instant started() {
        return started;
    }

    @Override
    public void close() {
        checks.shutdownNow();
        pulses.shutdownNow();
        try {
            checks.awaitTermination(5, TimeUnit.SECONDS);
            pulses.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recentErrors.detach();
        try {
            gate.close();
        } catch (Exception e) {
            LOG.debug("Closing the readiness checks' connections: {}", e.getMessage());
        }
        try {
            pingConnection.close();
        } catch (Exception e) {
            LOG.debug("Closing the PING connection: {}", e.getMessage());
        }
    }

}
