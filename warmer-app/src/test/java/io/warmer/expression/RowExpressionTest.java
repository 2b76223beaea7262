package io.warmer.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowExpressionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final Map<String, String> USERS = Map.of("id", "integer", "first_name", "text", "last_name",
            "character varying", "email", "text", "balance", "numeric", "created_at", "timestamp with time zone",
            "prefs", "jsonb", "active", "boolean");

    private static ObjectNode row(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private final ObjectNode ada = row("{\"id\":42,\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
            + "\"email\":\"Ada@Example.COM\",\"balance\":12.50,\"created_at\":\"2026-03-04T05:06:07.123456Z\","
            + "\"prefs\":{\"lang\":\"en\",\"tags\":[\"a\",\"b\"]},\"active\":true,\"nickname\":null}");

    @Test
    void shouldReadTheColumnsItNamesAndNothingElse() {
        RowExpression e = RowExpression.compile("first_name + ' ' + last_name", "fields.name");

        assertThat(e.columns()).containsExactlyInAnyOrder("first_name", "last_name");
        assertThat(e.column()).isEmpty();
        assertThat(e.json(ada).textValue()).isEqualTo("Ada Lovelace");
    }

    @Test
    void shouldTreatABareColumnNameAsTheColumnWithoutEvaluatingAnything() {
        RowExpression e = RowExpression.compile(" balance ", "fields.balance");

        assertThat(e.column()).contains("balance");
        assertThat(e.json(ada).decimalValue()).isEqualByComparingTo("12.50");
    }

    @Test
    void shouldNotTakeAMacrosLoopVariableOrAFunctionNamespaceForAColumn() {
        RowExpression e = RowExpression.compile("prefs.tags.exists(t, t == 'b') ? optional.of(math.greatest(id, 7))"
                + " : optional.none()", "fields.x");

        assertThat(e.columns()).containsExactlyInAnyOrder("prefs", "id");
        assertThat(e.json(ada).longValue()).isEqualTo(42);
    }

    @Test
    void shouldGiveTheKeyPartsThatCachesUse() {
        assertThat(RowExpression.compile("lower(email)", "key").keyPart(ada)).isEqualTo("ada@example.com");
        assertThat(RowExpression.compile("id * 10", "key").keyPart(ada)).isEqualTo("420");
        assertThat(RowExpression.compile("formatTime(created_at, 'yyyy-MM-dd')", "key").keyPart(ada))
                .isEqualTo("2026-03-04");
        assertThat(RowExpression.compile("formatTime(timestamp(created_at), 'HH:mm')", "key").keyPart(ada))
                .isEqualTo("05:06");
    }

    @Test
    void shouldGiveADefaultForNullAndLeaveAnOptionalNoneOut() {
        assertThat(RowExpression.compile("nickname == null ? first_name : nickname", "f").json(ada).textValue())
                .isEqualTo("Ada");
        assertThat(RowExpression.compile("active ? optional.none() : optional.of(1)", "f").json(ada)).isNull();
        assertThat(RowExpression.compile("{'lang': prefs.lang, 'n': 1}", "f").json(ada).toString())
                .isEqualTo("{\"lang\":\"en\",\"n\":1}");
    }

    @Test
    void shouldGiveConditionsAndTtls() {
        assertThat(RowExpression.compile("balance > 10.0 && active", "where").test(ada)).isTrue();
        assertThat(RowExpression.compile("active ? duration('24h') : duration('1h')", "ttl").ttl(ada, NOW))
                .isEqualTo(Duration.ofHours(24));
        assertThat(RowExpression.compile("id * 60", "ttl").ttl(ada, NOW)).isEqualTo(Duration.ofMinutes(42));
        assertThat(RowExpression.compile("timestamp('2026-01-01T01:00:00Z')", "ttl").ttl(ada, NOW))
                .isEqualTo(Duration.ofHours(1));
        assertThat(RowExpression.compile("nickname", "ttl").ttl(ada, NOW)).isNull();
    }

    @Test
    void shouldSayWhereAnExpressionDoesNotParse() {
        assertThatThrownBy(() -> RowExpression.compile("lower(first_name", "families[0].fields.name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not compile: at column")
                .hasMessageContaining("lower(first_name");
    }

    @Test
    void shouldFailARowThatTheExpressionCannotTakeWithTheReason() {
        RowExpression e = RowExpression.compile("lower(nickname)", "key");

        assertThatThrownBy(() -> e.keyPart(ada)).isInstanceOf(ExpressionException.class)
                .hasMessageContaining("'lower(nickname)' failed for this row").hasMessageContaining("NULL");
        assertThatThrownBy(() -> RowExpression.compile("prefs", "key").keyPart(ada))
                .isInstanceOf(ExpressionException.class).hasMessageContaining("yields map");
        assertThatThrownBy(() -> RowExpression.compile("first_name", "where").test(ada))
                .isInstanceOf(ExpressionException.class).hasMessageContaining("expected true or false");
    }

    @Test
    void shouldTypeCheckAgainstTheTablesColumns() {
        assertThat(RowExpression.compile("first_name + ' ' + last_name", "f")
                .typeErrors(USERS, RowExpression.Use.VALUE, "families[0].fields.name")).isEmpty();
        assertThat(RowExpression.compile("first_name + id", "f")
                .typeErrors(USERS, RowExpression.Use.VALUE, "families[0].fields.name")).get().asString()
                .contains("families[0].fields.name: 'first_name + id' at column 12").contains("no matching overload");
        assertThat(RowExpression.compile("lower(emial)", "k")
                .typeErrors(USERS, RowExpression.Use.KEY, "families[0].key[0]")).get().asString()
                .contains("undeclared reference to 'emial'");
        assertThat(RowExpression.compile("balance > 1.0", "k")
                .typeErrors(USERS, RowExpression.Use.KEY, "families[0].key[0]")).get().asString()
                .contains("yields bool, expected text or a whole number");
        assertThat(RowExpression.compile("first_name", "w")
                .typeErrors(USERS, RowExpression.Use.CONDITION, "families[0].where")).isEmpty(); // a column: no type
        assertThat(RowExpression.compile("lower(first_name)", "w")
                .typeErrors(USERS, RowExpression.Use.CONDITION, "families[0].where")).get().asString()
                .contains("expected true or false");
        assertThat(RowExpression.compile("email == null ? duration('1h') : duration('2h')", "t")
                .typeErrors(USERS, RowExpression.Use.TTL, "families[0].ttl")).isEmpty();
        assertThat(RowExpression.compile("prefs.lang == 'en' && active", "w")
                .typeErrors(USERS, RowExpression.Use.CONDITION, "families[0].where")).isEmpty();
    }
}
