package io.warmer.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A throwaway redis-server on a free loopback port, without persistence, stopped with this JVM. */
public final class EmbeddedRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final ChildProcess process;
    private final int port;

    private EmbeddedRedis(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the redis-server on PATH, or the one bundled in embedded-redis (Redis 6.2) if there is none. */
    public static EmbeddedRedis start(Path workDir) {
        return start(workDir, RedisServerExecutable.find(workDir.resolve("redis-bin")));
    }

    /** Starts the given redis-server binary; returns once it answers PING. */
    public static EmbeddedRedis start(Path workDir, Path redisServer) {
        return start(workDir, redisServer, FreePort.find());
    }

    /** Starts the given redis-server binary on {@code port}, e.g. again where one was stopped; returns once it answers. */
    public static EmbeddedRedis start(Path workDir, Path redisServer, int port) {
        long began = System.nanoTime();
        Path dataDir = createDirectories(workDir.resolve("redis"));
        List<String> command = List.of(redisServer.toString(),
                "--port", Integer.toString(port),
                "--bind", HOST,
                // A cache that is rebuilt from the change stream needs no persistence of its own.
                "--save", "",
                "--appendonly", "no",
                "--dir", dataDir.toString());
        ChildProcess process = ChildProcess.start("redis-server", command, dataDir, dataDir.resolve("redis.log"),
                StopSignal.TERM);
        EmbeddedRedis redis = new EmbeddedRedis(process, port);
        try {
            redis.awaitPing();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        log.info("Redis {} listening on {} (started in {} ms)", redisServer, redis.uri(),
                Duration.ofNanos(System.nanoTime() - began).toMillis());
        return redis;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The address in the form Lettuce expects, e.g. {@code redis://127.0.0.1:6379}. */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    @Override
    public void close() {
        process.close();
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited during startup on port " + port
                        + ". Its log (" + process.logFile() + ") ends with:\n" + process.logTail());
            }
            if (answersPing()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not answer PING on " + HOST + ":" + port
                        + " within " + STARTUP_TIMEOUT + ". Its log (" + process.logFile() + ") ends with:\n"
                        + process.logTail());
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
        } catch (IOException notYetListening) {
            return false;
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for redis-server to start", e);
        }
    }

    private static Path createDirectories(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException("Could not create the Redis directory " + directory + ": "
                    + e.getMessage() + ". Check that the work directory is writable.", e);
        }
    }
}
