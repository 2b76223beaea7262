#!/usr/bin/env bash
# Where W1's CPU goes: the W1 snapshot under JFR (profile settings), then CPU-seconds per million rows
# for each stage of the pipeline, from the recording's execution samples.
#   bench/profile-w1.sh [ROWS]        (default 300000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rows=${1:-300000}
cd "$root"
./mvnw -B -q -DskipTests package -pl warmer-bench -am >&2
mkdir -p .warmer/logs .warmer/profile
jfr=".warmer/profile/w1-$rows.jfr"
cp="warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar:warmer-bench/target/lib/*"
# One benchmark at a time on a shared machine.
exec 9>/tmp/warmer-bench.lock
flock 9
WARMER_LOG_DIR="$root/.warmer/logs" java -Xmx4g -XX:StartFlightRecording=filename="$jfr",settings=profile \
    -cp "$cp" io.warmer.bench.SnapshotBenchmark "$rows" 300 | grep -E '^(seeded|result)'
java -cp "$cp" io.warmer.bench.ProfileStages "$jfr" "$rows"
echo "# recording: $jfr (open it in JDK Mission Control for the full picture)"
