#!/usr/bin/env bash
# The check's two proofs, reproducible: RUNS checks of the unchanged tree (false alarms) and
# RUNS checks with INJECT_PCT% of each point's cost added as --cpu-us work (detections),
# alternating so that both series see the same machine. Each run holds the machine lock, so
# that other zenbench measurements on this machine do not overlap it.
#   bench/check/prove.sh                 # 10 + 10 runs, +10%, against reference/check-baseline.json
#   RUNS=3 INJECT_PCT=20 OUT=/tmp/p bench/check/prove.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-10}
INJECT_PCT=${INJECT_PCT:-10}
BASELINE=${BASELINE:-reference/check-baseline.json}
LOCK=${LOCK:-/tmp/zenbench-machine.lock}
OUT=${OUT:-$(mktemp -d /tmp/zenbench-check-proof.XXXXXX)}
SERIES=${SERIES:-quiet inject}   # SERIES=quiet for the false-alarm series alone

npm run --silent build || echo "warning: the build reported errors; proving with dist/ as it was emitted" >&2
mkdir -p "$OUT"
echo "proof runs: $RUNS of each of: $SERIES (inject: +$INJECT_PCT%), baseline $BASELINE, reports in $OUT"
for run in $(seq 1 "$RUNS"); do
  for series in $SERIES; do
    extra=()
    if [ "$series" = inject ]; then extra=(--inject-pct "$INJECT_PCT"); fi
    set +e
    flock "$LOCK" node dist/bench/check/main.js --baseline "$BASELINE" --quiet --json "${extra[@]}" > "$OUT/$series-$run.json"
    code=$?
    set -e
    echo "$(date -u +%H:%M:%S) $series run $run: exit $code"
  done
done
node dist/bench/check/prove-summary.js "$OUT"
