package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.TableId;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Columns a change does not carry: a TOASTed value PostgreSQL did not send (filled in from memory, or the keys
 * deleted), and a column dropped or renamed under a family that names it (the keys deleted, the change set aside,
 * the family reported broken). Never a value written without the column.
 */
class UnsentColumnsTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - {name: doc, table: docs, key: "doc:${id}"}
              - {name: title, table: docs, key: "title:${id}", columns: [id, title]}
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> docs;
    private TestOutputTopic<String, String> deadLetters;
    private long version = 100;

    @BeforeEach
    void startDriver() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "unsent-test");
        ColumnMemory memory = new ColumnMemory(Map.of(TableId.parse("docs"), Set.of("body")));
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache, memory), props, T0);
        docs = driver.createInputTopic("shop.public.docs", new StringSerializer(), new StringSerializer(), T0,
                Duration.ofMillis(1));
        deadLetters = driver.createOutputTopic("shop.dead-letter", new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void change(String op, String row, String extra) {
        version++;
        docs.pipeInput("{\"id\":1}", "{\"op\":\"" + op + "\",\"version\":" + version + ",\"commitTimeMs\":1,"
                + "\"table\":\"public.docs\",\"row\":" + row + extra + "}");
    }

    @Test
    void shouldFillInAnUnsentValueFromWhatItRemembers() {
        change("r", "{\"id\":1,\"body\":\"long text\",\"title\":\"a\"}", "");

        change("u", "{\"id\":1,\"body\":null,\"title\":\"b\"}", ",\"unavailable\":[\"body\"]");

        assertThat(cache.entries.get("doc:1")).as("in the table's column order")
                .isEqualTo("{\"id\":1,\"body\":\"long text\",\"title\":\"b\"}");
        assertThat(cache.entries.get("title:1")).isEqualTo("{\"id\":1,\"title\":\"b\"}");
        assertThat(cache.counters.unavailableByFamily()).isEmpty();
    }

    /** Without a catalog to say which columns may be TOASTed (Debezium topics alone), every column read is kept. */
    @Test
    void shouldFillInAnyUnsentValueWhenItRemembersEveryColumnItReads() {
        driver.close();
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test.yml");
        ColumnMemory memory = ColumnMemory.everyReadColumn(config.keyFamilies());
        assertThat(memory.of(TableId.parse("docs"))).as("a whole-row family reads them all")
                .containsExactly(ColumnMemory.EVERY_COLUMN);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "every-column-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache, memory), props, T0);
        docs = driver.createInputTopic("shop.public.docs", new StringSerializer(), new StringSerializer(), T0,
                Duration.ofMillis(1));
        change("r", "{\"id\":1,\"body\":\"long text\",\"title\":\"a\",\"notes\":\"n1\"}", "");
        change("u", "{\"id\":1,\"body\":null,\"title\":\"b\",\"notes\":\"n2\"}", ",\"unavailable\":[\"body\"]");

        change("u", "{\"id\":1,\"body\":\"new text\",\"title\":\"c\",\"notes\":null}", ",\"unavailable\":[\"notes\"]");

        assertThat(cache.entries.get("doc:1")).isEqualTo("{\"id\":1,\"body\":\"new text\",\"title\":\"c\",\"notes\":\"n2\"}");
        assertThat(cache.counters.unavailableByFamily()).isEmpty();
        assertThat(ColumnMemory.everyReadColumn(new ConfigLoader(name -> null).parse(CONFIG.replace(
                "  - {name: doc, table: docs, key: \"doc:${id}\"}\n", ""), "test.yml").keyFamilies())
                .of(TableId.parse("docs"))).as("only the columns a family names").containsExactlyInAnyOrder("id", "title");
    }

    /**
     * A snapshot row whose values were all stored inline is not remembered: the capture says so
     * ({@code storedInline}), and only a delivered change, which is remembered, can move a value out of line. This is
     * what W1 saves a state-store write and a changelog record per row with.
     */
    @Test
    void shouldNotRememberASnapshotRowWhoseValuesWereAllStoredInlineButRememberTheChangesAfterIt() {
        change("r", "{\"id\":1,\"body\":\"short text\",\"title\":\"a\"}", ",\"storedInline\":true");
        assertThat(columnMemory()).as("nothing remembered of the inline row").isEmpty();

        // The contract, seen from the other side: were an update to omit a value after all, the key goes.
        change("u", "{\"id\":1,\"body\":null,\"title\":\"b\"}", ",\"unavailable\":[\"body\"]");
        assertThat(cache.entries).doesNotContainKey("doc:1");

        // What really happens: the change that makes the body long carries it whole, and is remembered.
        change("u", "{\"id\":1,\"body\":\"long text now\",\"title\":\"c\"}", "");
        change("u", "{\"id\":1,\"body\":null,\"title\":\"d\"}", ",\"unavailable\":[\"body\"]");
        assertThat(cache.entries.get("doc:1")).isEqualTo("{\"id\":1,\"body\":\"long text now\",\"title\":\"d\"}");
    }

    @Test
    void shouldRememberASnapshotRowThatHadAValueStoredOutOfLine() {
        change("r", "{\"id\":1,\"body\":\"long text\",\"title\":\"a\"}", "");
        assertThat(columnMemory()).hasSize(1);
    }

    private java.util.List<String> columnMemory() {
        java.util.List<String> kept = new java.util.ArrayList<>();
        for (String store : driver.getAllStateStores().keySet()) {
            if (store.contains("column")) {
                org.apache.kafka.streams.state.KeyValueStore<String, String> memory = driver.getKeyValueStore(store);
                try (var all = memory.all()) {
                    all.forEachRemaining(entry -> kept.add(entry.value));
                }
            }
        }
        return kept;
    }

    @Test
    void shouldDeleteTheKeysOfAFamilyThatReadsAnUnsentValueItDoesNotKnow() {
        change("u", "{\"id\":1,\"title\":\"b\",\"body\":null}", ",\"unavailable\":[\"body\"]");
        cache.entries.put("doc:1", "{\"id\":1,\"title\":\"old\",\"body\":\"old\"}");

        change("u", "{\"id\":1,\"title\":\"c\",\"body\":null}", ",\"unavailable\":[\"body\"]");

        assertThat(cache.entries).doesNotContainKey("doc:1");
        assertThat(cache.entries.get("title:1")).as("a family that does not read the column").contains("\"c\"");
        assertThat(cache.counters.unavailableByFamily()).containsEntry("doc", 2L);
    }

    @Test
    void shouldDeleteAndSetAsideWhenAColumnTheFamilyNamesIsGoneAndSayWhy() {
        change("r", "{\"id\":1,\"title\":\"a\",\"body\":\"x\"}", "");

        change("u", "{\"id\":1,\"headline\":\"renamed\",\"body\":\"x\"}", "");

        assertThat(cache.entries).doesNotContainKey("title:1");
        assertThat(cache.entries.get("doc:1")).as("a whole-row value follows the table")
                .isEqualTo("{\"id\":1,\"headline\":\"renamed\",\"body\":\"x\"}");
        var letter = deadLetters.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("column 'title' of public.docs is not in its changes any more (dropped or renamed?), and"
                        + " family title reads it: fix the family's columns, fields, key, where or ttl-column if needed"
                        + " and restart Warmer; meanwhile its keys of changed rows are deleted");
        assertThat(cache.counters.brokenFamilies()).containsOnlyKeys("title");
    }

    @Test
    void shouldDeleteAndSetAsideWhenAColumnTheFamilyNamesChangedItsType() {
        change("r", "{\"id\":1,\"title\":\"a\",\"body\":\"x\"}", "");

        change("u", "{\"id\":1,\"title\":42,\"body\":\"x\"}", ",\"retyped\":[\"title\"]");

        assertThat(cache.entries).doesNotContainKey("title:1");
        assertThat(cache.entries.get("doc:1")).as("a whole-row value follows the table")
                .isEqualTo("{\"id\":1,\"title\":42,\"body\":\"x\"}");
        var letter = deadLetters.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .startsWith("column 'title' of public.docs changed its type, and family title reads it");
        assertThat(cache.counters.brokenFamilies()).containsOnlyKeys("title");
    }

    /**
     * A family added later reads the topic from its beginning: a row from before its column existed (the topic's
     * history) is no schema change under it; the same row after the family was added is.
     */
    @Test
    void shouldNotCallAColumnMissingFromTheTopicsHistoryABrokenFamily() {
        driver.close();
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "history-test");
        History history = History.predating(Map.of(new org.apache.kafka.common.TopicPartition("shop.public.docs", 0), 2L));
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache, ColumnMemory.NONE, history), props, T0);
        docs = driver.createInputTopic("shop.public.docs", new StringSerializer(), new StringSerializer(), T0,
                Duration.ofMillis(1));
        deadLetters = driver.createOutputTopic("shop.dead-letter", new StringDeserializer(), new StringDeserializer());

        change("r", "{\"id\":1,\"headline\":\"before the column\",\"body\":\"x\"}", "");
        change("r", "{\"id\":1,\"title\":\"snapshotted after\",\"body\":\"x\"}", "");

        assertThat(cache.entries.get("title:1")).isEqualTo("{\"id\":1,\"title\":\"snapshotted after\"}");
        assertThat(deadLetters.isEmpty()).as("nothing set aside from the history").isTrue();
        assertThat(cache.counters.brokenFamilies()).isEmpty();

        change("u", "{\"id\":1,\"headline\":\"renamed now\",\"body\":\"x\"}", "");

        assertThat(cache.entries).doesNotContainKey("title:1");
        assertThat(deadLetters.isEmpty()).isFalse();
        assertThat(cache.counters.brokenFamilies()).containsOnlyKeys("title");
    }
}
