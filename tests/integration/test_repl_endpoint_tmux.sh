#!/usr/bin/env bash
# `sluice repl --endpoint URL` against a running daemon, driven through tmux: CREATE INPUT
# creates the source stream at the daemon, \put puts records there, and a live SELECT
# STREAM runs in the REPL reading the daemon's Kinesis API - showing the records put before
# it and one put by another process (`sluice put`) while it runs - until Ctrl-C.
set -u
SLUICE=${SLUICE:-build/sluice}
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }

dir=$(mktemp -d)
sock="sluice-repl-ep-$$"
T() { tmux -L "$sock" "$@"; }
srv_pid=
cleanup() {
    T kill-server 2>/dev/null
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

screen() { T capture-pane -p -t repl -S -200 2>/dev/null; }
fail() {
    echo "FAIL: $*"
    echo "----- screen -----"
    screen
    echo "----- repl stderr -----"
    cat "$dir/err" 2>/dev/null
    echo "----- daemon -----"
    tail -20 "$dir/srv.log" 2>/dev/null
    exit 1
}
wait_for() {
    local re=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        screen | grep -Eq -- "$re" && return 0
        sleep 0.05
    done
    fail "timed out waiting for /$re/"
}
type_line() {
    local s=$1
    [[ $s == *';' ]] && s="${s%;}\\;"
    T send-keys -t repl -l -- "$s"
    T send-keys -t repl Enter
}
prompts() { screen | grep -c '^sluice>'; }
wait_prompt() {
    local n=$1 i
    for ((i = 0; i < 200; i++)); do
        (($(prompts) > n)) && return 0
        sleep 0.05
    done
    fail "no new prompt"
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
"$SLUICE" serve --port "$port" --data "$dir/srv" 2>"$dir/srv.log" &
srv_pid=$!
for ((i = 0; i < 200; i++)); do grep -q "listening on" "$dir/srv.log" && break; sleep 0.05; done
grep -q "listening on" "$dir/srv.log" || fail "the daemon did not start"

T new-session -d -s repl -x 200 -y 50 \
    "HOME=$dir '$SLUICE' repl --endpoint '$url' --history '$dir/hist' 2>'$dir/err'; echo \$? > '$dir/exit'; sleep 5"
wait_for '^sluice> ?$'

# The input: its stream does not exist at the daemon yet, so the session creates it.
n=$(prompts)
type_line "CREATE INPUT \"SRC_001\" FROM STREAM 'eticks' FORMAT JSON (ticker VARCHAR(8) PATH '\$.ticker', price DOUBLE PATH '\$.price') STARTING AT TRIM_HORIZON;"
wait_prompt "$n"
screen | grep -q "^created stream 'eticks' at $url (1 shard)$" || fail "input stream not created at the daemon"
screen | grep -q '^ok$' || fail "CREATE INPUT not accepted"

type_line '\put eticks'
wait_for '^put> ?$'
type_line '{"ticker":"AMZN","price":181.5}'
type_line '{"ticker":"IBM","price":50}'
type_line ''
wait_for '^2 records put into eticks$'

# The live query runs in the REPL, reading the daemon's stream.
type_line 'SELECT STREAM ticker, price FROM "SRC_001" WHERE price > 100;'
wait_for '^ROWTIME +\| TICKER +\| PRICE *$'
wait_for '^20[0-9-]+ [0-9:.]+ \| AMZN     \| +181\.5$'
# A record put by another client while the query runs shows up live.
echo '{"ticker":"MSFT","price":402.25}' | "$SLUICE" put eticks --endpoint "$url" >/dev/null ||
    fail "sluice put failed"
wait_for '^20[0-9-]+ [0-9:.]+ \| MSFT     \| +402\.25$'
screen | grep -q '| IBM' && fail "the WHERE clause let IBM through"

n=$(prompts)
T send-keys -t repl C-c
wait_for '^\(2 rows\)$'
wait_prompt "$n"

type_line '\quit'
for ((i = 0; i < 100; i++)); do [ -s "$dir/exit" ] && break; sleep 0.05; done
[ -s "$dir/exit" ] || fail "\\quit did not end the session"
[ "$(cat "$dir/exit")" = 0 ] || fail "exit status $(cat "$dir/exit")"
echo "PASS: test_repl_endpoint_tmux"
