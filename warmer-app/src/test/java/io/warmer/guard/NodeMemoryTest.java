package io.warmer.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What the guard reads from INFO, and what it says about it. */
class NodeMemoryTest {

    private static final String MEMORY = """
            # Memory\r
            used_memory:8123456\r
            used_memory_human:7.75M\r
            maxmemory:8388608\r
            maxmemory_human:8.00M\r
            maxmemory_policy:allkeys-lru\r
            """;
    private static final String STATS = """
            # Stats\r
            expired_keys:3\r
            evicted_keys:1234\r
            """;

    @Test
    void shouldReadUsedMemoryMaxmemoryPolicyAndEvictedKeys() {
        NodeMemory node = NodeMemory.parse("127.0.0.1:6379", MEMORY, STATS);

        assertThat(node).isEqualTo(new NodeMemory("127.0.0.1:6379", 8_123_456, 8_388_608, "allkeys-lru", 1234));
        assertThat(node.free()).isEqualTo(8_388_608 - 8_123_456);
        assertThat(node.policyEvicts()).isTrue();
        assertThat(node.describe()).isEqualTo("used_memory 7.7 MiB of maxmemory 8.0 MiB, policy allkeys-lru");
    }

    @Test
    void shouldTakeMaxmemoryZeroAsNoLimit() {
        NodeMemory node = NodeMemory.parse("r:6379", MEMORY.replace("maxmemory:8388608", "maxmemory:0"), STATS);

        assertThat(node.limited()).isFalse();
        assertThat(node.free()).isEqualTo(Long.MAX_VALUE);
        assertThat(node.describe()).isEqualTo("used_memory 7.7 MiB, no maxmemory, policy allkeys-lru");
    }

    @Test
    void shouldKnowWhichPoliciesEvict() {
        assertThat(new NodeMemory("r", 0, 1, "volatile-ttl", 0).policyEvicts()).isTrue();
        assertThat(new NodeMemory("r", 0, 1, "noeviction", 0).policyEvicts()).isFalse();
    }

    @Test
    void shouldNameTheNodeAndTheFieldWhenInfoHidesIt() {
        assertThatThrownBy(() -> NodeMemory.parse("proxy:6379", MEMORY, "# Stats\r\n"))
                .hasMessage("Redis at proxy:6379 answered INFO without evicted_keys; the eviction guard needs INFO memory"
                        + " and INFO stats (a proxy may hide them): allow INFO, or set redis.eviction-guard: off");
    }
}
