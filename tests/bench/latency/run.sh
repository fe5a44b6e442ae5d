#!/usr/bin/env bash
# Alert latency (issue 6): put -> alert delivered to a local webhook, p50/p99 at RATE records/s.
#   tests/bench/latency/run.sh BUILD_DIR [SECONDS]      (default 60)
# Starts `sluice serve` on a temp data dir, creates a 1-shard stream, submits an application
# that sends every record (value >= 0) to a webhook output (batch 1) on alertbench's
# receiver, waits for RUNNING, then runs alertbench (PutRecord at RATE/s, latency =
# webhook receive time - the record's send time) and prints its table.
# Env: RATE (1000), TARGET_MS (20), WAIT_MS (2000), SHARDS (1), SLUICE (BUILD_DIR/sluice: another
# build of the daemon, e.g. an older commit, measured with this build's alertbench).
set -u
BUILD=${1:?usage: run.sh BUILD_DIR [SECONDS]}
BUILD=$(cd "$BUILD" && pwd)
SECS=${2:-60}
RATE=${RATE:-1000}
TARGET_MS=${TARGET_MS:-20}
WAIT_MS=${WAIT_MS:-2000}
SHARDS=${SHARDS:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
SLUICE=${SLUICE:-$BUILD/sluice}
BENCH=$BUILD/tests/bench/alertbench
TMP=$(mktemp -d /tmp/sluice-latency-XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$SLUICE" ] || { echo "no sluice binary at $SLUICE"; exit 1; }
if [ ! -x "$BENCH" ] || [ "$HERE/alertbench.c" -nt "$BENCH" ]; then
    echo "alertbench missing or stale in $BUILD: cmake --build $BUILD --target alertbench"; exit 1
fi

"$SLUICE" serve --port 0 --data "$TMP/data" 2>"$TMP/serve.log" &
PID=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$TMP/serve.log" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
done
PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$TMP/serve.log" | head -1)
[ -n "$PORT" ] || { echo "sluice serve did not start:"; tail -5 "$TMP/serve.log"; exit 1; }
EP=http://127.0.0.1:$PORT

api() {  # api OPERATION JSON
    curl -sS -f -X POST "$EP/" -H "X-Amz-Target: Kinesis_20131202.$1" \
         -H 'Content-Type: application/x-amz-json-1.1' -d "$2"
}
api CreateStream "{\"StreamName\":\"latency\",\"ShardCount\":$SHARDS}" >/dev/null || { echo "CreateStream failed"; exit 1; }
for _ in $(seq 1 100); do
    api DescribeStreamSummary '{"StreamName":"latency"}' 2>/dev/null | grep -q '"ACTIVE"' && break
    sleep 0.05
done

RECV=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/app.sql" <<SQL
CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'latency' FORMAT JSON (
    "id" BIGINT PATH '\$.id', "sent_us" BIGINT PATH '\$.sent_us', "value" BIGINT PATH '\$.value');
CREATE OR REPLACE STREAM "ALERT_STREAM" ("id" BIGINT, "sent_us" BIGINT, "value" BIGINT);
CREATE OR REPLACE PUMP "ALERT_PUMP" AS INSERT INTO "ALERT_STREAM"
SELECT STREAM "id", "sent_us", "value" FROM "SOURCE_SQL_STREAM_001" WHERE "value" >= 0;
CREATE OUTPUT "alerts" FOR "ALERT_STREAM" TO WEBHOOK 'http://127.0.0.1:$RECV/' FORMAT JSON
    WITH (batch = 1);
SQL
"$SLUICE" submit "$TMP/app.sql" --endpoint "$EP" --start now --name latency >"$TMP/submit.log" 2>&1 ||
    { echo "sluice submit failed:"; cat "$TMP/submit.log"; exit 1; }
for _ in $(seq 1 100); do
    "$SLUICE" apps --endpoint "$EP" 2>/dev/null | grep -w latency | grep -q RUNNING && break
    sleep 0.1
done
"$SLUICE" apps --endpoint "$EP" 2>/dev/null | grep -w latency | grep -q RUNNING ||
    { echo "application latency is not RUNNING:"; "$SLUICE" apps --endpoint "$EP"; tail -5 "$TMP/serve.log"; exit 1; }

echo "== put -> webhook alert: sluice serve on $EP ($(nproc) cores), $RATE records/s for ${SECS}s, 1 PutRecord connection, $SHARDS shard(s), webhook batch 1"
"$BENCH" --port "$PORT" --stream latency --recv-port "$RECV" --rate "$RATE" --seconds "$SECS" \
    --wait-ms "$WAIT_MS" --target-ms "$TARGET_MS"
rc=$?
"$SLUICE" stop latency --endpoint "$EP" >/dev/null 2>&1
kill "$PID"; wait "$PID" 2>/dev/null; PID=
exit $rc
