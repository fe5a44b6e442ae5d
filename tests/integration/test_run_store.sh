#!/usr/bin/env bash
# test_run_store.sh - `sluice run --data DIR` end to end on the embedded store:
#   records put through the Kinesis API are read back by a continuous query (a tumbling
#   window, closed by the idle clock), its Output is written to a store stream as CSV,
#   and LAST_STOPPED_POINT resumes after the checkpoint (a second run sees only new records).
# Needs $SLUICE.
set -u
: "${SLUICE:?set SLUICE to the sluice binary}"
SLUICE=$(cd "$(dirname "$SLUICE")" && pwd)/$(basename "$SLUICE")
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

serve() { # starts the server on the store, sets pid and endpoint
  "$SLUICE" serve --port 0 --data "$tmp/store" 2>"$tmp/serve.log" &
  pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$tmp/serve.log" 2>/dev/null && break; sleep 0.05; done
  endpoint=http://127.0.0.1:$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/serve.log")
}
stop() { kill "$pid" && wait "$pid" 2>/dev/null; pid=; }
api() {
  curl -sS -X POST "$endpoint/" -H "X-Amz-Target: Kinesis_20131202.$1" \
       -H 'Content-Type: application/x-amz-json-1.1' -d "$2" >/dev/null
}

serve
api CreateStream '{"StreamName":"ticks","ShardCount":2}'
api CreateStream '{"StreamName":"counts","ShardCount":1}'
printf '{"t":"A","v":1}\n{"t":"B","v":2}\n{"t":"A","v":3}\nnot json\n' |
  "$SLUICE" put ticks --endpoint "$endpoint" --partition-key k >/dev/null 2>&1 || fail "put"
stop

cat > "$tmp/app.sql" <<'SQL'
CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    t VARCHAR(4) PATH '$.t', v INTEGER PATH '$.v') STARTING AT LAST_STOPPED_POINT;
CREATE STREAM "C" (t VARCHAR(4), n BIGINT, s INTEGER);
CREATE PUMP "P" AS INSERT INTO "C"
SELECT STREAM t, COUNT(*), SUM(v) FROM "SOURCE_SQL_STREAM_001"
GROUP BY t, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' HOUR);
CREATE OUTPUT "o" FOR "C" TO STREAM 'counts' FORMAT CSV;
SQL
"$SLUICE" run "$tmp/app.sql" --data "$tmp/store" --idle-exit 300 >"$tmp/out1" 2>"$tmp/err1" || fail "first run"
grep -q '"ERROR_NAME":"DecodeError"' "$tmp/err1" || fail "the malformed record did not reach error_stream: $(cat "$tmp/err1")"
# A second run resumes after the checkpoint: nothing new, nothing out.
"$SLUICE" run "$tmp/app.sql" --data "$tmp/store" --idle-exit 300 >"$tmp/out2" 2>"$tmp/err2" || fail "second run"

serve
"$SLUICE" tail counts --endpoint "$endpoint" | sort >"$tmp/counts"
stop
printf 'A,2,4\nB,1,2\n' | diff - "$tmp/counts" || fail "counts stream: $(cat "$tmp/counts")"
[ -s "$tmp/err2" ] && fail "second run re-read records: $(cat "$tmp/err2")"

# A FILE output (delivered by runtime/sink) from a replay: CSV rows in the file, none on stdout.
cat > "$tmp/file.sql" <<SQL
CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (t VARCHAR(4) PATH '\$.t', v INTEGER PATH '\$.v');
CREATE STREAM "C" (t VARCHAR(4), v INTEGER);
CREATE PUMP "P" AS INSERT INTO "C" SELECT STREAM t, v * 10 FROM "SOURCE_SQL_STREAM_001";
CREATE OUTPUT "f" FOR "C" TO FILE '$tmp/rows.csv' FORMAT CSV;
SQL
printf '%s\n' '{"SequenceNumber":"1","ApproximateArrivalTimestamp":1714521600,"Data":"eyJ0IjoiQSIsInYiOjF9","PartitionKey":"k"}' \
  '{"SequenceNumber":"2","ApproximateArrivalTimestamp":1714521601.5,"Data":"eyJ0IjoiQiIsInYiOjJ9","PartitionKey":"k"}' >"$tmp/in.dump"
"$SLUICE" run "$tmp/file.sql" --replay "$tmp/in.dump" >"$tmp/file.out" 2>"$tmp/file.err" || fail "file output run: $(cat "$tmp/file.err")"
[ -s "$tmp/file.out" ] && fail "a FILE output printed rows on stdout"
grep -q '^A,10' "$tmp/rows.csv" && grep -q '^B,20' "$tmp/rows.csv" || fail "file output: $(cat "$tmp/rows.csv" 2>&1)"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "ok: sluice run --data: store input, idle windows, CSV output stream, LAST_STOPPED_POINT; FILE output"
