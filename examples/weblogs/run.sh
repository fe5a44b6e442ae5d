#!/usr/bin/env bash
# Web-log analytics with W3C_LOG_PARSE (weblogs.sql), twice:
#   1. live, on a daemon: `sluice serve` on a free port with a scratch data directory, the
#      input and output streams created through the Kinesis API (curl), weblogs.sql
#      submitted (`sluice submit`), 6 s of generated Apache log lines put with `sluice put`
#      as they are generated, the per-status counts and the 5xx bursts read back with
#      `sluice tail`;
#   2. replayed: 60 s of log lines with a 10-second backend failure (gen.py --dump, fixed
#      arrival times) run with `sluice run --replay`, whose output is deterministic, and
#      checked against a recount of the same lines in Python.
# Usage: examples/weblogs/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
SLUICE=${SLUICE:-$top/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "weblogs: $SLUICE not found; build first" >&2; exit 1; }

data=$(mktemp -d)
log=$data/serve.log
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

# ---- 1. live --------------------------------------------------------------------------
. "$top/examples/lib.sh"
start_daemon weblogs
for s in weblogs weblog-status-counts weblog-5xx-bursts; do
  api CreateStream "{\"StreamName\":\"$s\",\"ShardCount\":1}"
done
echo "== sluice submit weblogs.sql"
"$SLUICE" submit "$dir/weblogs.sql" --name weblogs --start trim_horizon --endpoint "$endpoint"
# ROWTIME is arrival time: put one second of lines at a time, starting 3 s before a
# 10-second boundary, so the 6 seconds of input fill two windows; the second closes 1 s
# after its end on the engine's clock.
sleep_until() { # sleep_until OFFSET: until the wall clock is OFFSET s past a 10-second boundary
  python3 -c 'import sys,time; t=time.time(); time.sleep((float(sys.argv[1]) - t) % 10)' "$1"
}
python3 "$dir/gen.py" --count 300 --rate 0 --seed 3 --burst-at 0 --burst-len 0 > "$data/live.jsonl"
split -l 50 "$data/live.jsonl" "$data/second."
sleep_until 7
echo "== putting 300 log lines over 6 s (gen.py --seed 3), from $(date -u +%T)"
for f in "$data"/second.*; do
  "$SLUICE" put weblogs --endpoint "$endpoint" < "$f" 2>/dev/null
  sleep 1
done
sleep_until 1.5
"$SLUICE" stop weblogs --endpoint "$endpoint"
echo "== live weblog-status-counts: requests per status per 10-second window"
"$SLUICE" tail weblog-status-counts --endpoint "$endpoint"

# ---- 2. replayed ----------------------------------------------------------------------
python3 "$dir/gen.py" --dump --count 1200 --rate 20 --seed 7 --burst-at 20 --burst-len 10 > "$data/replay.dump"
"$SLUICE" run "$dir/weblogs.sql" --replay "$data/replay.dump" \
  --output STATUS_COUNTS --output ERROR_BURSTS > "$data/replay.out"
echo "== replay: STATUS_COUNTS (60 s of lines, a backend failure from 20 s to 30 s)"
grep '"STATUS"' "$data/replay.out"
echo "== replay: ERROR_BURSTS"
grep '"ERRORS_5XX"' "$data/replay.out"
echo "== replay: recount in Python"
python3 - "$data/replay.dump" "$data/replay.out" <<'PY'
import base64, collections, json, re, sys
# The same questions answered without sluice: parse each line with a regex of the
# common/combined format, bucket by arrival time (ROWTIME) into 10-second windows.
clf = re.compile(r'^(\S+) (\S+) (\S+) \[[^\]]+\] "([^"]*)" (\d{3}) (\d+|-)( "[^"]*" "[^"]*")?$')
want = collections.Counter()
for rec in map(json.loads, open(sys.argv[1])):
    m = clf.match(json.loads(base64.b64decode(rec["Data"]))["log"])
    if m:
        end = (int(rec["ApproximateArrivalTimestamp"] * 1000) // 10000 + 1) * 10000
        want[(end, int(m.group(5)))] += 1
got = collections.Counter()
for row in map(json.loads, open(sys.argv[2])):
    if "STATUS" in row:
        import datetime
        t = datetime.datetime.strptime(row["ROWTIME"], "%Y-%m-%d %H:%M:%S.%f")
        end = int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
        got[(end, row["STATUS"])] += row["REQUESTS"]
print("requests: sluice %d, recount %d; windows x statuses: %s" % (
    sum(got.values()), sum(want.values()), "equal" if got == want else "DIFFERENT"))
PY
echo "== done"
