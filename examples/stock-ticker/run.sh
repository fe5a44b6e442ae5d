#!/usr/bin/env bash
# KDA's stock ticker analytics on a sluice daemon: start `sluice serve` on a free port with a
# scratch data directory, create the input and three destination streams (Kinesis API, curl),
# submit ticker.sql (`sluice submit`), put 6 s of generated ticks (`sluice put`), stop the
# application and read each destination stream back with `sluice tail`.
# Usage: examples/stock-ticker/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
SLUICE=${SLUICE:-$top/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "stock-ticker: $SLUICE not found; build first" >&2; exit 1; }

data=$(mktemp -d)
log=$data/serve.log
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

. "$top/examples/lib.sh"
start_daemon stock-ticker
for s in ticks ticker-windows ticker-averages ticker-changes; do
  api CreateStream "{\"StreamName\":\"$s\",\"ShardCount\":1}"
done
echo "== streams: ticks -> ticker-windows, ticker-averages, ticker-changes"

echo "== sluice submit ticker.sql"
"$SLUICE" submit "$dir/ticker.sql" --name stock-ticker --start trim_horizon --endpoint "$endpoint"
"$SLUICE" apps --endpoint "$endpoint"

# ROWTIME is arrival time, so the ticks must arrive over time: one `sluice put` per second of
# the generated series (put sends what it reads in one go). Start 3 s before a 10-second
# boundary so the 6 seconds of input fill two windows, and wait until the second one has
# closed (the engine's clock: bound = now - 1 s) before stopping the application.
COUNT=${COUNT:-400} SECONDS_OF_INPUT=6
python3 "$dir/gen.py" --count "$COUNT" --seed 42 > "$data/ticks.jsonl"
split -l $(( (COUNT + SECONDS_OF_INPUT - 1) / SECONDS_OF_INPUT )) "$data/ticks.jsonl" "$data/second."
sleep_until() { # sleep_until OFFSET: until the wall clock is OFFSET s past a 10-second boundary
  python3 -c 'import sys,time; t=time.time(); time.sleep((float(sys.argv[1]) - t) % 10)' "$1"
}
sleep_until 7
echo "== putting $COUNT ticks over $SECONDS_OF_INPUT s (gen.py --seed 42), from $(date -u +%T)"
for f in "$data"/second.*; do
  "$SLUICE" put ticks --endpoint "$endpoint" --key-field TICKER_SYMBOL < "$f" 2>/dev/null
  sleep 1
done
sleep_until 1.5   # the second window ends at the boundary; the clock closes it 1 s later
"$SLUICE" stop stock-ticker --endpoint "$endpoint"

echo "== ticker-windows: tumbling 10-second windows per ticker (COUNT, AVG, MIN, MAX)"
"$SLUICE" tail ticker-windows --endpoint "$endpoint"
echo "== ticker-averages: sliding 1-minute average per ticker (last 5 of $COUNT rows)"
"$SLUICE" tail ticker-averages --endpoint "$endpoint" | tail -n 5
echo "== ticker-changes: moves of more than 4%"
"$SLUICE" tail ticker-changes --endpoint "$endpoint"
echo "== done"
