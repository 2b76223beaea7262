package io.warmer.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class KeyTemplateTest {

    private static ObjectNode row(String json) throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(json);
    }

    @Test
    void shouldFillColumnValuesIntoTheTemplate() throws Exception {
        assertThat(KeyTemplate.parse("v2:user:${id}:profile").render(row("{\"id\":42}"))).isEqualTo("v2:user:42:profile");
    }

    @Test
    void shouldWriteEveryKindOfNumberInAKeyAsItsJsonText() throws Exception {
        KeyTemplate template = KeyTemplate.parse("k:${n}");
        ObjectMapper decimals = new ObjectMapper().enable(
                com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        for (String n : new String[] {"0", "-7", "2147483647", "2147483648", "-9223372036854775808",
                "9223372036854775808", "12.50", "1e3", "true"}) {
            ObjectNode row = (ObjectNode) decimals.readTree("{\"n\":" + n + "}");
            assertThat(template.render(row)).as(n).isEqualTo("k:" + row.get("n").toString());
        }
        assertThat(template.render(row("{\"n\":-9223372036854775808}"))).isEqualTo("k:-9223372036854775808");
    }

    @Test
    void shouldSupportCompositeKeys() throws Exception {
        KeyTemplate template = KeyTemplate.parse("tenant:${tenant_id}:order:${id}");

        assertThat(template.render(row("{\"tenant_id\":\"acme\",\"id\":7}"))).isEqualTo("tenant:acme:order:7");
        assertThat(template.columns()).containsExactlyInAnyOrder("tenant_id", "id");
    }

    @Test
    void shouldPassLiteralBracesThroughForClusterHashTags() throws Exception {
        assertThat(KeyTemplate.parse("v2:{user:${id}}:profile").render(row("{\"id\":42}"))).isEqualTo("v2:{user:42}:profile");
    }

    @Test
    void shouldRefuseARowWhoseKeyColumnIsNull() throws Exception {
        assertThatThrownBy(() -> KeyTemplate.parse("user:${id}").render(row("{\"id\":null}")))
                .isInstanceOf(UnrenderableRowException.class)
                .hasMessage("column 'id' of key template 'user:${id}' is NULL in the row");
    }

    @Test
    void shouldRefuseATemplateWithoutColumns() {
        assertThatThrownBy(() -> KeyTemplate.parse("user:profile")).hasMessageContaining("without any ${column}");
    }

    @Test
    void shouldRefuseAnUnclosedPlaceholder() {
        assertThatThrownBy(() -> KeyTemplate.parse("user:${id")).hasMessageContaining("unclosed '${'");
    }

    @Test
    void shouldReadTheColumnValuesBackOutOfAKey() {
        KeyTemplate template = KeyTemplate.parse("tenant:${tenant_id}:order:${id}");

        assertThat(template.match("tenant:acme:order:7")).contains(java.util.Map.of("tenant_id", "acme", "id", "7"));
        assertThat(template.match("tenant:acme:invoice:7")).isEmpty();
    }
}
