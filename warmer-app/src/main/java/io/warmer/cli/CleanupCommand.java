package io.warmer.cli;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.warmer.backfill.FamilyRegistry;
import io.warmer.backfill.Materializers;
import io.warmer.backfill.Registration;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.family.KeyFamily;
import io.warmer.sink.FencedWrites;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warmer cleanup}: after the rollback window, removes the old key generation with UNLINK at a
 * bounded rate (SCAN, never KEYS), so that it does not sit in memory until its TTL and does not stall
 * the Redis production reads from.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Remove every key matching --pattern (and its fencing version key) with UNLINK, at most"
                + " --rate keys per second; or, with --family, the keys of a family removed from the configuration"
                + " (and its registration and materializer). --dry-run only counts.",
                "Example: warmer cleanup --config warmer.yml --pattern 'user:*:profile' --rate 5000/s",
                "Example: warmer cleanup --config warmer.yml --family user-profile-v1"})
final class CleanupCommand implements Callable<Integer> {

    /** Keys asked of SCAN per call, and unlinked per command. */
    static final int BATCH = 500;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--pattern", required = true, description = "A Redis glob pattern, e.g. 'user:*:profile'.")
        String pattern;

        @Option(names = "--family", required = true, description = "A family no longer in the configuration: its"
                + " keys, as the family registry remembers them.")
        String family;
    }

    @Option(names = "--rate", description = "Keys per second at most, e.g. 5000/s (default: " + KeyRate.DEFAULT + ").")
    KeyRate rate = KeyRate.parse(KeyRate.DEFAULT);

    @Option(names = "--dry-run", description = "Count the matching keys; remove nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    /** @param removed false for a dry run, which only counts */
    record Report(String pattern, long matched, boolean removed, double seconds, double keysPerSecond) {
    }

    @Override
    public Integer call() throws Exception {
        KeyRate keyRate = rate;
        WarmerConfig loaded;
        List<String> patterns;
        Predicate<String> ours = key -> true;
        Registration removedFamily = null;
        if (target.family != null) {
            loaded = config.load();
            if (loaded.families().stream().anyMatch(f -> f.name().equals(target.family))) {
                throw new ParameterException(spec.commandLine(), "--family: " + target.family + " is still in " + config
                        + "; remove it there and restart the service first, so that nothing writes it again");
            }
            FamilyRegistry registry = new FamilyRegistry(loaded);
            Map<String, Registration> known = registry.read();
            removedFamily = known.get(target.family);
            if (removedFamily == null) {
                throw new ParameterException(spec.commandLine(), "--family: " + target.family + " is not in the family"
                        + " registry " + registry.topic() + " (it has " + known.keySet() + "); for keys Warmer never"
                        + " registered, use --pattern");
            }
            patterns = removedFamily.keyPatterns();
            String stillRunning = stillMaterialized(loaded, removedFamily);
            if (stillRunning != null) {
                spec.commandLine().getErr().println("error: " + stillRunning);
                return ExitCodes.NOT_MET;
            }
            // A key a configured family could have written is that family's, even if the removed one's pattern matches.
            List<KeyFamily> configured = loaded.keyFamilies();
            ours = key -> configured.stream().noneMatch(f -> f.keys().stream().anyMatch(t -> t.match(key).isPresent()));
        } else {
            if (target.pattern.isBlank() || target.pattern.equals("*")) {
                throw new ParameterException(spec.commandLine(), "--pattern: found '" + target.pattern
                        + "', expected a pattern that names one key generation, e.g. 'user:*:profile'");
            }
            loaded = config.load();
            patterns = List.of(target.pattern);
        }
        PrintWriter out = spec.commandLine().getOut();
        long matched = 0;
        String what = target.family != null ? "of family " + target.family + " " + patterns : "matching '" + target.pattern + "'";
        // With --json, standard output carries only the report.
        ProgressLine progress = ProgressLine.on(json ? spec.commandLine().getErr() : out);
        double seconds;
        try (Redis process = Redis.of(loaded.redis()); RedisConnection<String, String> redis = process.connect()) {
            long started = System.nanoTime(); // once connected: the rate is that of the commands
            for (String pattern : patterns) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<String> page = redis.sync().scan(cursor, ScanArgs.Builder.matches(pattern).limit(BATCH));
                    List<String> keys = page.getKeys().stream().filter(ours).toList();
                    if (!keys.isEmpty()) {
                        matched += keys.size();
                        if (!dryRun) {
                            List<String> withVersions = new ArrayList<>(keys);
                            // A capped sorted set's rest key too: harmless to name for any other key, which has none.
                            keys.forEach(k -> withVersions.addAll(List.of(FencedWrites.versionKeyOf(k),
                                    FencedWrites.restKeyOf(k))));
                            redis.sync().unlink(withVersions.toArray(String[]::new));
                            keyRate.throttle(matched, started);
                        }
                        progress.update(String.format("cleanup: %s %,d keys %s so far", dryRun ? "found" : "removed",
                                matched, what));
                    }
                    cursor = page;
                } while (!cursor.isFinished());
            }
            seconds = (System.nanoTime() - started) / 1e9;
        }
        if (removedFamily != null && !dryRun) {
            forget(loaded, removedFamily);
        }
        Report report = new Report(String.join(" ", patterns), matched, !dryRun, seconds,
                seconds > 0 ? matched / seconds : 0);
        progress.finish(String.format("cleanup: %s %,d keys %s in %.1f s", dryRun ? "would remove" : "removed", matched,
                what, seconds));
        if (json) {
            out.println(RowChangeCodec.json().writeValueAsString(report));
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** How long a stopped service's materializer stays a member of its group: Kafka Streams does not leave on close. */
    static final java.time.Duration LEAVE_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * Why the family's keys must not be removed yet: a service still runs its own materializer, which would write them
     * again; null when nothing does (or the family shares the configured application, whose group says nothing of it).
     */
    private String stillMaterialized(WarmerConfig loaded, Registration family) throws Exception {
        if (family.application().equals(loaded.kafka().applicationId())) {
            return null;
        }
        try (Admin admin = ChangeTopicProvisioner.connect(loaded.kafka().clients())) {
            long deadline = System.nanoTime() + LEAVE_WAIT.toNanos();
            while (true) {
                var group = admin.describeConsumerGroups(List.of(family.application())).all().get(30, TimeUnit.SECONDS)
                        .get(family.application());
                if (group == null || group.members().isEmpty()) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    return "family " + family.family() + " is still materialized by " + group.members().size()
                            + " member(s) of consumer group " + family.application() + " (hosts "
                            + group.members().stream().map(m -> m.host()).distinct().toList() + "): restart every"
                            + " service with a configuration without the family, then run cleanup again";
                }
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    /**
     * Takes the family out of the registry, so that configuring it again fills it afresh; a family that had its own
     * materializer also loses that application's consumer group and internal topics (changelogs, join routes).
     */
    private void forget(WarmerConfig loaded, Registration family) throws Exception {
        new FamilyRegistry(loaded).forget(family.family());
        if (family.application().equals(loaded.kafka().applicationId())) {
            return; // the configured application's stores are shared with the families still configured
        }
        Materializers.deleteApplication(loaded, family.application());
    }
}
