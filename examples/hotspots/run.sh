#!/usr/bin/env bash
# HOTSPOTS on KDA's documented example: 3000 generated points on a 10 x 10 field (gen.py), a
# fifth of them in a 1 x 1 square that moves every 1000 points, replayed through hotspots.sql
# with `sluice run --replay`. The report (a file sink: every 250th record's HOTSPOTS_RESULT)
# is printed as one line per record: the hotspots with density >= 40 (the threshold of KDA's
# example viewer), densest first, each as density and box.
# Usage: examples/hotspots/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
SLUICE=${SLUICE:-$top/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "hotspots: $SLUICE not found; build first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dir/hotspots.sql" "$work/"
echo "== generating 3000 points (gen.py --seed 5) as a replay dump"
python3 "$dir/gen.py" --dump > "$work/points.dump"
echo "== sluice run hotspots.sql --replay points.dump"
(cd "$work" && "$SLUICE" run hotspots.sql --replay points.dump)
echo "== hotspots with density >= 40 after record seq (planted square: [2,3]x[2,3] until 999,"
echo "   [6,7]x[5,6] until 1999, [4,5]x[8,9] until 2999)"
python3 - "$work/hotspots.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    spots = [h for h in json.loads(row["HOTSPOTS"])["hotspots"] if h["density"] >= 40]
    print("seq %4d: %s" % (row["SEQ"], "; ".join(
        "density %.0f x %.2f-%.2f y %.2f-%.2f" % (h["density"], h["minValues"][0], h["maxValues"][0],
                                                   h["minValues"][1], h["maxValues"][1])
        for h in spots) or "none"))
PY
echo "== done"
