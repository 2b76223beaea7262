package io.warmer.testing;

/**
 * The one {@link LocalRedisCluster} of this JVM, started when a test first asks for it, in either
 * {@link InfrastructureMode}: containers mode uses the installed binaries for it too, since a cluster of
 * containers would need their addresses to be reachable from the test JVM as the nodes announce them.
 *
 * <p>Stopped by a shutdown hook when the JVM exits (JUnit's root store, which stops the other servers, is not
 * reachable from {@link TestInfra}); the nodes' {@code OrphanGuard}s stop them even if the JVM is killed. A
 * failed start is remembered, so that every later test fails fast with the same reason.
 */
final class SharedRedisCluster {

    private static LocalRedisCluster cluster;
    private static RuntimeException startFailure;

    private SharedRedisCluster() {
    }

    static synchronized LocalRedisCluster get() {
        if (cluster == null && startFailure == null) {
            try {
                LocalRedisCluster started = LocalRedisCluster.start(LocalPrerequisites.redisServer(),
                        LocalPrerequisites.redisCli());
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-local-redis-cluster"));
                cluster = started;
            } catch (RuntimeException e) {
                startFailure = e;
            }
        }
        if (startFailure != null) {
            throw new IllegalStateException("Local Redis Cluster unavailable: " + startFailure.getMessage(),
                    startFailure);
        }
        return cluster;
    }
}
