package io.warmer.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.warmer.embedded.ChildProcess;
import io.warmer.embedded.FreePort;
import io.warmer.embedded.StopSignal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis Cluster of three masters (no replicas) made of the installed {@code redis-server} and joined with
 * {@code redis-cli --cluster create}, on free loopback ports, without persistence. Each node is a
 * {@link ChildProcess}, so it dies with the JVM even if the JVM is killed.
 */
final class LocalRedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedisCluster.class);
    static final String HOST = "127.0.0.1";
    static final int MASTERS = 3;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> stopInReverse = new ArrayDeque<>();
    private final List<Integer> ports = new ArrayList<>();
    private final Map<Integer, ChildProcess> processes = new HashMap<>();
    private Path logDirectory;
    private final int replicas;
    private final Duration nodeTimeout;

    private LocalRedisCluster(int replicas, Duration nodeTimeout) {
        this.replicas = replicas;
        this.nodeTimeout = nodeTimeout;
    }

    /** Starts the nodes and joins them; returns once every node reports {@code cluster_state:ok}. */
    static LocalRedisCluster start(Path redisServer, Path redisCli) {
        return start(redisServer, redisCli, 0, Duration.ofSeconds(15));
    }

    /**
     * @param replicas    replicas per master
     * @param nodeTimeout how long a master may be silent before its replica is promoted ({@code cluster-node-timeout})
     */
    static LocalRedisCluster start(Path redisServer, Path redisCli, int replicas, Duration nodeTimeout) {
        LocalRedisCluster cluster = new LocalRedisCluster(replicas, nodeTimeout);
        try {
            cluster.startNodes(redisServer, redisCli);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The seed nodes as {@code redis.uri} takes them in cluster mode: {@code redis://h:p1,h:p2,h:p3}. */
    String uri() {
        return "redis://" + ports.stream().map(port -> HOST + ":" + port).collect(Collectors.joining(","));
    }

    List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** What the node on {@code port} logged, its last {@code lines} lines: for a failure message. */
    String logTail(int port, int lines) {
        try {
            List<String> all = java.nio.file.Files.readAllLines(logDirectory.resolve("redis-" + port + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (java.io.IOException e) {
            return "no log: " + e.getMessage();
        }
    }

    long pid(int port) {
        return processes.get(port).pid();
    }

    /** SIGKILL of one node: no shutdown, nothing saved. */
    void kill(int port) {
        ProcessHandle.of(processes.get(port).pid()).ifPresent(ProcessHandle::destroyForcibly);
    }

    private void startNodes(Path redisServer, Path redisCli) {
        long began = System.nanoTime();
        TemporaryDirectory workDir = TemporaryDirectory.create("warmer-it-cluster-");
        stopInReverse.push(workDir);
        logDirectory = workDir.path();
        List<ChildProcess> started = new ArrayList<>();
        int nodes = MASTERS * (1 + replicas);
        for (int i = 0; i < nodes; i++) {
            int port = FreePort.find();
            // The bus port is port + 10000 by default, which is past 65535 for most ephemeral ports.
            int busPort = FreePort.find();
            ChildProcess node = ChildProcess.start("redis-server cluster node " + port, List.of(
                    redisServer.toString(),
                    "--port", Integer.toString(port),
                    "--cluster-enabled", "yes",
                    "--cluster-port", Integer.toString(busPort),
                    "--cluster-config-file", workDir.path().resolve("nodes-" + port + ".conf").toString(),
                    "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
                    "--save", "",
                    "--appendonly", "no",
                    "--bind", HOST,
                    "--dir", workDir.path().toString()),
                    workDir.path(), workDir.path().resolve("redis-" + port + ".log"), StopSignal.TERM);
            stopInReverse.push(node);
            started.add(node);
            ports.add(port);
            processes.put(port, node);
        }
        for (int i = 0; i < nodes; i++) {
            awaitClusterInfo(started.get(i), ports.get(i), "cluster_state:");
        }
        join(redisCli, workDir.path());
        for (int i = 0; i < nodes; i++) {
            awaitClusterInfo(started.get(i), ports.get(i), "cluster_state:ok");
        }
        log.info("Local Redis Cluster {} started in {} ms", uri(), Duration.ofNanos(System.nanoTime() - began).toMillis());
    }

    private void join(Path redisCli, Path workDir) {
        List<String> command = new ArrayList<>(List.of(redisCli.toString(), "--cluster", "create"));
        ports.forEach(port -> command.add(HOST + ":" + port));
        command.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
        Path output = workDir.resolve("cluster-create.log");
        try {
            Process create = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!create.waitFor(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                create.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within "
                        + STARTUP_TIMEOUT + ". Its output:\n" + read(output));
            }
            if (create.exitValue() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed with exit code "
                        + create.exitValue() + ". Its output:\n" + read(output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run " + redisCli + " to join the cluster: " + e.getMessage()
                    + ". Install it with 'apt-get install -y redis-tools'.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while joining the local Redis Cluster", e);
        }
    }

    /** Waits until the node answers CLUSTER INFO with a line starting with {@code expected}. */
    private static void awaitClusterInfo(ChildProcess node, int port, String expected) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        RedisClient client = RedisClient.create(RedisURI.create(HOST, port));
        try {
            String last = "no answer";
            while (System.nanoTime() < deadline) {
                if (!node.isAlive()) {
                    throw new IllegalStateException(node + " exited during startup. Its log (" + node.logFile()
                            + ") ends with:\n" + node.logTail());
                }
                try (var connection = client.connect()) {
                    last = connection.sync().clusterInfo();
                    if (last.lines().anyMatch(line -> line.startsWith(expected))) {
                        return;
                    }
                } catch (RedisException notYet) {
                    last = notYet.getMessage();
                }
                sleep(Duration.ofMillis(100));
            }
            throw new IllegalStateException(node + " did not report " + expected + " within " + STARTUP_TIMEOUT
                    + "; last answer: " + last + ". Its log (" + node.logFile() + ") ends with:\n" + node.logTail());
        } finally {
            client.shutdown();
        }
    }

    /** Stops every node, then deletes their directory, even if stopping one fails. */
    @Override
    public void close() {
        while (!stopInReverse.isEmpty()) {
            AutoCloseable resource = stopInReverse.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Could not stop {} cleanly", resource, e);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the local Redis Cluster to start", e);
        }
    }
}
