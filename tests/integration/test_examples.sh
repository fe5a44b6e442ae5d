#!/usr/bin/env bash
# test_examples.sh - runs examples/stock-ticker/run.sh, examples/alerts/run.sh and
# examples/weblogs/run.sh (in parallel: free ports, scratch directories), then
# examples/anomaly/run.sh and examples/hotspots/run.sh (replays, under a second each), and
# checks their key output lines, so the examples cannot rot. ~25 s. Needs $SLUICE (or a
# build directory as $1).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
SLUICE=${SLUICE:-$here/${1:-build}/sluice}
SLUICE=$(cd "$(dirname "$SLUICE")" && pwd)/$(basename "$SLUICE")
export SLUICE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
section() { # section FILE HEADER: the lines after the "== HEADER..." line up to the next "=="
  awk -v h="== $2" 'index($0, h) == 1 { on = 1; next } /^== / { on = 0 } on' "$1"
}

bash "$here/examples/stock-ticker/run.sh" >"$tmp/ticker.out" 2>&1 &
tpid=$!
bash "$here/examples/alerts/run.sh" >"$tmp/alerts.out" 2>&1 &
apid=$!
bash "$here/examples/weblogs/run.sh" >"$tmp/weblogs.out" 2>&1 &
wpid=$!
bash "$here/examples/anomaly/run.sh" >"$tmp/anomaly.out" 2>&1 || fail "anomaly/run.sh exited $?"
bash "$here/examples/hotspots/run.sh" >"$tmp/hotspots.out" 2>&1 || fail "hotspots/run.sh exited $?"
wait "$tpid" || fail "stock-ticker/run.sh exited $?"
wait "$apid" || fail "alerts/run.sh exited $?"
wait "$wpid" || fail "weblogs/run.sh exited $?"

# stock-ticker: every tick in some 10-second window; 5 tickers; the sliding averages; the
# 10 big moves of seed 42, in order.
t=$tmp/ticker.out
grep -qx '== done' "$t" || fail "stock-ticker did not finish"
section "$t" "ticker-windows" >"$tmp/windows"
n=$(grep -c '"TRADES"' "$tmp/windows")
sum=$(sed -n 's/.*"TRADES":\([0-9]*\).*/\1/p' "$tmp/windows" | awk '{ s += $1 } END { print s + 0 }')
[ "$sum" = 400 ] || fail "stock-ticker: windows count $sum ticks, want 400"
[ "$n" -ge 5 ] && [ "$n" -le 15 ] || fail "stock-ticker: $n window rows, want 5-15"
[ "$(sed -n 's/.*"TICKER_SYMBOL":"\([A-Z]*\)".*/\1/p' "$tmp/windows" | sort -u | tr '\n' ' ')" = "AAPL AMZN JPM MSFT XOM " ] ||
  fail "stock-ticker: window tickers"
[ "$(section "$t" "ticker-averages" | grep -c '"AVG_PRICE_1M"')" = 5 ] || fail "stock-ticker: sliding averages"
section "$t" "ticker-changes" >"$tmp/changes"
[ "$(wc -l <"$tmp/changes")" = 10 ] || fail "stock-ticker: $(wc -l <"$tmp/changes") big changes, want 10"
head -1 "$tmp/changes" | grep -q '"TICKER_SYMBOL":"MSFT","SECTOR":"TECHNOLOGY","CHANGE":-8.49,"PRICE":379.76' ||
  fail "stock-ticker: first big change: $(head -1 "$tmp/changes")"

# alerts: 35 alert rows (web-2 flapping: 18, web-3: 17), one webhook alert per host.
a=$tmp/alerts.out
grep -qx '== done' "$a" || fail "alerts did not finish"
grep -q '^== 35 alert rows' "$a" || fail "alerts: alert rows: $(grep '^== .*alert rows' "$a")"
grep -q '^0 1 2 3 4 5 10 11 12 13 18 19 20 21 26 27 28 29 $' "$a" || fail "alerts: web-2 episodes"
section "$a" "alerts the webhook received" >"$tmp/received"
[ "$(wc -l <"$tmp/received")" = 2 ] || fail "alerts: $(wc -l <"$tmp/received") alerts received, want 2"
grep -q '^{"HOST":"web-2","SEQ":0,' "$tmp/received" || fail "alerts: no web-2 alert"
grep -q '^{"HOST":"web-3","SEQ":13,' "$tmp/received" || fail "alerts: no web-3 alert"

# anomaly: exactly the four planted incident rows alert (the forest's seed is fixed), each
# blamed on the column that moved: the latency spike at 2440, the error burst at 2740-2742.
n=$tmp/anomaly.out
grep -qx '== done' "$n" || fail "anomaly did not finish"
section "$n" "per alert" | sed 's/ score [0-9.]*//' >"$tmp/alerts"
printf '%s\n' "seq 2440 LATENCY_MS HIGH" "seq 2740 ERRORS HIGH" "seq 2741 ERRORS HIGH" \
  "seq 2742 ERRORS HIGH" | cmp -s - "$tmp/alerts" || fail "anomaly: alerts $(tr '\n' ';' <"$tmp/alerts")"
section "$n" "per alert" | awk '$4 < 3.5 { bad = 1 } END { exit bad }' || fail "anomaly: an alert scores below 3.5"

# hotspots: when the square has stayed put for 1000 points, one hotspot (density >= 40)
# whose box is the planted square's (within the scan radius and the points' spread).
h=$tmp/hotspots.out
grep -qx '== done' "$h" || fail "hotspots did not finish"
grep -qx 'seq  999: density 150 x 1.94-3.29 y 1.98-3.06' "$h" || fail "hotspots: $(grep 'seq  999' "$h")"
grep -qx 'seq 1999: density 99 x 5.71-7.00 y 4.41-6.16' "$h" || fail "hotspots: $(grep 'seq 1999' "$h")"
grep -qx 'seq 2999: density 126 x 3.91-5.24 y 7.98-9.25' "$h" || fail "hotspots: $(grep 'seq 2999' "$h")"
[ "$(grep -c '^seq ' "$h")" = 12 ] || fail "hotspots: $(grep -c '^seq ' "$h") report rows, want 12"

# weblogs: the 300 live lines all counted; the replay's counts per window and status equal
# a Python recount of the same lines (1198 of 1200 parse); one 5xx burst, 20-30 s, 98 errors.
w=$tmp/weblogs.out
grep -qx '== done' "$w" || fail "weblogs did not finish"
live=$(section "$w" "live weblog-status-counts" | sed -n 's/.*"REQUESTS":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
[ "$live" = 300 ] || fail "weblogs: live windows count $live requests, want 300"
grep -qx 'requests: sluice 1198, recount 1198; windows x statuses: equal' "$w" ||
  fail "weblogs: replay recount: $(grep '^requests:' "$w")"
section "$w" "replay: ERROR_BURSTS" >"$tmp/bursts"
[ "$(wc -l <"$tmp/bursts")" = 1 ] || fail "weblogs: $(wc -l <"$tmp/bursts") bursts, want 1"
grep -q '"WINDOW_END":"2024-05-01 00:00:30","ERRORS_5XX":98,"REQUESTS":200,"ERROR_PCT":49.0' "$tmp/bursts" ||
  fail "weblogs: burst: $(cat "$tmp/bursts")"

if [ "$fails" -ne 0 ]; then
  echo "--- stock-ticker output"; cat "$t"; echo "--- alerts output"; cat "$a"
  echo "--- anomaly output"; cat "$n"; echo "--- hotspots output"; cat "$h"
  echo "--- weblogs output"; cat "$w"
  echo "test_examples: $fails failure(s)"; exit 1
fi
echo "test_examples: ok"
