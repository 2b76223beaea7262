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
    private final KeyFamily profile = new KeyFamily("user-profile-v2", TableId.parse("users"),
            KeyTemplate.parse("v2:user:${id}:profile"), List.of("id", "name"), Duration.ofHours(1));

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void shouldPutTheSelectedColumnsAsJsonWithTheTtlAndVersion() throws Exception {
        RowChange insert = new RowChange(Operation.INSERT, 77, 0, "public.users",
                json("{\"id\":42,\"name\":\"Ada\",\"password_hash\":\"x\"}"), null);

        List<CacheWrite> writes = profile.map(json("{\"id\":42}"), insert);

        assertThat(writes).containsExactly(new CacheWrite.Put("v2:user:42:profile", "{\"id\":42,\"name\":\"Ada\"}",
                Duration.ofHours(1), 77));
    }

    @Test
    void shouldDeleteTheKeyOfADeletedRowFromItsPrimaryKey() throws Exception {
        RowChange delete = new RowChange(Operation.DELETE, 78, 0, "public.users", null, null);

        assertThat(profile.map(json("{\"id\":42}"), delete))
                .containsExactly(new CacheWrite.Delete("v2:user:42:profile", 78));
    }

    @Test
    void shouldWriteEveryColumnWhenNoneAreSelected() throws Exception {
        KeyFamily all = new KeyFamily("all", TableId.parse("users"), KeyTemplate.parse("u:${id}"), List.of(), null);
        RowChange snapshot = new RowChange(Operation.SNAPSHOT, 1, 0, "public.users", json("{\"id\":1,\"a\":true}"), null);

        assertThat(all.map(json("{\"id\":1}"), snapshot))
                .containsExactly(new CacheWrite.Put("u:1", "{\"id\":1,\"a\":true}", null, 1));
    }
}
