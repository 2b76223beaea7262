#!/usr/bin/env bash
# Where W1's CPU goes: the suite's W1 with Warmer's JVM under JFR (profile settings), then CPU-seconds
# per million rows for each stage of the pipeline, from the recording's execution samples. The servers
# run outside Warmer's JVM, so the figures are Warmer's own.
#   bench/profile-w1.sh [ROWS]        (default 300000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-300000}
cd "$root"
mkdir -p .warmer/profile
dir="$root/.warmer/profile/w1-$rows-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$dir"
WARMER_BENCH_JVM_OPTS="-XX:StartFlightRecording=filename=$dir/{name}.jfr,settings=profile" \
    bench/run.sh --rows "$rows" --only W1
for jfr in "$dir"/*.jfr; do
  echo "# $(basename "$jfr")"
  java -cp "warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar:warmer-bench/target/lib/*" \
      io.warmer.bench.ProfileStages "$jfr" "$rows"
done
echo "# recordings in $dir (open them in JDK Mission Control for the full picture)"
