package io.warmer.cli;

import io.warmer.capture.CaptureException;
import io.warmer.capture.SourceSchemaException;
import io.warmer.config.ConfigException;
import io.warmer.kafka.KafkaRefusal;
import io.warmer.redis.RedisUnavailableException;
import io.warmer.sink.CacheWriteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The one place that turns a failed command into a message and an exit code: known failures are
 * one line a person can act on; anything else is logged with its stack trace.
 */
final class FailureReporter implements CommandLine.IExecutionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FailureReporter.class);

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        var err = commandLine.getErr();
        int code;
        // A Kafka client that met a refusal (credentials, certificate, ACL) where no caller worded it.
        var refusal = e instanceof CaptureException ? java.util.Optional.<String>empty() : KafkaRefusal.explain("Kafka", e);
        if (refusal.isPresent()) {
            LOG.debug("warmer {} failed", commandLine.getCommandName(), e);
            err.println("error: " + refusal.get());
            err.flush();
            return ExitCodes.UNAVAILABLE;
        }
        if (e instanceof ConfigException || e instanceof SourceSchemaException) {
            code = ExitCodes.BAD_CONFIG;
        } else if (e instanceof CaptureException || e instanceof CacheWriteException || e instanceof RedisUnavailableException) {
            code = ExitCodes.UNAVAILABLE;
        } else {
            LOG.error("warmer {} failed", commandLine.getCommandName(), e);
            err.println("error: " + e + " (details in the log)");
            err.flush();
            return ExitCodes.INTERNAL;
        }
        LOG.debug("warmer {} failed", commandLine.getCommandName(), e);
        err.println("error: " + e.getMessage());
        err.flush();
        return code;
    }
}
