#!/usr/bin/env bash
# run_fuzz_parser.sh BUILD_DIR [SECONDS] - runs fuzz_parser_sql for a bounded time (CI).
# BUILD_DIR must be configured with CC=clang -DSLUICE_FUZZ=ON. The corpus starts from the
# parser test files; new inputs go to tests/fuzz/corpus-parser/ (git-ignored).
set -euo pipefail
build=${1:?usage: run_fuzz_parser.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
cmake --build "$build" --target fuzz_parser_sql -j2 >/dev/null
corpus="$src/tests/fuzz/corpus-parser"
mkdir -p "$corpus"
"$build/tests/fuzz_parser_sql" -max_total_time="$secs" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 "$corpus" "$src/tests/sql/parse/valid" "$src/tests/sql/parse/invalid"
