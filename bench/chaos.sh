#!/usr/bin/env bash
# The crash-safety claim at full scale (docs/benchmarks.md, "Chaos"): a shop of customers and their orders (a
# million rows by default) warmed under live writes, first without kills for the reference time to ready, then by
# two `warmer run` processes on one slot while one is SIGKILLed again and again (during the snapshot and while
# streaming) and started again; then the database is compared with Redis, independently. One summary line.
#   bench/chaos.sh                          1M rows, 10 kills (about 15 minutes)
#   bench/chaos.sh --customers 5000 --kills 3 --between 6    smoke check, about 3 minutes
#   bench/chaos.sh --help                   every option
# It holds /tmp/warmer-bench.lock, as bench/run.sh does: two benchmarks never measure at once.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
case " $* " in *" -h "*|*" --help "*) ;; *)
  ./mvnw -B -q -o -DskipTests package -pl warmer-bench -am >&2 ||
    ./mvnw -B -q -DskipTests package -pl warmer-bench -am >&2 ;;
esac
run() {
  WARMER_LOG_DIR="$root/.warmer/logs" exec java -Xmx2g -XX:+UseG1GC \
    -cp "warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar:warmer-bench/target/lib/*" \
    io.warmer.bench.ChaosRun "$@"
}
case " $* " in *" -h "*|*" --help "*) run "$@" ;; esac
exec 9>/tmp/warmer-bench.lock
if ! flock -n 9; then
  echo "bench/chaos.sh: another benchmark holds /tmp/warmer-bench.lock; waiting for it ..." >&2
  flock 9
fi
run "$@"
