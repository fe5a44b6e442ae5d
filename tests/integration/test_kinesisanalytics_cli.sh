#!/usr/bin/env bash
# The Kinesis Analytics API through the aws CLI (v1) against `sluice serve`, and the
# application commands (sluice submit / apps / describe / stop / delete). Main flow: streams,
# create-application from a KDA JSON file, start from TRIM_HORIZON, window rows in the
# destination stream, stop, delete; then a self-contained .sql file through sluice submit.
# Prints "N passed, N failed"; exits 1 on any failure. SLUICE = the binary.
set -u
SRC=${SLUICE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SLUICE=${SLUICE:-$SRC/build/sluice}
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
unset AWS_PROFILE
ACCOUNT=000000000000
[ -x "$SLUICE" ] || { echo "no sluice binary at $SLUICE"; echo "0 passed, 1 failed"; exit 1; }

TMP=$(mktemp -d /tmp/sluice-kacli-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
EP=http://127.0.0.1:$PORT
PID=
PASS=0
FAIL=0

cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

start_server() {
    : >"$TMP/server.log"
    "$SLUICE" serve --port "$PORT" --data "$TMP/data" --fsync never 2>>"$TMP/server.log" &
    PID=$!
    for _ in $(seq 1 150); do
        grep -q "listening on" "$TMP/server.log" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start:"; tail -20 "$TMP/server.log"
    echo "0 passed, 1 failed"
    exit 1
}

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "     $l"; done; }

# ka ARGS... / k ARGS... : aws kinesisanalytics|kinesis ARGS, stdout -> $TMP/out, stderr -> $TMP/err
ka() { aws kinesisanalytics "$@" --endpoint-url "$EP" --output json >"$TMP/out" 2>"$TMP/err"; }
k() { aws kinesis "$@" --endpoint-url "$EP" --output json >"$TMP/out" 2>"$TMP/err"; }
sl() { "$SLUICE" "$@" --endpoint "$EP" >"$TMP/out" 2>"$TMP/err"; }

step() {
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name" "command: $*" "stdout: $(head -c 400 "$TMP/out")" \
        "stderr: $(head -c 400 "$TMP/err")"; fi
}

fails_with() {
    local name=$1 code=$2 text=$3; shift 3
    if ka "$@"; then bad "$name" "succeeded: $(head -c 300 "$TMP/out")"; return; fi
    if grep -qF "An error occurred ($code)" "$TMP/err" && grep -qF -- "$text" "$TMP/err"; then
        ok "$name"
    else
        bad "$name" "want ($code) ... $text" "got: $(head -c 400 "$TMP/err")"
    fi
}

jqt() { jq -e "$@" "$TMP/out" >/dev/null; }

# sum_ticks STREAM: the sum of the TICKS column over every record of the stream's shards
sum_ticks() {
    local total=0 sh it
    for sh in $(aws kinesis list-shards --stream-name "$1" --endpoint-url "$EP" --output json |
                jq -r '.Shards[].ShardId'); do
        it=$(aws kinesis get-shard-iterator --stream-name "$1" --shard-id "$sh" \
             --shard-iterator-type TRIM_HORIZON --endpoint-url "$EP" --output json | jq -r .ShardIterator)
        n=$(aws kinesis get-records --shard-iterator "$it" --endpoint-url "$EP" --output json |
            jq '[.Records[].Data | @base64d | fromjson | with_entries(.key |= ascii_upcase) | .TICKS] | add // 0')
        total=$((total + n))
    done
    echo "$total"
}

# wait_ticks STREAM N: until the window rows count N records (30 s)
wait_ticks() {
    local got deadline=$((SECONDS + 30))
    while [ $SECONDS -lt $deadline ]; do
        got=$(sum_ticks "$1")
        [ "$got" = "$2" ] && return 0
        sleep 0.5
    done
    echo "counted $got of $2 records" >"$TMP/err"
    return 1
}

put_ticks() {   # put_ticks STREAM N (the CLI base64-encodes Data of --cli-input-json itself)
    python3 - "$1" "$2" >"$TMP/put.json" <<'PY'
import json, sys
recs = [{"Data": json.dumps({"ticker_symbol": "T%d" % (i % 3), "price": 2.5}), "PartitionKey": "p%d" % i}
        for i in range(int(sys.argv[2]))]
print(json.dumps({"StreamName": sys.argv[1], "Records": recs}))
PY
    k put-records --cli-input-json "file://$TMP/put.json" && jqt '.FailedRecordCount == 0'
}

start_server

step "create streams" eval 'k create-stream --stream-name ticks --shard-count 1 &&
    k create-stream --stream-name ticks-out --shard-count 1 && k create-stream --stream-name ticks-out2 --shard-count 1'
step "put 12 records" put_ticks ticks 12

cat >"$TMP/app.json" <<EOF
{
  "ApplicationName": "cli-app",
  "ApplicationCode": "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (ticker_symbol VARCHAR(4), ticks INTEGER);\nCREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\nSELECT STREAM ticker_symbol, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\"\nGROUP BY ticker_symbol, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '2' SECOND);",
  "Inputs": [{"NamePrefix": "SOURCE_SQL_STREAM",
    "KinesisStreamsInput": {"ResourceARN": "arn:aws:kinesis:us-east-1:$ACCOUNT:stream/ticks", "RoleARN": "arn:aws:iam::$ACCOUNT:role/kda"},
    "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON", "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "\$"}}},
      "RecordColumns": [{"Name": "TICKER_SYMBOL", "SqlType": "VARCHAR(4)", "Mapping": "\$.ticker_symbol"},
                        {"Name": "PRICE", "SqlType": "REAL", "Mapping": "\$.price"}]}}],
  "Outputs": [{"Name": "DESTINATION_SQL_STREAM",
    "KinesisStreamsOutput": {"ResourceARN": "arn:aws:kinesis:us-east-1:$ACCOUNT:stream/ticks-out", "RoleARN": "arn:aws:iam::$ACCOUNT:role/kda"},
    "DestinationSchema": {"RecordFormatType": "JSON"}}]
}
EOF

step "create-application" eval 'ka create-application --cli-input-json "file://$TMP/app.json" &&
    jqt ".ApplicationSummary.ApplicationStatus == \"READY\""'
step "describe-application" eval 'ka describe-application --application-name cli-app &&
    jqt ".ApplicationDetail.ApplicationVersionId == 1 and .ApplicationDetail.InputDescriptions[0].InputId == \"1.1\""'
step "list-applications" eval 'ka list-applications && jqt "[.ApplicationSummaries[].ApplicationName] == [\"cli-app\"]"'
fails_with "create twice" ResourceInUseException "already exists" create-application --cli-input-json "file://$TMP/app.json"
fails_with "invalid SQL" CodeValidationException "line 1, column" create-application --application-name bad \
    --application-code 'CREATE STREAM x (a INTEGER;'
step "start-application TRIM_HORIZON" ka start-application --application-name cli-app \
    --input-configurations 'Id=1.1,InputStartingPositionConfiguration={InputStartingPosition=TRIM_HORIZON}'
step "status RUNNING" eval 'ka describe-application --application-name cli-app && jqt ".ApplicationDetail.ApplicationStatus == \"RUNNING\""'
step "window rows count 12 records" wait_ticks ticks-out 12
cat >"$TMP/out2.json" <<EOF
{"ApplicationName": "cli-app", "CurrentApplicationVersionId": 1,
 "Output": {"Name": "DESTINATION_SQL_STREAM",
   "KinesisStreamsOutput": {"ResourceARN": "arn:aws:kinesis:us-east-1:$ACCOUNT:stream/ticks-out2", "RoleARN": "arn:aws:iam::$ACCOUNT:role/kda"},
   "DestinationSchema": {"RecordFormatType": "JSON"}}}
EOF
step "add-application-output (2.1)" eval 'ka add-application-output --cli-input-json "file://$TMP/out2.json" &&
    ka describe-application --application-name cli-app &&
    jqt "[.ApplicationDetail.OutputDescriptions[].OutputId] == [\"1.1\",\"2.1\"] and .ApplicationDetail.ApplicationVersionId == 2 and .ApplicationDetail.ApplicationStatus == \"RUNNING\""'
fails_with "stale version" ConcurrentModificationException "version" update-application --application-name cli-app \
    --current-application-version-id 1 --application-update 'ApplicationCodeUpdate=-- nothing'
step "stop-application" eval 'ka stop-application --application-name cli-app &&
    ka describe-application --application-name cli-app && jqt ".ApplicationDetail.ApplicationStatus == \"READY\""'
step "put 6 more, start from LAST_STOPPED_POINT" eval 'put_ticks ticks 6 && ka start-application --application-name cli-app \
    --input-configurations "Id=1.1,InputStartingPositionConfiguration={InputStartingPosition=LAST_STOPPED_POINT}"'
step "window rows count 18 records" wait_ticks ticks-out 18
step "second output got the 6 new ones" wait_ticks ticks-out2 6
step "sluice apps" eval 'sl apps && grep -q "^cli-app  *RUNNING" "$TMP/out"'
step "sluice describe" eval 'sl describe cli-app && jqt ".ApplicationStatus == \"RUNNING\" and .ApplicationVersionId == 2"'
step "sluice stop" eval 'sl stop cli-app && ka describe-application --application-name cli-app && jqt ".ApplicationDetail.ApplicationStatus == \"READY\""'
step "delete-application" eval 'ka describe-application --application-name cli-app &&
    ts=$(jq -r .ApplicationDetail.CreateTimestamp "$TMP/out") &&
    ka delete-application --application-name cli-app --create-timestamp "$ts" &&
    ka list-applications && jqt ".ApplicationSummaries == []"'
fails_with "describe deleted" ResourceNotFoundException "cli-app" describe-application --application-name cli-app

# A self-contained .sql file through sluice submit.
cat >"$TMP/counts.sql" <<'EOF'
CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks'
    FORMAT JSON (ticker_symbol VARCHAR(4) PATH '$.ticker_symbol', price REAL PATH '$.price');
CREATE OUTPUT "o" FOR "DESTINATION_SQL_STREAM" TO STREAM 'sql-out' FORMAT JSON;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticks INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);
EOF
step "create sql-out" k create-stream --stream-name sql-out --shard-count 1
step "sluice submit counts.sql --start trim_horizon" eval 'sl submit "$TMP/counts.sql" --start trim_horizon && grep -q "counts: RUNNING" "$TMP/out"'
step "its window rows count all 18 records" wait_ticks sql-out 18
step "sluice apps lists counts" eval 'sl apps && grep -q "^counts  *RUNNING" "$TMP/out"'
printf 'CREATE STREAM "S" (a INTEGER);\nCREATE PUMP "P" AS INSERT INTO "S" SELECT STREAM b FROM "S";\n' >"$TMP/bad.sql"
step "sluice submit of bad SQL: CodeValidationException at line:col" eval '! sl submit "$TMP/bad.sql" --name bad && grep -q "CodeValidationException: .*line 2, column 50" "$TMP/err"'
step "sluice delete" eval 'sl delete counts && sl apps && ! grep -q counts "$TMP/out"'

kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
RC=$?
PID=
if [ "$RC" -eq 0 ] && ! grep -qE "Sanitizer|runtime error:" "$TMP/server.log"; then ok "daemon exits cleanly"
else bad "daemon exits cleanly" "exit status $RC" "$(grep -E -m5 "Sanitizer|runtime error:" "$TMP/server.log")"; fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
