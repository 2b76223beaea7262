package io.warmer.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyFamilyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final Expiry ONE_HOUR = new Expiry(Duration.ofHours(1), null, 0);

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static KeyFamily family(List<String> templates, RowFilter where, ValueShape value, Expiry expiry) {
        return new KeyFamily("f", TableId.parse("users"), templates.stream().map(KeyTemplate::parse).toList(), where,
                value, expiry, Fencing.ON);
    }

    private static ValueShape columns(String... names) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String name : names) {
            fields.put(name, name);
        }
        return new ValueShape.Json(fields);
    }

    private static RowChange change(Operation op, long version, String row) {
        return new RowChange(op, Version.legacy(version), 0, "public.users", row == null ? null : json(row), null);
    }

    private final KeyFamily profile = family(List.of("v2:user:${id}:profile"), RowFilter.ALL, columns("id", "name"), ONE_HOUR);

    @Test
    void shouldPutTheSelectedColumnsAsJsonWithTheTtlAndVersion() {
        var mapping = profile.map(json("{\"id\":42}"),
                change(Operation.INSERT, 77, "{\"id\":42,\"name\":\"Ada\",\"password_hash\":\"x\"}"), Set.of(), NOW);

        assertThat(mapping.writes()).containsExactly(new CacheWrite.Put("v2:user:42:profile", "{\"id\":42,\"name\":\"Ada\"}",
                Duration.ofHours(1), Version.legacy(77), Fencing.ON));
    }

    @Test
    void shouldDeleteTheKeyOfADeletedRowFromItsPrimaryKey() {
        var mapping = profile.map(json("{\"id\":42}"), change(Operation.DELETE, 78, null), Set.of(), NOW);

        assertThat(mapping.writes()).containsExactly(new CacheWrite.Delete("v2:user:42:profile", Version.legacy(78), Fencing.ON));
    }

    @Test
    void shouldWriteEveryKeyOfTheRowTheNewFormatAndTheLegacyOne() {
        KeyFamily both = family(List.of("v2:user:${id}:profile", "user:${id}:profile"), RowFilter.ALL, columns("id"), Expiry.NONE);

        var writes = both.map(json("{\"id\":1}"), change(Operation.SNAPSHOT, 5, "{\"id\":1}"), Set.of(), NOW).writes();

        assertThat(writes).extracting(CacheWrite::key).containsExactly("v2:user:1:profile", "user:1:profile");
    }

    @Test
    void shouldDeleteEveryKeyOfADeletedRowInEveryFormat() {
        KeyFamily both = family(List.of("v2:user:${id}:profile", "user:${id}:profile"), RowFilter.ALL, columns("id"), Expiry.NONE);

        var writes = both.map(json("{\"id\":1}"), change(Operation.DELETE, 6, null), Set.of(), NOW).writes();

        assertThat(writes).containsExactly(new CacheWrite.Delete("v2:user:1:profile", Version.legacy(6), Fencing.ON),
                new CacheWrite.Delete("user:1:profile", Version.legacy(6), Fencing.ON));
    }

    @Test
    void shouldRemoveTheOldKeyWhenAKeyColumnChanges() {
        KeyFamily byEmail = family(List.of("user:by-email:${email}"), RowFilter.ALL, columns("id"), Expiry.NONE);
        assertThat(byEmail.needsKeyMemory(json("{\"id\":1}"))).isTrue();

        var mapping = byEmail.map(json("{\"id\":1}"), change(Operation.UPDATE, 9, "{\"id\":1,\"email\":\"new@x\"}"),
                Set.of("user:by-email:old@x"), NOW);

        assertThat(mapping.writes()).containsExactly(new CacheWrite.Delete("user:by-email:old@x", Version.legacy(9), Fencing.ON),
                new CacheWrite.Put("user:by-email:new@x", "{\"id\":1}", null, Version.legacy(9), Fencing.ON));
        assertThat(mapping.currentKeys()).containsExactly("user:by-email:new@x");
    }

    @Test
    void shouldDeleteARememberedKeyWhenTheRowIsDeletedWithoutAFullBeforeImage() {
        KeyFamily byEmail = family(List.of("user:by-email:${email}"), RowFilter.ALL, columns("id"), Expiry.NONE);

        var mapping = byEmail.map(json("{\"id\":1}"), change(Operation.DELETE, 10, null), Set.of("user:by-email:a@x"), NOW);

        assertThat(mapping.writes()).containsExactly(new CacheWrite.Delete("user:by-email:a@x", Version.legacy(10), Fencing.ON));
        assertThat(mapping.currentKeys()).isEmpty();
    }

    @Test
    void shouldNeedNoMemoryWhenTheKeyIsMadeOfThePrimaryKey() {
        assertThat(profile.needsKeyMemory(json("{\"id\":1}"))).isFalse();
    }

    @Test
    void shouldWriteOnlyRowsThatMatchTheFilter() {
        KeyFamily active = family(List.of("u:${id}"), new RowFilter(Map.of("status", List.of("active"))), columns("id"), Expiry.NONE);

        assertThat(active.map(json("{\"id\":1}"), change(Operation.SNAPSHOT, 1, "{\"id\":1,\"status\":\"banned\"}"), Set.of(), NOW)
                .writes()).isEmpty();
        assertThat(active.map(json("{\"id\":2}"), change(Operation.SNAPSHOT, 1, "{\"id\":2,\"status\":\"active\"}"), Set.of(), NOW)
                .writes()).extracting(CacheWrite::key).containsExactly("u:2");
    }

    @Test
    void shouldRemoveTheKeysOfARowThatStopsMatching() {
        KeyFamily active = family(List.of("u:${id}"), new RowFilter(Map.of("status", List.of("active"))), columns("id"), Expiry.NONE);

        var writes = active.map(json("{\"id\":1}"), change(Operation.UPDATE, 3, "{\"id\":1,\"status\":\"banned\"}"), Set.of(), NOW)
                .writes();

        assertThat(writes).containsExactly(new CacheWrite.Delete("u:1", Version.legacy(3), Fencing.ON));
    }

    @Test
    void shouldRenameAndNestFields() {
        KeyFamily shaped = family(List.of("u:${id}"), RowFilter.ALL,
                new ValueShape.Json(new java.util.LinkedHashMap<>(Map.of("userId", "id"))), Expiry.NONE);
        ValueShape nested = new ValueShape.Json(linked("userId", "id", "address.city", "city", "address.zip", "zip"));

        assertThat(nested.render(json("{\"id\":1,\"city\":\"Oslo\",\"zip\":\"0150\",\"secret\":\"x\"}")))
                .isEqualTo("{\"userId\":1,\"address\":{\"city\":\"Oslo\",\"zip\":\"0150\"}}");
        assertThat(shaped.usedColumns()).contains("id");
    }

    @Test
    void shouldWriteOneColumnAsAPlainString() {
        ValueShape name = new ValueShape.Text("name");

        assertThat(name.render(json("{\"name\":\"Ada\"}"))).isEqualTo("Ada");
        assertThat(new ValueShape.Text("score").render(json("{\"score\":12.50}"))).isEqualTo("12.5");
        assertThatThrownBy(() -> name.render(json("{\"name\":null}"))).isInstanceOf(UnrenderableRowException.class)
                .hasMessageContaining("NULL");
    }

    @Test
    void shouldTakeTheTtlFromATimestampColumn() {
        KeyFamily session = family(List.of("s:${id}"), RowFilter.ALL, columns("id"), new Expiry(null, "expires_at", 0));

        var writes = session.map(json("{\"id\":1}"),
                change(Operation.INSERT, 1, "{\"id\":1,\"expires_at\":\"2026-01-01T00:30:00.000000Z\"}"), Set.of(), NOW).writes();

        assertThat(((CacheWrite.Put) writes.get(0)).ttl()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void shouldDeleteTheEntryOfARowWhoseExpiryHasPassed() {
        KeyFamily session = family(List.of("s:${id}"), RowFilter.ALL, columns("id"), new Expiry(null, "expires_at", 0));

        var writes = session.map(json("{\"id\":1}"),
                change(Operation.UPDATE, 2, "{\"id\":1,\"expires_at\":\"2025-12-31T23:00:00\"}"), Set.of(), NOW).writes();

        assertThat(writes).containsExactly(new CacheWrite.Delete("s:1", Version.legacy(2), Fencing.ON));
    }

    @Test
    void shouldSendARowWhoseTtlColumnIsNotATimeToTheDeadLetters() {
        KeyFamily session = family(List.of("s:${id}"), RowFilter.ALL, columns("id"), new Expiry(null, "expires_at", 0));

        assertThatThrownBy(() -> session.map(json("{\"id\":1}"),
                change(Operation.UPDATE, 2, "{\"id\":1,\"expires_at\":\"soon\"}"), Set.of(), NOW))
                .isInstanceOf(UnrenderableRowException.class)
                .hasMessage("TTL column 'expires_at' holds 'soon'; expected a timestamp (timestamptz, timestamp or date) or epoch seconds");
    }

    @Test
    void shouldSpreadTtlsWithinTheJitterAndKeepEachKeysOwn() {
        Expiry expiry = new Expiry(Duration.ofHours(1), null, 0.10);
        Set<Long> seconds = new HashSet<>();
        for (int id = 0; id < 1_000; id++) {
            Duration ttl = expiry.ttlFor("v2:user:" + id + ":profile", null, NOW);
            assertThat(ttl).isBetween(Duration.ofSeconds(3240), Duration.ofSeconds(3960));
            assertThat(expiry.ttlFor("v2:user:" + id + ":profile", null, NOW)).isEqualTo(ttl);
            seconds.add(ttl.toSeconds());
        }
        assertThat(seconds).as("distinct TTLs in seconds among 1,000 keys").hasSizeGreaterThan(500);
    }

    @Test
    void shouldWriteEveryColumnWhenNoneAreSelected() {
        KeyFamily all = family(List.of("u:${id}"), RowFilter.ALL, ValueShape.Json.wholeRow(), Expiry.NONE);

        assertThat(all.map(json("{\"id\":1}"), change(Operation.SNAPSHOT, 1, "{\"id\":1,\"a\":true}"), Set.of(), NOW).writes())
                .containsExactly(new CacheWrite.Put("u:1", "{\"id\":1,\"a\":true}", null, Version.legacy(1), Fencing.ON));
    }

    private static Map<String, String> linked(String... pairs) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
