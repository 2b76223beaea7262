package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Match joins: each customer with the preferences kept under its email (not its key), right as either side changes:
 * preferences inserted, changed, moved to another email and deleted; customers changing or losing their email.
 */
class MatchTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop, application-id: match-test}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: customer-prefs
                table: customers
                key: "customer:${id}:prefs"
                columns: [id, name]
                join:
                  - {table: preferences, match: {email: email}, as: preferences, columns: [id, channel], many: true}
              - name: customer-first-pref
                table: customers
                key: "customer:${id}:first-pref"
                columns: [id]
                join:
                  - {table: preferences, match: {email: email}, as: pref, columns: [channel], flatten: true}
            """;
    private JoinDriver join;
    private InMemoryCache cache;
    private WarmerConfig config;

    @BeforeEach
    void startDriver() {
        join = new JoinDriver(CONFIG, "match-test");
        cache = join.cache;
        config = join.config;
    }

    @AfterEach
    void closeDriver() {
        join.close();
    }

    private void start(History history) {
        join.start(history);
    }

    private void change(String table, String key, String op, String row) {
        join.change(table, key, op, row);
    }

    private void change(String table, String key, String op, String row, String extra) {
        join.change(table, key, op, row, extra);
    }

    private void pipe(String topicName, String key, String value) {
        join.pipe(topicName, key, value);
    }

    private void preference(int id, String email, String channel) {
        change("preferences", "{\"id\":" + id + "}", "u", "{\"id\":" + id + ",\"email\":" + quoted(email)
                + ",\"channel\":\"" + channel + "\"}");
    }

    private void customer(int id, String name, String email) {
        change("customers", "{\"id\":" + id + "}", "u", "{\"id\":" + id + ",\"name\":\"" + name + "\",\"email\":"
                + quoted(email) + "}");
    }

    private static String quoted(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }

    @Test
    void shouldKeepEachCustomerWithThePreferencesOfItsEmailAsEitherSideChanges() {
        preference(1, "a@x", "email");
        preference(2, "a@x", "sms");
        preference(3, "b@x", "push");
        customer(10, "Ann", "a@x");
        customer(11, "Abe", "a@x");
        assertThat(cache.entries)
                .containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":[{\"id\":1,\"channel\":"
                        + "\"email\"},{\"id\":2,\"channel\":\"sms\"}]}")
                .containsEntry("customer:11:prefs", "{\"id\":11,\"name\":\"Abe\",\"preferences\":[{\"id\":1,\"channel\":"
                        + "\"email\"},{\"id\":2,\"channel\":\"sms\"}]}")
                .containsEntry("customer:10:first-pref", "{\"id\":10,\"channel\":\"email\"}");

        preference(2, "a@x", "letter");
        assertThat(cache.entries).as("one change of a preference, every customer with that email")
                .containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":[{\"id\":1,\"channel\":"
                        + "\"email\"},{\"id\":2,\"channel\":\"letter\"}]}")
                .containsEntry("customer:11:prefs", "{\"id\":11,\"name\":\"Abe\",\"preferences\":[{\"id\":1,\"channel\":"
                        + "\"email\"},{\"id\":2,\"channel\":\"letter\"}]}");

        preference(3, "a@x", "push");
        assertThat(cache.entries).as("a preference moved to the email")
                .containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":[{\"id\":1,\"channel\":"
                        + "\"email\"},{\"id\":2,\"channel\":\"letter\"},{\"id\":3,\"channel\":\"push\"}]}");

        customer(11, "Abe", "b@x");
        assertThat(cache.entries).as("a customer moved to an email without preferences")
                .containsEntry("customer:11:prefs", "{\"id\":11,\"name\":\"Abe\",\"preferences\":[]}")
                .containsEntry("customer:11:first-pref", "{\"id\":11,\"channel\":null}");
        preference(4, "b@x", "fax");
        assertThat(cache.entries)
                .containsEntry("customer:11:prefs", "{\"id\":11,\"name\":\"Abe\",\"preferences\":[{\"id\":4,\"channel\":"
                        + "\"fax\"}]}");

        change("preferences", "{\"id\":1}", "d", null);
        assertThat(cache.entries).as("a preference deleted")
                .containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":[{\"id\":2,\"channel\":"
                        + "\"letter\"},{\"id\":3,\"channel\":\"push\"}]}")
                .containsEntry("customer:10:first-pref", "{\"id\":10,\"channel\":\"letter\"}");

        customer(10, "Ann", null);
        assertThat(cache.entries).as("no email matches no preference")
                .containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":[]}");
        customer(10, "Ann", "a@x");
        assertThat(cache.entries).as("back to its email: everything the email has now")
                .containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":[{\"id\":2,\"channel\":"
                        + "\"letter\"},{\"id\":3,\"channel\":\"push\"}]}");

        change("customers", "{\"id\":10}", "d", null);
        assertThat(cache.entries).doesNotContainKeys("customer:10:prefs", "customer:10:first-pref");
        preference(2, "a@x", "sms");
        assertThat(cache.entries).doesNotContainKeys("customer:10:prefs");
    }

    @Test
    void shouldFillAnUnsentColumnOfAMatchedRowFromTheRowKeptBefore() {
        preference(1, "a@x", "email");
        customer(10, "Ann", "a@x");
        change("preferences", "{\"id\":1}", "u", "{\"id\":1,\"email\":\"a@x\",\"channel\":null}",
                ",\"unavailable\":[\"channel\"]");
        assertThat(cache.entries).containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":"
                + "[{\"id\":1,\"channel\":\"email\"}]}");
        customer(11, "Abe", "a@x");
        assertThat(cache.entries).as("a later subscriber's answer has it too")
                .containsEntry("customer:11:prefs", "{\"id\":11,\"name\":\"Abe\",\"preferences\":[{\"id\":1,"
                        + "\"channel\":\"email\"}]}");
    }

    @Test
    void shouldNotTakeAnUnsentColumnsPlaceholderForItsValueWhenNoRowKeptItEither() {
        customer(10, "Ann", "a@x");
        String unsent = ",\"unavailable\":[\"channel\"]";
        change("preferences", "{\"id\":1}", "u", "{\"id\":1,\"email\":\"a@x\",\"channel\":null}", unsent);
        assertThat(cache.entries).doesNotContainKey("customer:10:prefs");
        change("preferences", "{\"id\":1}", "u", "{\"id\":1,\"email\":\"a@x\",\"channel\":null}", unsent);
        assertThat(cache.entries).as("sent twice, known neither time").doesNotContainKey("customer:10:prefs");
        customer(11, "Abe", "a@x");
        assertThat(cache.entries).as("nor in a later subscriber's answer").doesNotContainKey("customer:11:prefs");

        preference(1, "a@x", "sms");
        assertThat(cache.entries).containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":"
                + "[{\"id\":1,\"channel\":\"sms\"}]}");
    }

    @Test
    void shouldTakeOnlyTheAnswerToTheMainRowsCurrentRequest() {
        preference(1, "a@x", "email");
        customer(10, "Ann", "a@x");
        String answers = WarmerTopology.joinRouteTopics(config, "customer-prefs").stream()
                .filter(t -> t.startsWith("shop.join.")).findFirst().orElseThrow();

        // The answer to a request made before the customer last pointed anew, still on its way.
        pipe(answers, "{\"id\":10}", "{\"for\":\"{\\\"email\\\":\\\"a@x\\\"}\",\"answer\":\"7\",\"rows\":[{\"key\":"
                + "\"{\\\"id\\\":9}\",\"version\":999,\"row\":{\"id\":9,\"email\":\"a@x\",\"channel\":\"stale\"}}]}");
        // A change of a preference older than the one the answer had, sent again.
        pipe(answers, "{\"id\":10}", "{\"for\":\"{\\\"email\\\":\\\"a@x\\\"}\",\"key\":\"{\\\"id\\\":1}\",\"version\":"
                + "5,\"row\":{\"id\":1,\"email\":\"a@x\",\"channel\":\"old\"}}");
        assertThat(cache.entries).containsEntry("customer:10:prefs", "{\"id\":10,\"name\":\"Ann\",\"preferences\":"
                + "[{\"id\":1,\"channel\":\"email\"}]}");
    }

    @Test
    void shouldWriteNothingOfAReplayedMatchUntilItsHistoryIsReadAndThenEachValueOnce() {
        TopicPartition customers = new TopicPartition("shop.public.customers", 0);
        TopicPartition preferences = new TopicPartition("shop.public.preferences", 0);
        History history = new History(Map.of(customers, 2L, preferences, 2L), Map.of());
        start(history);
        customer(10, "Ann", "a@x");
        preference(1, "a@x", "email");
        preference(1, "a@x", "sms");
        customer(10, "Anna", "a@x");
        join.advance(Duration.ofSeconds(1));
        assertThat(cache.applied.stream().filter(w -> w instanceof CacheWrite.Put).toList())
                .as("held: no value while the answers come in").isEmpty();

        history.release();
        join.advance(Duration.ofSeconds(1));

        assertThat(cache.applied.stream().filter(w -> w.key().equals("customer:10:prefs")
                && w instanceof CacheWrite.Put).map(w -> ((CacheWrite.Put) w).value()))
                .containsExactly("{\"id\":10,\"name\":\"Anna\",\"preferences\":[{\"id\":1,\"channel\":\"sms\"}]}");
        assertThat(history.assembled(config)).isTrue();
    }
}
