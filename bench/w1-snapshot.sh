#!/usr/bin/env bash
# W1 alone: snapshot of ROWS rows of ~300 bytes from PostgreSQL to Redis end to end, next to the
# ceilings of the same run. Kept for the history in docs/benchmarks.md; it is bench/run.sh --only W1.
#   bench/w1-snapshot.sh [ROWS]        (default 1000000)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --only W1 --rows "${1:-1000000}"
