#!/usr/bin/env bash
# `sluice repl` driven through a real terminal (tmux): \put records, CREATE INPUT over the
# store stream, an error with its caret that does not end the session, a stream and a pump
# built incrementally, a live SELECT STREAM shown as an aligned table, Ctrl-C stopping only
# the query, \explain, tab completion of a keyword, a stream name and a column, \quit.
# capture-pane drops trailing blanks, hence the ' ?' after prompts.
# Every step polls the screen (no long fixed sleeps); the whole run takes a few seconds.
set -u
SLUICE=${SLUICE:-build/sluice}
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }

dir=$(mktemp -d)
sock="sluice-repl-$$"
T() { tmux -L "$sock" "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

screen() { T capture-pane -p -t repl -S -200 2>/dev/null; }
fail() {
    echo "FAIL: $*"
    echo "----- screen -----"
    screen
    echo "----- stderr -----"
    cat "$dir/err" 2>/dev/null
    exit 1
}
# wait_for REGEX [SECONDS]: polls the screen until a line matches.
wait_for() {
    local re=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        screen | grep -Eq -- "$re" && return 0
        sleep 0.05
    done
    fail "timed out waiting for /$re/"
}
# type TEXT: sends TEXT literally (a trailing ';' escaped from tmux's parser), then Enter.
type_line() {
    local s=$1
    [[ $s == *';' ]] && s="${s%;}\\;"
    T send-keys -t repl -l -- "$s"
    T send-keys -t repl Enter
}
# Number of prompts on screen, to wait for the next one.
prompts() { screen | grep -c '^sluice>'; }
wait_prompt() {
    local n=$1 i
    for ((i = 0; i < 200; i++)); do
        (($(prompts) > n)) && return 0
        sleep 0.05
    done
    fail "no new prompt"
}

T new-session -d -s repl -x 200 -y 50 \
    "HOME=$dir '$SLUICE' repl --data '$dir/data' --history '$dir/hist' 2>'$dir/err'; echo \$? > '$dir/exit'; sleep 5"
wait_for '^sluice> ?$'

# Records into a store stream (created on the fly), one of them under the pump's filter.
type_line '\put ticks'
wait_for '^put> ?$'
type_line '{"ticker":"AMZN","price":181.5}'
type_line '{"ticker":"IBM","price":50}'
type_line '{"ticker":"MSFT","price":402.25}'
type_line ''
wait_for '^3 records put into ticks$'

# The input over it, on two lines (the first has no ';': a continuation prompt).
n=$(prompts)
type_line "CREATE INPUT \"SRC_001\" FROM STREAM 'ticks' FORMAT JSON (ticker VARCHAR(8) PATH '\$.ticker', price DOUBLE PATH '\$.price')"
wait_for '^    -> ?$'
type_line 'STARTING AT TRIM_HORIZON;'
wait_prompt "$n"
screen | grep -q '^ok$' || fail "CREATE INPUT not accepted"

# An error points at the statement with a caret and leaves the session as it was.
n=$(prompts)
type_line 'CREATE PUMP "P0" AS INSERT INTO "NOWHERE" SELECT STREAM ticker FROM "SRC_001";'
wait_prompt "$n"
screen | grep -Eq '^<stdin>:1:[0-9]+: error: ' || fail "no positioned error"
screen | grep -Eq '^ +\^$' || fail "no caret under the error"

# A stream and a pump into it: the session's application grows statement by statement.
type_line 'CREATE STREAM "BIG" (ticker VARCHAR(8), price DOUBLE);'
n=$(prompts)
type_line 'CREATE PUMP "P1" AS INSERT INTO "BIG" SELECT STREAM ticker, price FROM "SRC_001" WHERE price > 100;'
wait_prompt "$n"
[ "$(screen | grep -c '^ok$')" -ge 3 ] || fail "stream and pump not accepted"

# A live query over the pumped stream, typed with tab completion: a keyword in lower case,
# a column and the stream's quoted name.
T send-keys -t repl -l -- 'sel'
T send-keys -t repl Tab
T send-keys -t repl -l -- 'STREAM ticker, pri'
T send-keys -t repl Tab
T send-keys -t repl -l -- 'FROM "BI'
T send-keys -t repl Tab
wait_for '^sluice> select STREAM ticker, price FROM "BIG" ?$' 5
T send-keys -t repl -l -- '\;'
T send-keys -t repl Enter
wait_for '^ROWTIME +\| TICKER +\| PRICE *$'
wait_for '^-{24}\+-{10}\+-{17}$'
wait_for '^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \| AMZN     \| +181\.5$'
wait_for '^20[0-9-]+ [0-9:.]+ \| MSFT     \| +402\.25$'
screen | grep -q '| IBM' && fail "the pump's filter let IBM through"

# Ctrl-C stops the query only: the row count, then the prompt, and the session goes on.
n=$(prompts)
T send-keys -t repl C-c
wait_for '^\(2 rows\)$'
wait_prompt "$n"

n=$(prompts)
type_line '\explain SELECT STREAM ticker FROM "BIG" WHERE price > 200'
wait_for 'map \[pump REPL_QUERY\] where \(PRICE > '
wait_prompt "$n"

n=$(prompts)
type_line '\describe BIG'
wait_for '^  PRICE +DOUBLE$'
wait_prompt "$n"

type_line '\quit'
for ((i = 0; i < 100; i++)); do [ -s "$dir/exit" ] && break; sleep 0.05; done
[ -s "$dir/exit" ] || fail "\\quit did not end the session"
[ "$(cat "$dir/exit")" = 0 ] || fail "exit status $(cat "$dir/exit")"
grep -q "BIG" "$dir/hist" || fail "history not written"  # libedit escapes blanks
echo "PASS: test_repl_tmux"
