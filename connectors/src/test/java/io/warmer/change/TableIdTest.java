package io.warmer.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableIdTest {

    @Test
    void shouldDefaultToThePublicSchema() {
        assertThat(TableId.parse("users")).isEqualTo(new TableId("public", "users"));
    }

    @Test
    void shouldNameItsTopicAfterPrefixSchemaAndTable() {
        assertThat(ChangeTopics.topicFor("warmer", TableId.parse("sales.orders"))).isEqualTo("warmer.sales.orders");
    }

    @Test
    void shouldExplainAMalformedName() {
        assertThatThrownBy(() -> TableId.parse("a.b.c"))
                .hasMessageContaining("'a.b.c' is not a table name; expected 'table' or 'schema.table'");
    }
}
