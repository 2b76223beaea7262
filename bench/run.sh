#!/usr/bin/env bash
# Warmer's benchmark suite: starts PostgreSQL, a Kafka broker and Redis here, measures the Redis and
# PostgreSQL ceilings in the same run, runs Warmer (in JVMs of its own) through W1–W5 and X2, and prints
# raw "result" lines and a Markdown table. docs/benchmarks.md says what each workload measures.
#   bench/run.sh                                    everything at the issue's scale (1M rows, W2 5 min per rate)
#   bench/run.sh --rows 2000 --w2-seconds 5 --ceiling-requests 100000    smoke check, about a minute
#   bench/run.sh --only W1,W3 --rows 3000000        some workloads (prerequisites run too)
#   bench/run.sh --help                             every option
# Only one benchmark measures at a time on this machine: the run holds /tmp/warmer-bench.lock.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
lock=/tmp/warmer-bench.lock

for arg in "$@"; do
  case "$arg" in -h|--help|-V|--version) build=no ;; esac
done
if [ "${build:-yes}" = yes ] || [ ! -f warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar ]; then
  ./mvnw -B -q -o -DskipTests package -pl warmer-bench -am >&2 ||
    ./mvnw -B -q -DskipTests package -pl warmer-bench -am >&2
fi
for program in redis-server redis-benchmark redis-cli; do
  command -v "$program" >/dev/null ||
    { echo "bench/run.sh: $program is not on PATH; apt-get install -y redis-server redis-tools" >&2; exit 2; }
done

label="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"
run() {
  WARMER_LOG_DIR="$root/.warmer/logs" exec java -Xmx2g -XX:+UseG1GC \
    -cp "warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar:warmer-bench/target/lib/*" \
    io.warmer.bench.BenchSuite --label "$label" "$@"
}
case " $* " in *" -h "*|*" --help "*|*" -V "*|*" --version "*) run "$@" ;; esac
exec 9>"$lock"
if ! flock -n 9; then
  echo "bench/run.sh: another benchmark holds $lock; waiting for it ..." >&2
  flock 9
fi
run "$@"
