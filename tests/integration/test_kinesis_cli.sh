#!/usr/bin/env bash
# The Kinesis API through the aws CLI (v1) against `sluice serve`, plus `sluice put` and
# `sluice tail` round trips. Prints "N passed, N failed"; exits 1 on any failure.
# SLUICE = the binary. SLUICE_TEST_PEER=kinesalite|moto checks the CLI part against a peer.
set -u
SRC=${SLUICE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SLUICE=${SLUICE:-$SRC/build/sluice}
PEER=${SLUICE_TEST_PEER:-}
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
unset AWS_PROFILE
ACCOUNT=000000000000

TMP=$(mktemp -d /tmp/sluice-cli-XXXXXX)
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
    case "$PEER" in
    kinesalite)
        node "${KINESALITE_DIR:-$HOME/.cache/sluice-bench}/node_modules/kinesalite/cli.js" --port "$PORT" \
            --createStreamMs 0 --deleteStreamMs 0 --updateStreamMs 0 2>"$TMP/server.log" &
        ;;
    moto) moto_server -H 127.0.0.1 -p "$PORT" 2>"$TMP/server.log" & ;;
    *)
        [ -x "$SLUICE" ] || { echo "no sluice binary at $SLUICE"; echo "0 passed, 1 failed"; exit 1; }
        "$SLUICE" serve --port "$PORT" --data "$TMP/data" 2>"$TMP/server.log" &
        ;;
    esac
    PID=$!
    for _ in $(seq 1 150); do
        if [ -z "$PEER" ]; then
            grep -q "listening on" "$TMP/server.log" && return 0
        elif (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
            return 0
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start:"; tail -20 "$TMP/server.log"
    echo "0 passed, 1 failed"
    exit 1
}

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "     $l"; done; }

# k ARGS... : runs aws kinesis ARGS, stdout -> $TMP/out, stderr -> $TMP/err, returns aws's status
k() { aws kinesis "$@" --endpoint-url "$EP" --output json >"$TMP/out" 2>"$TMP/err"; }

# step NAME CMD... : CMD must succeed
step() {
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name" "command: $*" "stdout: $(head -c 400 "$TMP/out")" \
        "stderr: $(head -c 400 "$TMP/err")"; fi
}

# fails_with NAME CODE TEXT ARGS... : aws kinesis ARGS must fail with (CODE) and TEXT on stderr
fails_with() {
    local name=$1 code=$2 text=$3; shift 3
    if k "$@"; then bad "$name" "succeeded: $(head -c 300 "$TMP/out")"; return; fi
    if grep -qF "An error occurred ($code)" "$TMP/err" && grep -qF -- "$text" "$TMP/err"; then
        ok "$name"
    else
        bad "$name" "want ($code) ... $text" "got: $(head -c 400 "$TMP/err")"
    fi
}

jqt() { jq -e "$@" "$TMP/out" >/dev/null; }   # assert a jq expression on the last output

start_server
S=cli-stream

step "create-stream" k create-stream --stream-name $S --shard-count 2
step "wait stream-exists" k wait stream-exists --stream-name $S
step "describe-stream" eval 'k describe-stream --stream-name $S && jqt ".StreamDescription.StreamStatus == \"ACTIVE\" and (.StreamDescription.Shards | length) == 2 and .StreamDescription.StreamARN == \"arn:aws:kinesis:us-east-1:$ACCOUNT:stream/$S\""'
step "describe-stream-summary" eval 'k describe-stream-summary --stream-name $S && jqt ".StreamDescriptionSummary.OpenShardCount == 2"'
step "list-streams" eval 'k list-streams && jqt ".StreamNames | index(\"$S\") != null"'
step "list-shards" eval 'k list-shards --stream-name $S && jqt "[.Shards[].ShardId] == [\"shardId-000000000000\",\"shardId-000000000001\"]"'

# put-record: CLI v1 sends --data as raw bytes
step "put-record" eval 'k put-record --stream-name $S --partition-key p --data "hello world" --explicit-hash-key 0 && jqt ".ShardId == \"shardId-000000000000\" and (.SequenceNumber | test(\"^[0-9]+$\"))"'
SEQ1=$(jq -r .SequenceNumber "$TMP/out" 2>/dev/null)
step "put-records" eval 'k put-records --stream-name $S --records Data=second,PartitionKey=p,ExplicitHashKey=1 Data=third,PartitionKey=q,ExplicitHashKey=2 && jqt ".FailedRecordCount == 0 and (.Records | length) == 2 and ([.Records[].ShardId] | unique) == [\"shardId-000000000000\"]"'
SEQ3=$(jq -r '.Records[1].SequenceNumber' "$TMP/out" 2>/dev/null)
step "get-shard-iterator TRIM_HORIZON" k get-shard-iterator --stream-name $S --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON
IT=$(jq -r .ShardIterator "$TMP/out" 2>/dev/null)
step "get-records" eval 'k get-records --shard-iterator "$IT" && jqt "[.Records[].Data | @base64d] == [\"hello world\",\"second\",\"third\"] and .Records[0].SequenceNumber == \"$SEQ1\" and (.NextShardIterator | length) > 0 and .MillisBehindLatest == 0"'
step "get-shard-iterator AFTER_SEQUENCE_NUMBER" eval 'k get-shard-iterator --stream-name $S --shard-id shardId-000000000000 --shard-iterator-type AFTER_SEQUENCE_NUMBER --starting-sequence-number "$SEQ1" && IT=$(jq -r .ShardIterator "$TMP/out") && k get-records --shard-iterator "$IT" --limit 1 && jqt "[.Records[].Data | @base64d] == [\"second\"]"'
step "get-records to the end" eval 'k get-shard-iterator --stream-name $S --shard-id shardId-000000000000 --shard-iterator-type AT_SEQUENCE_NUMBER --starting-sequence-number "$SEQ3" && IT=$(jq -r .ShardIterator "$TMP/out") && k get-records --shard-iterator "$IT" && jqt "[.Records[].SequenceNumber] == [\"$SEQ3\"]"'

# tags and retention
step "add-tags-to-stream" k add-tags-to-stream --stream-name $S --tags team=data,env=test
step "list-tags-for-stream" eval 'k list-tags-for-stream --stream-name $S && jqt ".Tags == [{\"Key\":\"env\",\"Value\":\"test\"},{\"Key\":\"team\",\"Value\":\"data\"}] and .HasMoreTags == false"'
step "remove-tags-from-stream" eval 'k remove-tags-from-stream --stream-name $S --tag-keys env && k list-tags-for-stream --stream-name $S && jqt "[.Tags[].Key] == [\"team\"]"'
step "increase-stream-retention-period" eval 'k increase-stream-retention-period --stream-name $S --retention-period-hours 72 && k describe-stream-summary --stream-name $S && jqt ".StreamDescriptionSummary.RetentionPeriodHours == 72"'
step "decrease-stream-retention-period" eval 'k decrease-stream-retention-period --stream-name $S --retention-period-hours 48 && k describe-stream --stream-name $S && jqt ".StreamDescription.RetentionPeriodHours == 48"'

# resharding
step "split-shard" eval 'k split-shard --stream-name $S --shard-to-split shardId-000000000000 --new-starting-hash-key 85070591730234615865843651857942052864 && k wait stream-exists --stream-name $S'
step "list-shards after split" eval 'k list-shards --stream-name $S && jqt "(.Shards | length) == 4 and ([.Shards[] | select(.ParentShardId == \"shardId-000000000000\")] | length) == 2 and (.Shards[0].SequenceNumberRange.EndingSequenceNumber | length) > 0"'
step "merge-shards" eval 'k merge-shards --stream-name $S --shard-to-merge shardId-000000000002 --adjacent-shard-to-merge shardId-000000000003 && k wait stream-exists --stream-name $S'
step "describe-stream after merge" eval 'k describe-stream --stream-name $S && jqt "(.StreamDescription.Shards | map(select(.ShardId == \"shardId-000000000004\"))[0] | .ParentShardId == \"shardId-000000000002\" and .AdjacentParentShardId == \"shardId-000000000003\")"'
step "list-shards --filter AT_LATEST" eval 'k list-shards --stream-name $S --shard-filter Type=AT_LATEST && jqt "[.Shards[].ShardId] == [\"shardId-000000000001\",\"shardId-000000000004\"]"'
step "parent still readable" eval 'k get-shard-iterator --stream-name $S --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON && IT=$(jq -r .ShardIterator "$TMP/out") && k get-records --shard-iterator "$IT" && jqt "(.Records | length) == 3"'

# errors on stderr
fails_with "describe missing stream" ResourceNotFoundException \
    "Stream nosuch under account $ACCOUNT not found." describe-stream --stream-name nosuch
fails_with "create existing stream" ResourceInUseException \
    "Stream $S under account $ACCOUNT already exists." create-stream --stream-name $S --shard-count 1
fails_with "bad stream name" ValidationException \
    "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" describe-stream --stream-name 'bad/name'
fails_with "iterator without sequence number" InvalidArgumentException \
    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER" \
    get-shard-iterator --stream-name $S --shard-id shardId-000000000001 --shard-iterator-type AT_SEQUENCE_NUMBER
fails_with "retention below minimum" InvalidArgumentException \
    "Minimum allowed retention period is 24 hours." decrease-stream-retention-period --stream-name $S --retention-period-hours 1
fails_with "merge closed shard" InvalidArgumentException "shardId-000000000000" \
    merge-shards --stream-name $S --shard-to-merge shardId-000000000000 --adjacent-shard-to-merge shardId-000000000001
k create-stream --stream-name cli-three --shard-count 3
fails_with "merge non-adjacent" InvalidArgumentException \
    "Shards shardId-000000000000 and shardId-000000000002 in stream cli-three under account $ACCOUNT are not an adjacent pair of shards eligible for merging" \
    merge-shards --stream-name cli-three --shard-to-merge shardId-000000000000 --adjacent-shard-to-merge shardId-000000000002

step "delete-stream" k delete-stream --stream-name $S
sleep 0.2
fails_with "describe deleted stream" ResourceNotFoundException "not found" describe-stream --stream-name $S

# sluice put / sluice tail
if [ -n "$PEER" ]; then
    echo "NOTE sluice put/tail not run against $PEER"
else
    P=puttail
    k create-stream --stream-name $P --shard-count 3 && k wait stream-exists --stream-name $P
    printf '{"id":%d,"user":"u%d","msg":"line %d"}\n' $(for i in $(seq 1 200); do echo "$i $((i % 7)) $i"; done) \
        >"$TMP/in.jsonl"
    printf '{"id":999,"user":"\xc3\xa9t\xc3\xa9","msg":"caf\xc3\xa9 \xe2\x82\xac"}\n' >>"$TMP/in.jsonl"   # UTF-8 key and text
    N=$(wc -l <"$TMP/in.jsonl")
    if "$SLUICE" put $P --endpoint "$EP" --key-field user <"$TMP/in.jsonl" >"$TMP/put.out" 2>"$TMP/put.err"; then
        ok "sluice put --key-field"
    else
        bad "sluice put --key-field" "$(head -c 400 "$TMP/put.err")"
    fi
    if timeout 30 "$SLUICE" tail $P --endpoint "$EP" --from trim_horizon --format kinesis >"$TMP/tail.out" 2>"$TMP/tail.err"; then
        ok "sluice tail --format kinesis stops when caught up"
    else
        bad "sluice tail --format kinesis stops when caught up" "rc=$?" "$(head -c 400 "$TMP/tail.err")"
    fi
    if python3 - "$TMP/in.jsonl" "$TMP/tail.out" <<'EOF'
import base64, json, sys
want = open(sys.argv[1], "rb").read().splitlines()
rows = [json.loads(l) for l in open(sys.argv[2], "rb").read().splitlines() if l.strip()]
for r in rows:
    assert set(r) >= {"SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey"}, r
    assert r["SequenceNumber"].isdigit(), r
got = [base64.b64decode(r["Data"]) for r in rows]
assert sorted(got) == sorted(want), "tail gave %d records, put %d; first diff %r" % (
    len(got), len(want), sorted(set(want) ^ set(got))[:2])
for r, d in zip(rows, got):
    if d.startswith(b"{"):
        assert r["PartitionKey"] == json.loads(d)["user"], ("--key-field user not used", r)
# per partition key, the order of the input is kept
by_key = {}
for r, d in zip(rows, got):
    if d.startswith(b"{"):
        by_key.setdefault(r["PartitionKey"], []).append(json.loads(d)["id"])
for k, ids in by_key.items():
    assert ids == sorted(ids), ("order within key %s" % k, ids[:10])
EOF
    then ok "put -> tail round trip (data, keys, order per key)"; else bad "put -> tail round trip"; fi
    printf 'raw one\nraw two\ncaf\xc3\xa9 \xe2\x82\xac\n' | "$SLUICE" put $P --endpoint "$EP" --partition-key fixed >/dev/null 2>"$TMP/put.err"
    timeout 30 "$SLUICE" tail $P --endpoint "$EP" --format raw >"$TMP/raw.out" 2>"$TMP/tail.err"
    if [ "$(grep -c '^raw ' "$TMP/raw.out")" = 2 ] && grep -qx "$(printf 'caf\xc3\xa9 \xe2\x82\xac')" "$TMP/raw.out" &&
       [ "$(wc -l <"$TMP/raw.out")" = $((N + 3)) ]; then
        ok "sluice put --partition-key / tail --format raw"
    else
        bad "sluice put --partition-key / tail --format raw" "lines: $(wc -l <"$TMP/raw.out"), want $((N + 3))"
    fi
    # tail --from latest without --follow prints nothing (nothing arrives after it starts)
    timeout 30 "$SLUICE" tail $P --endpoint "$EP" --from latest >"$TMP/latest.out" 2>&1
    if [ ! -s "$TMP/latest.out" ]; then ok "sluice tail --from latest"; else bad "sluice tail --from latest" "$(head -3 "$TMP/latest.out")"; fi
    # --follow sees a record put after it started
    timeout 20 "$SLUICE" tail $P --endpoint "$EP" --from latest --follow >"$TMP/follow.out" 2>/dev/null &
    TP=$!
    sleep 1
    echo "followed record" | "$SLUICE" put $P --endpoint "$EP" --partition-key f >/dev/null 2>&1
    for _ in $(seq 1 50); do grep -q "followed record" "$TMP/follow.out" && break; sleep 0.1; done
    kill "$TP" 2>/dev/null; wait "$TP" 2>/dev/null
    if grep -qx "followed record" "$TMP/follow.out"; then ok "sluice tail --follow"; else bad "sluice tail --follow" "got: $(head -c 200 "$TMP/follow.out")"; fi
    # a missing stream is an error, not an empty tail
    if "$SLUICE" tail nosuch --endpoint "$EP" >/dev/null 2>"$TMP/tail.err"; then
        bad "sluice tail on a missing stream fails"
    else
        ok "sluice tail on a missing stream fails"
    fi
fi

kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
PID=
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
