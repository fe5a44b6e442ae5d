#!/usr/bin/env bash
# An alerting continuous query on a sluice daemon: a tiny webhook receiver (receiver.py) and
# `sluice serve` on free ports with a scratch data directory; alerts.sql (a sliding average
# of CPU per host above 80%) submitted with `sluice submit`, its webhook pointed at the
# receiver; generated metrics (gen.py) put with `sluice put`. The flapping host crosses the
# threshold again and again, yet the receiver gets one alert per host (key + dedup_quiet +
# rate_limit); every alert row also goes to a stream, read back with `sluice tail`.
# Usage: examples/alerts/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
SLUICE=${SLUICE:-$top/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "alerts: $SLUICE not found; build first" >&2; exit 1; }

data=$(mktemp -d)
log=$data/serve.log
received=$data/received.txt
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "${rpid:-}" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

wait_for() { # wait_for FILE PATTERN: up to 5 s
  for _ in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

python3 "$dir/receiver.py" --port 0 >"$received" &
rpid=$!
wait_for "$received" "listening on" || { echo "alerts: receiver did not start" >&2; exit 1; }
rport=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$received")
echo "== webhook receiver on http://127.0.0.1:$rport/alert"

. "$top/examples/lib.sh"
start_daemon alerts
api CreateStream '{"StreamName":"cpu-metrics","ShardCount":1}'
api CreateStream '{"StreamName":"cpu-alert-rows","ShardCount":1}'

sed "s|http://127.0.0.1:8080/alert|http://127.0.0.1:$rport/alert|" "$dir/alerts.sql" > "$data/alerts.sql"
echo "== sluice submit alerts.sql (webhook -> the receiver)"
"$SLUICE" submit "$data/alerts.sql" --name cpu-alerts --start trim_horizon --endpoint "$endpoint"

echo "== putting 30 rounds of CPU samples from 4 hosts (gen.py --seed 7), 5 rounds every 0.5 s"
python3 "$dir/gen.py" --rounds 30 --seed 7 > "$data/cpu.jsonl"
split -l 20 "$data/cpu.jsonl" "$data/chunk."
for f in "$data"/chunk.*; do
  "$SLUICE" put cpu-metrics --endpoint "$endpoint" --key-field host < "$f" 2>/dev/null
  sleep 0.5
done
wait_for "$received" '"web-3"' || true
sleep 1   # anything else the policy let through would arrive by now
"$SLUICE" stop cpu-alerts --endpoint "$endpoint"

rows=$("$SLUICE" tail cpu-alert-rows --endpoint "$endpoint" | wc -l)
echo "== $rows alert rows (cpu-alert-rows, per host):"
"$SLUICE" tail cpu-alert-rows --endpoint "$endpoint" |
  sed -n 's/.*"HOST":"\([^"]*\)".*/\1/p' | sort | uniq -c
echo "== web-2 is above 80% at samples (it flaps: several episodes):"
"$SLUICE" tail cpu-alert-rows --endpoint "$endpoint" |
  sed -n 's/.*"HOST":"web-2","SEQ":\([0-9]*\).*/\1/p' | tr '\n' ' '; echo
echo "== alerts the webhook received (one per host):"
grep -v '^listening on' "$received" || echo "(none)"
echo "== done"
