# lib.sh - sourced by run.sh and rss.sh: the generator and the cached event files.
# Needs HERE (this folder), BUILD (a configured build), TMP (a scratch dir) and DATA (the
# cache folder; files are kept per event count, rate and generator source).

# qb_data EVENTS RATE: makes sure the events exist, sets DUMP (the replay dump for sluice)
# and JSONL (the JSON lines for DuckDB). Returns non-zero if they cannot be generated.
qb_data() {
    local n=$1 rate=$2 gen=$BUILD/tests/bench/query_gen sum dir
    sum=$(md5sum "$HERE/gen.c" | cut -c1-8)
    dir=$DATA/n$n-r$rate-$sum
    DUMP=$dir/events.dump
    JSONL=$dir/events.jsonl
    [ -f "$JSONL" ] && return 0
    if [ ! -x "$gen" ] || [ "$HERE/gen.c" -nt "$gen" ]; then
        cmake --build "$BUILD" --target query_gen >/dev/null 2>&1 ||
            { gen=$TMP/gen; cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$gen" "$HERE/gen.c" || return 1; }
    fi
    rm -rf "$DATA"/n$n-r$rate-* && mkdir -p "$dir" || return 1
    echo "generating $n events at $rate/s of ROWTIME into $dir"
    "$gen" -n "$n" -r "$rate" "$DUMP.tmp" "$JSONL.tmp" || return 1
    mv "$DUMP.tmp" "$DUMP" && mv "$JSONL.tmp" "$JSONL"
}

# qb_have_run: whether this sluice has the `run` command.
qb_have_run() { ! "$BUILD/sluice" run --help 2>&1 | grep -q "unknown command"; }
