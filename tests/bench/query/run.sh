#!/usr/bin/env bash
# Query benchmark: three KDA applications (filter.sql, tumbling.sql, sliding.sql) run by
# `sluice run APP --replay DUMP`, and the same queries as DuckDB batch SQL over the same
# events as JSON lines, one after the other on this machine, then a table with the ratios.
#   tests/bench/query/run.sh BUILD_DIR [SCALE]
# SCALE x 100,000 events (default 20: 2,000,000 events, 200 s of ROWTIME at 10,000/s, 20
# ten-second windows); CI calls it with 2 (200,000 events). Both sides parse JSON and write
# every result row as JSON lines to a file; the outputs must agree (check.js).
# Env: EVENTS (overrides SCALE), RATE (10000 events per second of ROWTIME), SCENARIOS
# ("filter tumbling sliding"), REPEAT (1: runs of each; the table keeps each side's fastest),
# DUCKDB_THREADS (DuckDB's default: all cores), DUCKDB_DIR
# (~/.cache/sluice-bench/duckdb; @duckdb/node-api is npm-installed there when missing),
# DATA_DIR (~/.cache/sluice-bench/query-data: generated events, cached by size), KEEP=1
# (keep the outputs; their directory is printed).
# Exit status: 0, or 1 when sluice run fails or its output disagrees with DuckDB's. A sluice
# without `run` is reported ("sluice run not available") and DuckDB measured alone, exit 0.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: run.sh BUILD_DIR [SCALE]}
BUILD=$(cd "$BUILD" && pwd)
SCALE=${2:-20}
EVENTS=${EVENTS:-$((SCALE * 100000))}
RATE=${RATE:-10000}
SCENARIOS=${SCENARIOS:-filter tumbling sliding}
REPEAT=${REPEAT:-1}
DDIR=${DUCKDB_DIR:-$HOME/.cache/sluice-bench/duckdb}
DATA=${DATA_DIR:-$HOME/.cache/sluice-bench/query-data}
DUCK_VERSION=1.5.6-r.1
SLUICE=$BUILD/sluice
TMP=$(mktemp -d /tmp/sluice-qbench-XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null
    wait 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then echo "outputs kept in $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

[ -x "$SLUICE" ] || { echo "no sluice binary at $SLUICE"; exit 1; }
. "$HERE/lib.sh"
HAVE_RUN=1
if ! qb_have_run; then
    HAVE_RUN=0
    echo "sluice run not available (this sluice has no 'run' command): measuring DuckDB alone"
fi

# --- the events (cached by event count, rate and generator source) -------------------------
qb_data "$EVENTS" "$RATE" || exit 1

# --- DuckDB ----------------------------------------------------------------------------------
HAVE_D=1
if [ ! -d "$DDIR/node_modules/@duckdb/node-api" ]; then
    mkdir -p "$DDIR" && { [ -f "$DDIR/package.json" ] || echo '{"private":true}' >"$DDIR/package.json"; } &&
        (cd "$DDIR" && npm install --no-audit --no-fund "@duckdb/node-api@$DUCK_VERSION" >"$TMP/npm.log" 2>&1) ||
        { echo "DuckDB could not be installed (npm install @duckdb/node-api@$DUCK_VERSION failed: $(tail -1 "$TMP/npm.log"))"; HAVE_D=0; }
fi
[ -d "$DDIR/node_modules/@duckdb/node-api" ] || HAVE_D=0

# --- measuring one process -------------------------------------------------------------------
# measure OUT CMD...: runs CMD with stdout to OUT, stderr to OUT.err. Sets M_rc, M_wall (s),
# M_cpu (user+sys s, from the shell's children times), M_rss (peak RSS in MB: VmHWM sampled
# every 10 ms without forking).
mkfifo "$TMP/tick" && exec 9<>"$TMP/tick"
child_cpu() {  # user+sys seconds of the waited-for children (`times` must run in this shell)
    times >"$TMP/times"
    awk 'END{ split($0, a, /[ ms]+/); printf "%.3f", a[1]*60 + a[2] + a[3]*60 + a[4] }' "$TMP/times"
}
measure() {
    local out=$1 c0 t0 t1 hwm=0 k v _
    shift
    child_cpu >"$TMP/c0"
    c0=$(cat "$TMP/c0")
    t0=$EPOCHREALTIME
    "$@" >"$out" 2>"$out.err" &
    PID=$!
    while kill -0 "$PID" 2>/dev/null; do
        while read -r k v _; do [ "$k" = VmHWM: ] && hwm=$v; done </proc/"$PID"/status 2>/dev/null
        read -r -t 0.01 -u 9 _
    done
    wait "$PID"
    M_rc=$?
    t1=$EPOCHREALTIME
    PID=
    M_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    child_cpu >"$TMP/c1"
    M_cpu=$(awk -v a="$c0" -v b="$(cat "$TMP/c1")" 'BEGIN{printf "%.3f", b-a}')
    M_rss=$(awk -v k="$hwm" 'BEGIN{printf "%.0f", k/1024}')
}
rows() { wc -l <"$1" | tr -d ' '; }

echo "== $EVENTS events ($((EVENTS / RATE)) s of ROWTIME at $RATE/s), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ) =="
echo "   dump $(du -m "$DUMP" | cut -f1) MB (sluice), JSON lines $(du -m "$JSONL" | cut -f1) MB (DuckDB)"
cat "$DUMP" "$JSONL" >/dev/null  # both inputs start in the page cache
[ "$HAVE_D" = 1 ] && node "$HERE/duck.js" "$DDIR" "$JSONL" warm "$TMP/warm.out" >/dev/null
rc=0
declare -A R
# best ENGINE SCENARIO: keeps in R[ENGINE,SCENARIO] the run with the lowest wall time so far.
best() {
    local cur=${R[$1,$2]:-} rows
    rows=$(rows "$3")
    if [ -z "$cur" ] || awk -v a="$M_wall" -v b="${cur%% *}" 'BEGIN{ exit !(a < b) }'; then
        R[$1,$2]="$M_wall $M_cpu $M_rss $rows"
    fi
}
for sc in $SCENARIOS; do
    for ((i = 1; i <= REPEAT; i++)); do
        if [ "$HAVE_RUN" = 1 ]; then
            measure "$TMP/sluice-$sc.out" "$SLUICE" run "$HERE/$sc.sql" --replay "$DUMP"
            if [ "$M_rc" != 0 ]; then
                echo "sluice run $sc.sql failed (exit $M_rc):"; tail -5 "$TMP/sluice-$sc.out.err"; rc=1
                unset "R[s,$sc]"; HAVE_RUN=2
            elif [ "$HAVE_RUN" = 1 ]; then
                best s "$sc" "$TMP/sluice-$sc.out"
                echo "sluice $sc: ${M_wall}s wall, ${M_cpu}s CPU, ${M_rss} MB peak RSS"
            fi
        fi
        if [ "$HAVE_D" = 1 ]; then
            measure "$TMP/duck-$sc.log" node "$HERE/duck.js" "$DDIR" "$JSONL" "$sc" "$TMP/duck-$sc.out" ${DUCKDB_THREADS:-}
            if [ "$M_rc" != 0 ]; then
                echo "duckdb $sc failed (exit $M_rc):"; tail -5 "$TMP/duck-$sc.log.err"; HAVE_D=0
            else
                best d "$sc" "$TMP/duck-$sc.out"
                echo "duckdb $sc: ${M_wall}s wall, ${M_cpu}s CPU, ${M_rss} MB peak RSS ($(cat "$TMP/duck-$sc.log"))"
            fi
        fi
    done
    [ "$HAVE_RUN" = 2 ] && HAVE_RUN=1
    if [ -n "${R[s,$sc]:-}" ] && [ -n "${R[d,$sc]:-}" ]; then
        R[c,$sc]=$(node "$HERE/check.js" "$sc" "$TMP/sluice-$sc.out" "$TMP/duck-$sc.out")
        [ $? = 0 ] || rc=1
        echo "check $sc: ${R[c,$sc]}"
    fi
done

echo
printf '%-9s %-7s %12s %8s %8s %13s %9s %10s\n' scenario engine "events/s" "wall s" "CPU s" "events/CPU-s" "peak RSS" "out rows"
line() {  # line SCENARIO ENGINE "wall cpu rss rows"
    set -- "$1" "$2" $3
    awk -v sc="$1" -v en="$2" -v w="$3" -v c="$4" -v m="$5" -v r="$6" -v n="$EVENTS" 'BEGIN{
        printf "%-9s %-7s %12.0f %8.2f %8.2f %13.0f %6s MB %10s\n", sc, en, n/w, w, c, (c>0?n/c:0), m, r }'
}
for sc in $SCENARIOS; do
    [ -n "${R[s,$sc]:-}" ] && line "$sc" sluice "${R[s,$sc]}"
    [ -n "${R[d,$sc]:-}" ] && line "$sc" duckdb "${R[d,$sc]}"
    if [ -n "${R[s,$sc]:-}" ] && [ -n "${R[d,$sc]:-}" ]; then
        set -- ${R[s,$sc]} ${R[d,$sc]}
        awk -v sc="$sc" -v sw="$1" -v sc_="$2" -v dw="$5" -v dc="$6" 'BEGIN{
            printf "%-9s %-7s %11.2fx %8s %8s %12.2fx\n", sc, "ratio", dw/sw, "", "", (sc_>0?dc/sc_:0) }'
    fi
done
if [ "$HAVE_RUN" = 0 ]; then
    echo "sluice run not available: DuckDB alone"
elif [ -n "${R[s,tumbling]:-}" ] && [ -n "${R[d,tumbling]:-}" ]; then
    # Judged on wall-clock events/s, from 2 M events up (below, node's and DuckDB's start-up,
    # about 0.15 s, weighs too much); the per-CPU-second ratio is shown beside it (on a
    # machine shared with other work it is the steadier of the two).
    set -- ${R[s,tumbling]} ${R[d,tumbling]}
    awk -v sw="$1" -v scpu="$2" -v dw="$5" -v dcpu="$6" -v n="$EVENTS" 'BEGIN{
        v = n < 2000000 ? "not judged below 2,000,000 events" : (sw > 0 && dw >= 2*sw ? "met" : "NOT met")
        printf "target sluice >= 2x DuckDB events/s on tumbling: %s (%.2fx wall, %.2fx per CPU-second)\n",
            v, dw/sw, (scpu > 0 ? dcpu/scpu : 0) }'
fi
for sc in $SCENARIOS; do [ -n "${R[c,$sc]:-}" ] && echo "check $sc: ${R[c,$sc]}"; done
exit $rc
