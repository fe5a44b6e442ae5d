#!/usr/bin/env bash
# The embedded-store demo: start `sluice serve` on a scratch data directory, create a stream
# through the Kinesis API, put records with `sluice put`, read them back with `sluice tail`,
# stop the server, then run a continuous query (a KDA tumbling-window application) over the
# records in the store with `sluice run`, and once more over a replay dump.
# Usage: examples/demo.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=${SLUICE:-$here/${1:-build}/sluice}
[ -x "$SLUICE" ] || { echo "demo: $SLUICE not found; build first" >&2; exit 1; }

data=$(mktemp -d)
log=$data/serve.log
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

. "$here/examples/lib.sh"
start_daemon demo
echo "   (data in $data/store)"

# Unlike lib.sh's api, which discards the answer, the demo shows what the API says.
show() { # show OPERATION JSON: one Kinesis API call with curl, as any SDK would make it
  curl -sS -X POST "$endpoint/" -H "X-Amz-Target: Kinesis_20131202.$1" \
       -H 'Content-Type: application/x-amz-json-1.1' -d "$2"
  echo
}

echo "== CreateStream ticks (2 shards)"
show CreateStream '{"StreamName":"ticks","ShardCount":2}'
show DescribeStreamSummary '{"StreamName":"ticks"}'

echo "== sluice put: 6 stock ticks, partition key = the ticker field"
cat <<'JSON' | "$SLUICE" put ticks --endpoint "$endpoint" --key-field ticker
{"ticker":"AMZN","price":181.20,"volume":300}
{"ticker":"MSFT","price":415.10,"volume":120}
{"ticker":"AMZN","price":181.35,"volume":200}
{"ticker":"AAPL","price":227.50,"volume":500}
{"ticker":"MSFT","price":414.90,"volume":80}
{"ticker":"AMZN","price":181.10,"volume":150}
JSON

echo "== sluice tail ticks (raw data, arrival order)"
"$SLUICE" tail ticks --endpoint "$endpoint"

echo "== sluice tail ticks --format kinesis (the replay dump format)"
"$SLUICE" tail ticks --endpoint "$endpoint" --format kinesis | head -3

echo "== ListShards"
show ListShards '{"StreamName":"ticks"}'

"$SLUICE" tail ticks --endpoint "$endpoint" --format kinesis > "$data/ticks.dump"
echo "== stop the server (the store stays on disk)"
kill "$pid" && wait "$pid" 2>/dev/null || true
pid=

cat > "$data/app.sql" <<'SQL'
-- A KDA application with its input declared in the file (the sluice extension).
CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    ticker VARCHAR(4) PATH '$.ticker', price DOUBLE PATH '$.price', volume BIGINT PATH '$.volume')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker VARCHAR(4), trades BIGINT, avg_price DOUBLE, volume BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, COUNT(*), AVG(price), SUM(volume)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
SQL
echo "== sluice check --explain: the operator DAG of a tumbling-window application"
"$SLUICE" check --explain "$data/app.sql"

echo "== sluice run over the store: 10-second windows per ticker (closed when the input idles)"
"$SLUICE" run "$data/app.sql" --data "$data/store" --idle-exit 1500

echo "== sluice run over the replay dump (deterministic)"
"$SLUICE" run "$data/app.sql" --replay "$data/ticks.dump"
echo "== done"
