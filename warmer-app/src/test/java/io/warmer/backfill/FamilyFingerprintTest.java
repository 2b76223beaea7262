package io.warmer.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import org.junit.jupiter.api.Test;

/**
 * A family's fingerprint decides whether a running deployment fills it again: an upgrade that only adds options must
 * leave every existing family's fingerprint as it was.
 */
class FamilyFingerprintTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092"}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: customer-orders
                table: customers
                key: "v2:customer:${id}:orders"
                columns: [id, name]
                where: {tier: [pro, team]}
                join:
                  - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total], many: true}
              - name: nested
                table: customers
                key: "v2:customer:${id}:points"
                columns: [id, name]
                join:
                  - {table: points, on: {customer_id: id}, as: points, columns: [points]}
              - name: flattened
                table: customers
                key: "v2:customer:${id}:points"
                columns: [id, name]
                join:
                  - {table: points, on: {customer_id: id}, as: points, columns: [points], flatten: true}
              - name: recent
                table: orders
                key: "v2:customer:${customer_id}:recent"
                value: sorted-set
                member: id
                score: placed_at
              - name: recent-capped
                table: orders
                key: "v2:customer:${customer_id}:recent"
                value: sorted-set
                member: id
                score: placed_at
                cap: 10
            """;

    private final WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "fingerprint-test.yml");

    @Test
    void shouldKeepTheFingerprintAFamilyHadBeforeJoinsCouldBeFlattened() {
        // What bc9a3c9 (before expressions, sets and join shapes) computed for this family.
        assertThat(FamilyFingerprint.of(config.families().get(0))).isEqualTo(FINGERPRINT_AT_BC9A3C9);
    }

    @Test
    void shouldTellAFlattenedJoinFromANestedOne() {
        assertThat(FamilyFingerprint.of(config.families().get(2))).isNotEqualTo(FamilyFingerprint.of(
                config.families().get(1)));
    }

    @Test
    void shouldFillASortedSetAgainWhenItsCapChangesAndKeepAnUncappedOnesFingerprint() {
        // The uncapped family keeps the fingerprint it had before caps existed (5115f22).
        assertThat(FamilyFingerprint.of(config.families().get(3))).isEqualTo(UNCAPPED_AT_5115F22);
        assertThat(FamilyFingerprint.of(config.families().get(4))).isNotEqualTo(UNCAPPED_AT_5115F22);
    }

    private static final String UNCAPPED_AT_5115F22 = "549072e52b7d9e5d";
    private static final String FINGERPRINT_AT_BC9A3C9 = "1d60219f5a9ab8ad";
}
