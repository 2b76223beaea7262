package io.warmer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmer.config.WarmerConfig;
import io.warmer.redis.Redis;
import io.warmer.service.Role;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A running process has one set of Redis event loops, however many of its parts talk to Redis: the sink, the counters
 * publisher, the eviction guard, the loss watch, the monitor's PING and the readiness checks all connect through the
 * process's {@link Redis}.
 */
@ExtendWith(WarmerInfrastructure.class)
class RuntimeThreadsIT {

    /** Netty names a pool's threads {@code <pool>-<pool number>-<thread number>}. */
    private static final Pattern EVENT_LOOP = Pattern.compile("lettuce-(\\w+EventLoop)-(\\d+)-\\d+");

    @Test
    void shouldRunOneSetOfRedisEventLoopsForTheWholeProcess(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 500) i");
        String prefix = infra.uniqueName("threads");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db,
                "{uri: \"" + infra.redisUri() + "\", eviction-guard: pause}",
                "{port: 0, check-interval: 300ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 500}}",
                "  - {name: profile, table: users, key: \"" + prefix + ":user:${id}\"}\n"));
        Set<Long> before = Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());

        try (WarmerRuntime runtime = WarmerRuntime.start(config, Redis.of(config.redis()), Role.ALL)) {
            // Ready: every part has connected (the readiness check itself reads Redis).
            await().atMost(Duration.ofSeconds(90)).until(() -> runtime.monitoring().monitor().lastCheck() != null
                    && runtime.monitoring().monitor().lastCheck().ready());
            Thread.sleep(2 * 1_000); // the loss watch, the publisher and the guard have each had their turn

            Map<String, Set<String>> poolsByKind = new TreeMap<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                Matcher name = EVENT_LOOP.matcher(thread.getName());
                if (!before.contains(thread.getId()) && name.matches()) {
                    poolsByKind.computeIfAbsent(name.group(1), kind -> new TreeSet<>()).add(name.group(2));
                }
            }
            assertThat(poolsByKind).as("Redis event-loop pools started by the process, by kind").hasSize(1);
            assertThat(poolsByKind.values().iterator().next()).as("pools of %s", poolsByKind).hasSize(1);
            long threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t.getId()) && EVENT_LOOP.matcher(t.getName()).matches()).count();
            assertThat(threads).as("event-loop threads").isBetween(1L, 2L);
        }
    }
}
