#!/usr/bin/env bash
# Memory check: a long replay at a steady rate through the tumbling and the sliding app,
# sampling sluice's RSS (VmRSS) with its progress (output rows so far), to show that the
# state stays bounded by the window: RSS after the first window vs at the end.
#   tests/bench/query/rss.sh BUILD_DIR [MINUTES]
# MINUTES of ROWTIME (default 10) at RATE events/s (default 2,000: 1.2 M events); the replay
# itself runs as fast as sluice goes. Env: RATE, INTERVAL_MS (sampling period, default 100),
# APPS ("tumbling sliding"), DATA_DIR (~/.cache/sluice-bench/query-data), KEEP=1 (keep the
# samples, one CSV per app: ms,rss_kb,rows).
# Exit status: 0; 1 if sluice run fails; 3 if the RSS grew (see rss.js for the rule).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: rss.sh BUILD_DIR [MINUTES]}
BUILD=$(cd "$BUILD" && pwd)
MINUTES=${2:-10}
RATE=${RATE:-2000}
INTERVAL_MS=${INTERVAL_MS:-100}
APPS=${APPS:-tumbling sliding}
DATA=${DATA_DIR:-$HOME/.cache/sluice-bench/query-data}
EVENTS=$((MINUTES * 60 * RATE))
TMP=$(mktemp -d /tmp/sluice-qrss-XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "samples kept in $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT

[ -x "$BUILD/sluice" ] || { echo "no sluice binary at $BUILD/sluice"; exit 1; }
. "$HERE/lib.sh"
if ! qb_have_run; then
    echo "sluice run not available (this sluice has no 'run' command)"
    exit 0
fi
qb_data "$EVENTS" "$RATE" || exit 1
cat "$DUMP" >/dev/null
echo "== $EVENTS events: $MINUTES min of ROWTIME at $RATE/s, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ) =="
rc=0
for app in $APPS; do
    # "After the first window": the first tumbling row closes it; a sliding window is full
    # once 10 s of rows have gone through.
    case $app in tumbling) first=1 ;; *) first=$((10 * RATE)) ;; esac
    echo "-- $app.sql"
    node "$HERE/rss.js" "$INTERVAL_MS" "$first" "$TMP/$app.csv" "$TMP/$app.out" -- \
        "$BUILD/sluice" run "$HERE/$app.sql" --replay "$DUMP"
    r=$?
    [ $r -gt $rc ] && rc=$r
done
exit $rc
