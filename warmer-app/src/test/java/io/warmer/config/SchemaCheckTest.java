package io.warmer.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.capture.TableSchema;
import io.warmer.change.TableId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks of a configuration against the tables' columns and keys, without a database. */
class SchemaCheckTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: product
                table: products
                key: "product:${id}"
                columns: [id, name]
                join:
                  - {table: categories, lookup: {category_id: %s}, as: category, columns: [title]}
            """;
    private static final Map<TableId, TableSchema> SCHEMAS = Map.of(
            TableId.parse("products"), new TableSchema(List.of("id"), Map.of("id", "int4", "name", "text",
                    "category_id", "int4")),
            TableId.parse("categories"), new TableSchema(List.of("id"), Map.of("id", "int4", "title", "text",
                    "code", "text")));

    private static WarmerConfig config(String joinedColumn) {
        return new ConfigLoader(name -> null).parse(CONFIG.formatted(joinedColumn), "schema-check-test.yml");
    }

    @Test
    void shouldAcceptALookupOfTheJoinedTablesPrimaryKey() {
        assertThatCode(() -> SchemaCheck.verify(config("id"), SCHEMAS)).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseALookupOfAnotherColumn() {
        assertThatThrownBy(() -> SchemaCheck.verify(config("code"), SCHEMAS))
                .hasMessageContaining("families[0].join[0].lookup: found joined columns [code], expected the primary"
                        + " key of public.categories, in order: [id]");
    }

    @Test
    void shouldCheckTheKeysOfAJoinsOwnJoinsAgainstTheTableTheyJoin() {
        String nested = CONFIG.formatted("id").replace("      - {table: categories, lookup: {category_id: id}, as:"
                + " category, columns: [title]}", """
                      - table: categories
                        on: {product_id: id}
                        as: categories
                        many: true
                        join:
                          - {table: tags, on: {category_code: %s}, as: tags, many: true}
                """.stripTrailing());
        Map<TableId, TableSchema> schemas = new java.util.HashMap<>(SCHEMAS);
        schemas.put(TableId.parse("tags"), new TableSchema(List.of("id"), Map.of("id", "int4", "category_code", "text")));
        assertThatCode(() -> SchemaCheck.verify(new ConfigLoader(name -> null).parse(nested.formatted("id"),
                "schema-check-test.yml"), schemas)).doesNotThrowAnyException();
        assertThatThrownBy(() -> SchemaCheck.verify(new ConfigLoader(name -> null).parse(nested.formatted("code"),
                "schema-check-test.yml"), schemas))
                .hasMessageContaining("families[0].join[0].join[0].on: found main columns [code], expected the primary"
                        + " key of public.categories, in order: [id]");
    }

    @Test
    void shouldSayThatAJoinOnAColumnOtherThanTheMainKeyIsAMatch() {
        String on = CONFIG.formatted("id").replace("lookup: {category_id: id}", "on: {code: name}");
        WarmerConfig config = new ConfigLoader(name -> null).parse(on, "schema-check-test.yml");
        assertThatThrownBy(() -> SchemaCheck.verify(config, SCHEMAS))
                .hasMessageContaining("families[0].join[0].on: found main columns [name], expected the primary key of"
                        + " public.products, in order: [id]; to join the rows that hold other columns' values, write"
                        + " match: {code: name} instead of on");
        WarmerConfig match = new ConfigLoader(name -> null).parse(on.replace("on:", "match:"), "schema-check-test.yml");
        assertThatCode(() -> SchemaCheck.verify(match, SCHEMAS)).doesNotThrowAnyException();
    }
}
