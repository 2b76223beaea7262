package io.warmer.service;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.config.WarmerConfig;
import io.warmer.status.ConsumerProgress;
import io.warmer.topology.History;
import io.warmer.topology.WarmerTopology;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a replay from the beginning of the change topics stands ({@code warmer replay}, a rebuild after a loss of
 * Redis data): the records it has still to apply up to the end of its {@link History}, joined rows included; once it
 * has applied them, its joined families are released and write their values, and it is done when they all have.
 */
public final class ReplayProgress implements AutoCloseable {

    private final WarmerConfig config;
    private final History history;
    private final Admin admin;
    private final ConsumerProgress.CatchUp catchUp;
    private boolean caughtUp;

    ReplayProgress(WarmerConfig config, History history) {
        this.config = config;
        this.history = history;
        this.admin = ChangeTopicProvisioner.connect(config.kafka().clients());
        this.catchUp = new ConsumerProgress(admin, config.kafka().applicationId())
                .catchUp(history.ends(), WarmerTopology.joinRouteTiers(config));
    }

    /** Where the history ends: the topics' end offsets when the replay started. */
    public Map<TopicPartition, Long> marks() {
        return history.ends();
    }

    /** Records still to apply; at 0, the joined families are released. */
    public long behind() throws InterruptedException {
        long behind = catchUp.behind();
        if (behind == 0) {
            caughtUp = true;
            history.release();
        }
        return behind;
    }

    /**
     * Whether Redis holds what the history says of every row: {@link #behind()} has reached 0, and every joined
     * family has written its values since.
     */
    public boolean done() {
        return caughtUp && history.assembled(config);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
