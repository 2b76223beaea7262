package io.warmer.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands integration tests real PostgreSQL, Kafka and Redis servers as a {@link TestInfra}
 * parameter (of test methods, constructors, or {@code @BeforeAll}/{@code @BeforeEach} methods):
 *
 * <pre>{@code
 * @ExtendWith(WarmerInfrastructure.class)
 * class SomethingIT {
 *     @Test void works(TestInfra infra) { ... }
 * }
 * }</pre>
 *
 * <p>The servers start on first use and are shared by all test classes in the JVM, then stopped when the test
 * run ends. If they cannot be started, every test that asks for them fails with the reason; none is skipped.
 */
public final class WarmerInfrastructure implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(WarmerInfrastructure.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestInfra.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        SharedServers shared = extensionContext.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedServers.class, key -> SharedServers.start(), SharedServers.class);
        try {
            return new TestInfra(shared.servers());
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /**
     * The servers, or why they could not be started: remembering the failure makes every later test fail fast
     * with the same explanation instead of each retrying a slow start.
     * JUnit closes AutoCloseable values of the root store when the whole run ends.
     */
    private static final class SharedServers implements AutoCloseable {

        private final RunningInfrastructure servers;
        private final RuntimeException startFailure;

        private SharedServers(RunningInfrastructure servers, RuntimeException startFailure) {
            this.servers = servers;
            this.startFailure = startFailure;
        }

        static SharedServers start() {
            try {
                InfrastructureMode mode = InfrastructureMode.select();
                RunningInfrastructure servers = mode == InfrastructureMode.CONTAINERS
                        ? ContainerInfrastructure.start()
                        : LocalInfrastructure.start();
                return new SharedServers(servers, null);
            } catch (RuntimeException e) {
                return new SharedServers(null, e);
            }
        }

        RunningInfrastructure servers() {
            if (startFailure != null) {
                throw new IllegalStateException("Test servers unavailable: " + startFailure.getMessage(),
                        startFailure);
            }
            return servers;
        }

        @Override
        public void close() {
            if (servers != null) {
                servers.close();
            }
        }
    }
}
