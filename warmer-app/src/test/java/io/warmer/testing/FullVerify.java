package io.warmer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.config.SchemaCheck;
import io.warmer.config.WarmerConfig;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.VerifyReport;
import java.sql.Connection;

/** {@code warmer verify --full}, in a test: every row of every family, each family asserted free of drift. */
public final class FullVerify {

    private FullVerify() {
    }

    public static VerifyReport assertNoDrift(WarmerConfig config, TestDatabase db) throws Exception {
        VerifyReport report = report(config, db);
        report.families().forEach(f -> assertThat(f.drifted()).as("%s: %s", f.name(), f).isFalse());
        return report;
    }

    /**
     * Once the cache is warm, the memory estimate renders the very entries the pipeline wrote (whatever the families'
     * shapes): every sampled entry is there, and nothing more is needed.
     */
    public static void assertEstimateFindsEveryEntry(WarmerConfig config) throws Exception {
        try (Redis process = Redis.of(config.redis())) {
            io.warmer.guard.MemoryReport estimate = io.warmer.guard.MemoryEstimate.of(config, process);
            estimate.families().forEach(f -> assertThat(f.presentShare()).as("%s: %s", f.family(), f).isEqualTo(1.0));
            assertThat(estimate.needed()).as("%s", estimate.lines()).isZero();
        }
    }

    /** The report, for a test that explains a drift before it fails on it. */
    public static VerifyReport report(WarmerConfig config, TestDatabase db) throws Exception {
        try (Connection connection = db.connect(); Redis process = Redis.of(config.redis());
                 RedisConnection<String, String> reader = process.connect()) {
            return new CacheVerifier(config, connection, reader.sync(), SchemaCheck.preflight(config))
                    .verify(null, System.currentTimeMillis());
        }
    }
}
