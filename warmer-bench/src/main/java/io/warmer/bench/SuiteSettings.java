package io.warmer.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One suite run's settings, parsed once by {@link BenchSuite}'s options.
 *
 * @param rows         rows in the users table (W1–W4, W6, X2) and keys to migrate (W5)
 * @param w7Orders     orders joined to customers in W7
 * @param w8Customers  customers in W8, each with three orders
 * @param workloads    what to run, prerequisites included
 * @param w2Seconds    how long each W2 rate runs
 * @param w2Rates      W2's update rates, per second
 * @param verifySample rows W1 compares with the database, keys W4 digests
 * @param naiveKeys    keys the seed's per-key loop migrates in W5
 * @param ceilingRequests requests per redis-benchmark ceiling
 * @param work         this run's directory (servers' data, Warmer's logs, GC logs, pgbench output)
 * @param warmerApp    warmer-app/target, with Warmer's packaged jar and lib/
 * @param charts       where the PNG charts go
 * @param redisCeiling the shared redis-ceiling.sh
 * @param shapedLua    bench/fenced-write-ceiling.lua, redis-ceiling.sh's one-key stand-in for the fenced write
 * @param pgbench      PostgreSQL's pgbench
 */
record SuiteSettings(long rows, long w7Orders, long w8Customers, Set<Workload> workloads, int w2Seconds, List<Integer> w2Rates, int verifySample,
                     int naiveKeys, long ceilingRequests, Path work, Path warmerApp, Path charts, Path redisCeiling,
                     Path shapedLua, Path pgbench) {

    boolean runs(Workload workload) {
        return workloads.contains(workload);
    }
}
