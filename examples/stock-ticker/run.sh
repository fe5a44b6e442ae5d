#!/usr/bin/env bash
# KDA's stock ticker analytics on a sluice daemon: start `sluice serve` on a free port with a
# scratch data directory, create the input and three destination streams (Kinesis API, curl),
# submit ticker.sql (`sluice submit`), put ~10 s of generated ticks (`sluice put`), stop the
# application and read each destination stream back with `sluice tail`.
# Usage: examples/stock-ticker/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
SLUICE=${SLUICE:-$top/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "stock-ticker: $SLUICE not found; build first" >&2; exit 1; }
COUNT=${COUNT:-400} RATE=${RATE:-40}

data=$(mktemp -d)
log=$data/serve.log
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

"$SLUICE" serve --port 0 --data "$data/store" 2>"$log" &
pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$log" 2>/dev/null && break
  sleep 0.05
done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log")
[ -n "$port" ] || { echo "stock-ticker: server did not start:" >&2; cat "$log" >&2; exit 1; }
endpoint=http://127.0.0.1:$port
echo "== sluice serve is up on $endpoint"

api() { # api OPERATION JSON: one Kinesis API call
  curl -sS -f -X POST "$endpoint/" -H "X-Amz-Target: Kinesis_20131202.$1" \
       -H 'Content-Type: application/x-amz-json-1.1' -d "$2" >/dev/null
}
for s in ticks ticker-windows ticker-averages ticker-changes; do
  api CreateStream "{\"StreamName\":\"$s\",\"ShardCount\":1}"
done
echo "== streams: ticks -> ticker-windows, ticker-averages, ticker-changes"

echo "== sluice submit ticker.sql"
"$SLUICE" submit "$dir/ticker.sql" --name stock-ticker --start trim_horizon --endpoint "$endpoint"
"$SLUICE" apps --endpoint "$endpoint"

# ROWTIME is arrival time, so the ticks must arrive over time: one `sluice put` per second of
# the generated series (gen.py --rate would pace them too, but put sends what it reads in one go).
echo "== putting $COUNT ticks, $RATE a second (gen.py --seed 42)"
python3 "$dir/gen.py" --count "$COUNT" --seed 42 > "$data/ticks.jsonl"
split -l "$RATE" "$data/ticks.jsonl" "$data/second."
for f in "$data"/second.*; do
  "$SLUICE" put ticks --endpoint "$endpoint" --key-field TICKER_SYMBOL < "$f" 2>/dev/null
  sleep 1
done
sleep 2.5   # the input idles: the engine's clock closes the last 10-second window
"$SLUICE" stop stock-ticker --endpoint "$endpoint"

echo "== ticker-windows: tumbling 10-second windows per ticker (COUNT, AVG, MIN, MAX)"
"$SLUICE" tail ticker-windows --endpoint "$endpoint"
echo "== ticker-averages: sliding 1-minute average per ticker (last 5 of $COUNT rows)"
"$SLUICE" tail ticker-averages --endpoint "$endpoint" | tail -n 5
echo "== ticker-changes: moves of more than 4%"
"$SLUICE" tail ticker-changes --endpoint "$endpoint"
echo "== done"
