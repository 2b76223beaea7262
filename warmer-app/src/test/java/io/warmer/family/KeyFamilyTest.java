package io.warmer.family;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.TableId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyFamilyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private final KeyFamily profile = new KeyFamily("user-profile-v2", TableId.parse("users"),
            KeyTemplate.parse("v2:user:${id}:profile"), List.of("id", "name"), new Expiry(Duration.ofHours(1), null, 0), Fencing.ON);

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void shouldPutTheSelectedColumnsAsJsonWithTheTtlAndVersion() throws Exception {
        RowChange insert = new RowChange(Operation.INSERT, 77, 0, "public.users",
                json("{\"id\":42,\"name\":\"Ada\",\"password_hash\":\"x\"}"), null);

        List<CacheWrite> writes = profile.map(json("{\"id\":42}"), insert, NOW);

        assertThat(writes).containsExactly(new CacheWrite.Put("v2:user:42:profile", "{\"id\":42,\"name\":\"Ada\"}",
                Duration.ofHours(1), 77, Fencing.ON));
    }

    @Test
    void shouldDeleteTheKeyOfADeletedRowFromItsPrimaryKey() throws Exception {
        RowChange delete = new RowChange(Operation.DELETE, 78, 0, "public.users", null, null);

        assertThat(profile.map(json("{\"id\":42}"), delete, NOW))
                .containsExactly(new CacheWrite.Delete("v2:user:42:profile", 78, Fencing.ON));
    }

    @Test
    void shouldTakeTheTtlFromATimestampColumn() throws Exception {
        KeyFamily session = new KeyFamily("session", TableId.parse("sessions"), KeyTemplate.parse("s:${id}"), List.of("id"),
                new Expiry(null, "expires_at", 0), Fencing.OFF);
        RowChange row = new RowChange(Operation.INSERT, 1, 0, "public.sessions",
                json("{\"id\":1,\"expires_at\":\"2026-01-01T00:30:00.000000Z\"}"), null);

        assertThat(((CacheWrite.Put) session.map(json("{\"id\":1}"), row, NOW).get(0)).ttl())
                .isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void shouldDeleteTheEntryOfARowWhoseExpiryHasPassed() throws Exception {
        KeyFamily session = new KeyFamily("session", TableId.parse("sessions"), KeyTemplate.parse("s:${id}"), List.of("id"),
                new Expiry(null, "expires_at", 0), Fencing.OFF);
        RowChange row = new RowChange(Operation.UPDATE, 2, 0, "public.sessions",
                json("{\"id\":1,\"expires_at\":\"2025-12-31T23:00:00\"}"), null);

        assertThat(session.map(json("{\"id\":1}"), row, NOW)).containsExactly(new CacheWrite.Delete("s:1", 2, Fencing.OFF));
    }

    @Test
    void shouldSendARowWhoseTtlColumnIsNotATimeToTheDeadLetters() throws Exception {
        KeyFamily session = new KeyFamily("session", TableId.parse("sessions"), KeyTemplate.parse("s:${id}"), List.of("id"),
                new Expiry(null, "expires_at", 0), Fencing.OFF);
        RowChange row = new RowChange(Operation.UPDATE, 2, 0, "public.sessions",
                json("{\"id\":1,\"expires_at\":\"soon\"}"), null);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.map(json("{\"id\":1}"), row, NOW))
                .isInstanceOf(UnrenderableRowException.class)
                .hasMessage("TTL column 'expires_at' holds 'soon'; expected a timestamp (timestamptz or timestamp) or epoch seconds");
    }

    @Test
    void shouldSpreadTtlsWithinTheJitterAndKeepEachKeysOwn() {
        Expiry expiry = new Expiry(Duration.ofHours(1), null, 0.10);
        java.util.Set<Long> seconds = new java.util.HashSet<>();
        for (int id = 0; id < 1_000; id++) {
            Duration ttl = expiry.ttlFor("v2:user:" + id + ":profile", null, NOW);
            assertThat(ttl).isBetween(Duration.ofSeconds(3240), Duration.ofSeconds(3960));
            assertThat(expiry.ttlFor("v2:user:" + id + ":profile", null, NOW)).isEqualTo(ttl);
            seconds.add(ttl.toSeconds());
        }
        assertThat(seconds).as("distinct TTLs in seconds among 1,000 keys").hasSizeGreaterThan(500);
    }

    @Test
    void shouldWriteEveryColumnWhenNoneAreSelected() throws Exception {
        KeyFamily all = new KeyFamily("all", TableId.parse("users"), KeyTemplate.parse("u:${id}"), List.of(), Expiry.NONE, Fencing.OFF);
        RowChange snapshot = new RowChange(Operation.SNAPSHOT, 1, 0, "public.users", json("{\"id\":1,\"a\":true}"), null);

        assertThat(all.map(json("{\"id\":1}"), snapshot, NOW))
                .containsExactly(new CacheWrite.Put("u:1", "{\"id\":1,\"a\":true}", null, 1, Fencing.OFF));
    }
}
