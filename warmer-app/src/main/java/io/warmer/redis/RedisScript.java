package io.warmer.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Lua script shipped with Warmer as a resource beside the class that runs it.
 *
 * @param name   its file name, for messages
 * @param source its text
 */
public record RedisScript(String name, String source) {

    /** @throws IllegalStateException when the build lost the resource */
    public static RedisScript of(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the build");
            }
            return new RedisScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /**
     * SCRIPT LOAD wherever keys are served: the one server, or each node of a cluster the cluster does not mark
     * failed, replicas included, so that a replica promoted by a failover has it too. A replica that cannot load it
     * is skipped (it gets it on the next load); a master that serves slots must load it. A master that died stays
     * in the node table, flagged failed, until it comes back; waiting for it would keep the caller from starting
     * after its replica took over.
     *
     * @return the script's SHA1, for EVALSHA
     * @throws ExecutionException with Redis's answer when a serving node refused it (e.g. NOPERM)
     */
    public String load(RedisConnection<?, ?> redis, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        String sha = null;
        for (RedisConnection.Node<?, ?> node : redis.nodes()) {
            try {
                sha = node.async().scriptLoad(source).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                if (node.master() && node.servesSlots()) {
                    throw e;
                }
            }
        }
        if (sha == null) {
            throw new TimeoutException("no node of " + redis.address() + " loaded " + name);
        }
        return sha;
    }
}
