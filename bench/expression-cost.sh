#!/usr/bin/env bash
# What a family's expression costs per row (io.warmer.bench.ExpressionCost), beside a bare column: one thread, no
# servers. docs/design.md, "Expressions", has the figures.
#   bench/expression-cost.sh [EVALUATIONS]      (default 2000000 per expression)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
./mvnw -B -q -o -DskipTests package -pl warmer-bench -am >&2 || ./mvnw -B -q -DskipTests package -pl warmer-bench -am >&2
exec java -cp "warmer-bench/target/warmer-bench-0.1.0-SNAPSHOT.jar:warmer-bench/target/lib/*" \
  io.warmer.bench.ExpressionCost "$@"
