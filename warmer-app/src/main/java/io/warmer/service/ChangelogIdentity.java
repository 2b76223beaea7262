package io.warmer.service;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Which changelog topics an application's stores were restored from: the cluster's id and, per changelog topic, its
 * topic id. A topic deleted and created again under the same name gets a new id, and another cluster another
 * cluster id, so equal identities mean the checkpointed offsets still point into the same records.
 */
final class ChangelogIdentity {

    private ChangelogIdentity() {
    }

    /** One line per fact, sorted: comparable as text. */
    static String of(Admin admin, String applicationId, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long ms = timeout.toMillis();
        String cluster = admin.describeCluster().clusterId().get(ms, TimeUnit.MILLISECONDS);
        var changelogs = admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS).stream()
                .filter(topic -> topic.startsWith(applicationId + "-") && topic.endsWith("-changelog"))
                .toList();
        Map<String, String> ids = new TreeMap<>();
        if (!changelogs.isEmpty()) {
            for (TopicDescription topic : admin.describeTopics(changelogs).allTopicNames()
                    .get(ms, TimeUnit.MILLISECONDS).values()) {
                ids.put(topic.name(), topic.topicId().toString());
            }
        }
        StringBuilder text = new StringBuilder("cluster ").append(cluster).append('\n');
        ids.forEach((topic, id) -> text.append(topic).append(' ').append(id).append('\n'));
        return text.toString();
    }
}
