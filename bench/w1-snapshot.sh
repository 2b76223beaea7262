#!/usr/bin/env bash
# W1: snapshot of ROWS rows of ~300 bytes from PostgreSQL to Redis end to end, next to what raw Redis
# does on the same machine in the same run (redis-benchmark -P 16 -c 4, SET key <300 bytes> EX 3600).
#   bench/w1-snapshot.sh [ROWS]        (default 1000000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-1000000}
cd "$root"
./mvnw -B -q -DskipTests package -pl warmer-bench -am >&2
mkdir -p .warmer/logs

echo "# W1 snapshot, $rows rows of ~300 bytes; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
out=$(WARMER_LOG_DIR="$root/.warmer/logs" java -Xmx4g \
        -cp "warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar:warmer-bench/target/lib/*" \
        io.warmer.bench.SnapshotBenchmark "$rows" 300)
echo "$out"
# Warmer's family is fenced (the default), so its own ceiling is the Lua fenced write, not SET.
ceiling=$("$root/../shared/bench/redis-ceiling.sh" --value-bytes 300 --lua "$root/bench/fenced-write-ceiling.lua")
echo "$ceiling"
w1=$(echo "$out" | awk '/^result w1_rows_per_second/ {print $3}')
set_ex=$(echo "$ceiling" | awk '/^ceiling set_ex/ {print $3}')
lua=$(echo "$ceiling" | awk '/^ceiling lua/ {print $3}')
awk -v a="$w1" -v b="$set_ex" -v c="$lua" 'BEGIN {
  printf "ratio w1/set_ex %.3f (%.1f%% of plain SET EX)\n", a / b, 100 * a / b
  printf "ratio w1/lua %.3f (%.1f%% of the fenced-write script)\n", a / c, 100 * a / c }'
