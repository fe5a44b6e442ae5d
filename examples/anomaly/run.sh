#!/usr/bin/env bash
# Anomaly alerts with RANDOM_CUT_FOREST_WITH_EXPLANATION: two days of generated service
# metrics (gen.py: a daily latency cycle, a latency spike and an error burst planted on day
# two) replayed through anomaly.sql with `sluice run --replay`; the alerts it writes to a
# file sink are printed, with the column each explanation blames.
# Usage: examples/anomaly/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
SLUICE=${SLUICE:-$top/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "anomaly: $SLUICE not found; build first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dir/anomaly.sql" "$work/"
echo "== generating 2880 one-minute samples (gen.py --seed 3) as a replay dump"
python3 "$dir/gen.py" --dump > "$work/metrics.dump"
echo "== sluice run anomaly.sql --replay metrics.dump"
(cd "$work" && "$SLUICE" run anomaly.sql --replay metrics.dump)
echo "== alerts written to anomaly_alerts.jsonl:"
cat "$work/anomaly_alerts.jsonl"
echo "== per alert: seq, score, the column with the largest attribution and its direction"
python3 - "$work/anomaly_alerts.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    expl = json.loads(row["EXPLANATION"])
    col = max(expl, key=lambda c: float(expl[c]["ATTRIBUTION_SCORE"]))
    print("seq %s score %.2f %s %s" % (row["SEQ"], row["ANOMALY_SCORE"], col, expl[col]["DIRECTION"]))
PY
echo "== done"
