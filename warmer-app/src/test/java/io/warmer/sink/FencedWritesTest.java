package io.warmer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

class FencedWritesTest {

    @Test
    void shouldPutTheVersionKeyInTheSameClusterSlotAsAPlainKey() {
        String key = "v2:user:42:profile";

        assertThat(FencedWrites.versionKeyOf(key)).isEqualTo("{v2:user:42:profile}:v");
        assertThat(SlotHash.getSlot(FencedWrites.versionKeyOf(key))).isEqualTo(SlotHash.getSlot(key));
    }

    @Test
    void shouldKeepTheHashTagOfATaggedKey() {
        String key = "v2:{user:42}:profile";

        assertThat(FencedWrites.versionKeyOf(key)).isEqualTo("v2:{user:42}:profile:v");
        assertThat(SlotHash.getSlot(FencedWrites.versionKeyOf(key))).isEqualTo(SlotHash.getSlot(key));
    }

    @Test
    void shouldTreatEmptyBracesAsNoHashTag() {
        String key = "odd{}key";

        assertThat(SlotHash.getSlot(FencedWrites.versionKeyOf(key))).isEqualTo(SlotHash.getSlot(key));
    }
}
