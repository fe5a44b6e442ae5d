#!/usr/bin/env bash
# Ingest benchmark: the same load against `sluice serve` and kinesalite 3.3.3, one after the
# other on this machine, then a table with the ratio.
#   tests/bench/ingest/run.sh BUILD_DIR [SECONDS]
# Throughput: loadgen put (CONNS keep-alive connections, PutRecords of 500 x 100-byte records,
# random partition keys) into a 4-shard stream. Latency: loadgen latency (one producer at
# RATE single-record PutRecord/s, one consumer polling GetRecords on the 4 shards).
# Env: CONNS (8), LOADGEN_THREADS (1), RATE (200), POLL_MS (5), SLUICE_THREADS (server
# default), KINESALITE_DIR (~/.cache/sluice-bench; npm-installed there when missing).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: run.sh BUILD_DIR [SECONDS]}
BUILD=$(cd "$BUILD" && pwd)
SECS=${2:-5}
CONNS=${CONNS:-8}
LTHREADS=${LOADGEN_THREADS:-1}
RATE=${RATE:-200}
POLL_MS=${POLL_MS:-5}
LSECS=$(( SECS < 5 ? SECS : 5 ))
KDIR=${KINESALITE_DIR:-$HOME/.cache/sluice-bench}
SLUICE=$BUILD/sluice
export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
TMP=$(mktemp -d /tmp/sluice-bench-XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$SLUICE" ] || { echo "no sluice binary at $SLUICE"; exit 1; }
LOADGEN=$BUILD/tests/bench/loadgen
if [ ! -x "$LOADGEN" ] || [ "$HERE/loadgen.c" -nt "$LOADGEN" ]; then
    LOADGEN=$TMP/loadgen
    cc -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o "$LOADGEN" "$HERE/loadgen.c" || exit 1
fi

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT LOGFILE [PATTERN]
    for _ in $(seq 1 200); do
        if [ -n "${3:-}" ]; then grep -q "$3" "$2" && return 0
        elif (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "server on port $1 did not start:"; tail -5 "$2"; return 1
}

# bench NAME PORT -> sets R_<NAME>_* variables
bench() {
    local name=$1 port=$2 ep=http://127.0.0.1:$2
    for s in bench lat; do
        aws kinesis create-stream --stream-name $s --shard-count 4 --endpoint-url "$ep" >/dev/null &&
            aws kinesis wait stream-exists --stream-name $s --endpoint-url "$ep" || { echo "$name: create-stream failed"; return 1; }
    done
    local cpu0 cpu1 ticks
    ticks=$(getconf CLK_TCK)
    cpu0=$(awk '{print $14 + $15}' /proc/"$PID"/stat)
    "$LOADGEN" put --port "$port" --stream bench --conns "$CONNS" --threads "$LTHREADS" --seconds "$SECS" \
        | tee "$TMP/$name.put"
    cpu1=$(awk '{print $14 + $15}' /proc/"$PID"/stat)
    "$LOADGEN" latency --port "$port" --stream lat --shards 4 --rate "$RATE" --poll-ms "$POLL_MS" --seconds "$LSECS" \
        | tee "$TMP/$name.lat"
    eval "R_${name}_rps=$(sed -n 's/.*records\/s=\([0-9]*\).*/\1/p' "$TMP/$name.put")"
    eval "R_${name}_fail=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' "$TMP/$name.put")"
    eval "R_${name}_p50=$(sed -n 's/.* p50_ms=\([0-9.-]*\).*/\1/p' "$TMP/$name.lat")"
    eval "R_${name}_p99=$(sed -n 's/.* p99_ms=\([0-9.-]*\).*/\1/p' "$TMP/$name.lat")"
    eval "R_${name}_cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$ticks" -v s="$SECS" 'BEGIN{printf "%.0f", 100*(b-a)/t/(s+1)}')"
}

echo "== sluice serve --fsync interval ($(nproc) cores, ${SECS}s, $CONNS conns) =="
SP=$(freeport)
"$SLUICE" serve --port "$SP" --data "$TMP/data" --fsync interval ${SLUICE_THREADS:+--threads $SLUICE_THREADS} \
    2>"$TMP/sluice.log" &
PID=$!
wait_port "$SP" "$TMP/sluice.log" "listening on" || exit 1
bench sluice "$SP" || exit 1
kill "$PID"; wait "$PID" 2>/dev/null; PID=

HAVE_K=0
if [ ! -f "$KDIR/node_modules/kinesalite/cli.js" ]; then
    mkdir -p "$KDIR" && (cd "$KDIR" && npm install --no-audit --no-fund kinesalite@3.3.3 >"$TMP/npm.log" 2>&1) ||
        echo "kinesalite could not be installed (npm install kinesalite@3.3.3 failed: $(tail -1 "$TMP/npm.log"))"
fi
if [ -f "$KDIR/node_modules/kinesalite/cli.js" ]; then
    echo "== kinesalite $(node -p "require('$KDIR/node_modules/kinesalite/package.json').version") (in memory) =="
    KP=$(freeport)
    node "$KDIR/node_modules/kinesalite/cli.js" --port "$KP" --createStreamMs 0 --deleteStreamMs 0 \
        --updateStreamMs 0 --shardLimit 100 >"$TMP/kinesalite.log" 2>&1 &
    PID=$!
    wait_port "$KP" "$TMP/kinesalite.log" && bench kinesalite "$KP" && HAVE_K=1
    kill "$PID"; wait "$PID" 2>/dev/null; PID=
fi

echo
printf '%-12s %14s %9s %12s %12s %10s\n' server "records/s" failed "p50 put->get" "p99 put->get" "server CPU"
printf '%-12s %14s %9s %11sms %11sms %9s%%\n' sluice "$R_sluice_rps" "$R_sluice_fail" "$R_sluice_p50" "$R_sluice_p99" "$R_sluice_cpu"
if [ "$HAVE_K" = 1 ]; then
    printf '%-12s %14s %9s %11sms %11sms %9s%%\n' kinesalite "$R_kinesalite_rps" "$R_kinesalite_fail" \
        "$R_kinesalite_p50" "$R_kinesalite_p99" "$R_kinesalite_cpu"
    awk -v a="$R_sluice_rps" -v b="$R_kinesalite_rps" -v c="$R_sluice_p50" -v d="$R_kinesalite_p50" \
        'BEGIN{ printf "ratio        %13.1fx %9s %11.1fx\n", (b>0?a/b:0), "", (c>0?d/c:0) }'
else
    echo "kinesalite: not available, only sluice reported"
fi
awk -v a="$R_sluice_rps" 'BEGIN{ exit !(a >= 1000000) }' && echo "target sluice >= 1,000,000 records/s: met" ||
    echo "target sluice >= 1,000,000 records/s: NOT met"
if [ "$HAVE_K" = 1 ]; then
    awk -v a="$R_sluice_rps" -v b="$R_kinesalite_rps" 'BEGIN{ exit !(b > 0 && a >= 5*b) }' &&
        echo "target sluice >= 5x kinesalite: met" || echo "target sluice >= 5x kinesalite: NOT met"
fi
