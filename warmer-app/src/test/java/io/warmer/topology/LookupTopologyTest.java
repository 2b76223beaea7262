package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.WarmerConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lookup joins: each product with the one category its foreign key points at, right as either side changes. */
class LookupTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop, application-id: lookup-test}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: product
                table: products
                key: "product:${id}"
                columns: [id, name]
                join:
                  - {table: categories, lookup: {category_id: id}, as: category, columns: [title]}
              - name: product-flat
                table: products
                key: "product:${id}:flat"
                columns: [id]
                join:
                  - {table: categories, lookup: {category_id: id}, as: category, columns: [title], flatten: true}
            """;
    private JoinDriver join;
    private InMemoryCache cache;
    private WarmerConfig config;

    @BeforeEach
    void startDriver() {
        join = new JoinDriver(CONFIG, "lookup-test");
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

    private void pipe(String topicName, String key, String value) {
        join.pipe(topicName, key, value);
    }

    @Test
    void shouldFollowTheLookedUpRowAsEitherSideChanges() {
        change("categories", "{\"id\":7}", "r", "{\"id\":7,\"title\":\"Lamps\"}");
        change("products", "{\"id\":1}", "r", "{\"id\":1,\"name\":\"desk lamp\",\"category_id\":7}");
        change("products", "{\"id\":2}", "r", "{\"id\":2,\"name\":\"floor lamp\",\"category_id\":7}");
        assertThat(cache.entries)
                .containsEntry("product:1", "{\"id\":1,\"name\":\"desk lamp\",\"category\":{\"title\":\"Lamps\"}}")
                .containsEntry("product:2", "{\"id\":2,\"name\":\"floor lamp\",\"category\":{\"title\":\"Lamps\"}}")
                .containsEntry("product:1:flat", "{\"id\":1,\"title\":\"Lamps\"}");

        change("categories", "{\"id\":7}", "u", "{\"id\":7,\"title\":\"Lighting\"}");
        assertThat(cache.entries).as("one change of the category, every product that points at it")
                .containsEntry("product:1", "{\"id\":1,\"name\":\"desk lamp\",\"category\":{\"title\":\"Lighting\"}}")
                .containsEntry("product:2", "{\"id\":2,\"name\":\"floor lamp\",\"category\":{\"title\":\"Lighting\"}}");

        change("categories", "{\"id\":8}", "c", "{\"id\":8,\"title\":\"Desks\"}");
        change("products", "{\"id\":1}", "u", "{\"id\":1,\"name\":\"desk\",\"category_id\":8}");
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk\",\"category\":{\"title\":\"Desks\"}}");

        change("categories", "{\"id\":7}", "u", "{\"id\":7,\"title\":\"Lights\"}");
        assertThat(cache.entries).as("product 1 left category 7")
                .containsEntry("product:1", "{\"id\":1,\"name\":\"desk\",\"category\":{\"title\":\"Desks\"}}")
                .containsEntry("product:2", "{\"id\":2,\"name\":\"floor lamp\",\"category\":{\"title\":\"Lights\"}}");

        change("products", "{\"id\":2}", "u", "{\"id\":2,\"name\":\"floor lamp\",\"category_id\":null}");
        assertThat(cache.entries).containsEntry("product:2", "{\"id\":2,\"name\":\"floor lamp\",\"category\":null}")
                .containsEntry("product:2:flat", "{\"id\":2,\"title\":null}");

        change("categories", "{\"id\":8}", "d", null);
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk\",\"category\":null}");

        change("products", "{\"id\":1}", "d", null);
        assertThat(cache.entries).doesNotContainKeys("product:1", "product:1:flat");
    }

    @Test
    void shouldPointAtNoRowUntilTheLookedUpRowComes() {
        change("products", "{\"id\":3}", "c", "{\"id\":3,\"name\":\"chair\",\"category_id\":9}");
        assertThat(cache.entries).containsEntry("product:3", "{\"id\":3,\"name\":\"chair\",\"category\":null}");

        change("categories", "{\"id\":9}", "c", "{\"id\":9,\"title\":\"Chairs\"}");
        assertThat(cache.entries).containsEntry("product:3", "{\"id\":3,\"name\":\"chair\",\"category\":{\"title\":\"Chairs\"}}");
    }

    @Test
    void shouldIgnoreAnAnswerForARowTheMainRowNoLongerPointsAt() {
        change("categories", "{\"id\":7}", "r", "{\"id\":7,\"title\":\"Lamps\"}");
        change("categories", "{\"id\":8}", "r", "{\"id\":8,\"title\":\"Desks\"}");
        change("products", "{\"id\":1}", "r", "{\"id\":1,\"name\":\"desk\",\"category_id\":8}");
        String answers = WarmerTopology.joinRouteTopics(config, "product").stream()
                .filter(t -> t.startsWith("shop.join.")).findFirst().orElseThrow();

        // An answer from category 7 still on its way when the product moved to 8.
        pipe(answers, "{\"id\":1}", JoinRouteProcessor.delta("{\"id\":7}", io.warmer.change.Version.legacy(999),
                io.warmer.change.RowChangeCodec.readKey("{\"id\":7,\"title\":\"Lamps\"}")));
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk\",\"category\":{\"title\":\"Desks\"}}");

        // Category 7 no longer answers product 1 (it unsubscribed); category 8 still does.
        change("categories", "{\"id\":7}", "u", "{\"id\":7,\"title\":\"Lights\"}");
        change("categories", "{\"id\":8}", "u", "{\"id\":8,\"title\":\"Tables\"}");
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk\",\"category\":{\"title\":\"Tables\"}}");
    }

    @Test
    void shouldNotTakeAnAnswerToARequestMadeBeforeTheMainRowPointedElsewhereAndBack() {
        change("categories", "{\"id\":7}", "r", "{\"id\":7,\"title\":\"Lamps\"}");
        change("categories", "{\"id\":8}", "r", "{\"id\":8,\"title\":\"Desks\"}");
        change("products", "{\"id\":1}", "r", "{\"id\":1,\"name\":\"desk\",\"category_id\":7}");
        String firstRequest = io.warmer.change.Version.legacy(join.version).text();
        change("products", "{\"id\":1}", "u", "{\"id\":1,\"name\":\"desk\",\"category_id\":8}");
        change("products", "{\"id\":1}", "u", "{\"id\":1,\"name\":\"desk\",\"category_id\":7}");
        String answers = WarmerTopology.joinRouteTopics(config, "product").stream()
                .filter(t -> t.startsWith("shop.join.")).findFirst().orElseThrow();

        // Category 7's answer to the first request, late: it says what 7 was before the product left it, and no
        // change of 7 since reached the product, which was elsewhere.
        var late = JoinRouteProcessor.deltaNode("{\"id\":7}", io.warmer.change.Version.legacy(999),
                io.warmer.change.RowChangeCodec.readKey("{\"id\":7,\"title\":\"Old lamps\"}"), java.util.List.of());
        late.put("answer", firstRequest);
        pipe(answers, "{\"id\":1}", io.warmer.change.RowChangeCodec.writeJson(late));
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk\",\"category\":{\"title\":\"Lamps\"}}");
    }

    @Test
    void shouldGiveAMainRowThatPointsAtARowTheJoinCannotReadNoKeyEvenWhenItComesLater() {
        change("categories", "{\"id\":7}", "r", "{\"id\":7,\"title\":\"Lamps\"}");
        change("products", "{\"id\":1}", "r", "{\"id\":1,\"name\":\"desk lamp\",\"category_id\":7}");
        assertThat(cache.entries).containsKey("product:1");

        // title renamed to name: the join cannot read the category any more.
        change("categories", "{\"id\":7}", "u", "{\"id\":7,\"name\":\"Lights\"}");
        change("products", "{\"id\":2}", "c", "{\"id\":2,\"name\":\"floor lamp\",\"category_id\":7}");
        assertThat(cache.entries).as("neither the product that pointed at it nor one that points at it now")
                .doesNotContainKeys("product:1", "product:2");

        change("categories", "{\"id\":7}", "u", "{\"id\":7,\"title\":\"Lights\"}");
        assertThat(cache.entries)
                .containsEntry("product:1", "{\"id\":1,\"name\":\"desk lamp\",\"category\":{\"title\":\"Lights\"}}")
                .containsEntry("product:2", "{\"id\":2,\"name\":\"floor lamp\",\"category\":{\"title\":\"Lights\"}}");
    }

    @Test
    void shouldWriteNothingOfAReplayedLookupUntilItsHistoryIsReadAndThenEachValueOnce() {
        TopicPartition products = new TopicPartition("shop.public.products", 0);
        TopicPartition categories = new TopicPartition("shop.public.categories", 0);
        History history = new History(Map.of(products, 2L, categories, 2L), Map.of());
        start(history);
        change("products", "{\"id\":1}", "r", "{\"id\":1,\"name\":\"desk lamp\",\"category_id\":7}");
        change("categories", "{\"id\":7}", "r", "{\"id\":7,\"title\":\"Lamps\"}");
        change("categories", "{\"id\":7}", "u", "{\"id\":7,\"title\":\"Lighting\"}");
        change("products", "{\"id\":1}", "u", "{\"id\":1,\"name\":\"lamp\",\"category_id\":7}");
        join.advance(Duration.ofSeconds(1));
        assertThat(cache.applied.stream().filter(w -> w instanceof io.warmer.family.CacheWrite.Put).toList())
                .as("held: no value while the answers come in").isEmpty();

        history.release();
        join.advance(Duration.ofSeconds(1));

        assertThat(cache.applied.stream().filter(w -> w.key().equals("product:1")
                && w instanceof io.warmer.family.CacheWrite.Put).map(w -> ((io.warmer.family.CacheWrite.Put) w).value()))
                .containsExactly("{\"id\":1,\"name\":\"lamp\",\"category\":{\"title\":\"Lighting\"}}");
        assertThat(history.assembled(config)).isTrue();
    }
}
