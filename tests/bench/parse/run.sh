#!/usr/bin/env bash
# run.sh BUILD_DIR [SECONDS] - measures parsing speed (statements/s) over the valid corpus.
# BUILD_DIR is a configured sluice build (Release for meaningful numbers); this builds
# sl_parser there, compiles bench_parse.c against it and runs it for SECONDS (default 5).
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
cmake --build "$build" --target sl_parser -j2 >/dev/null
libs="-lpthread -lm"
if grep -q 'SLUICE_SANITIZE:BOOL=ON\|SLUICE_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  libs="-fsanitize=address,undefined $libs"
else
  libs="$(pkg-config --libs jemalloc) $libs"
fi
cc=$(grep '^CMAKE_C_COMPILER:' "$build/CMakeCache.txt" | cut -d= -f2)
"${cc:-cc}" -O2 -std=gnu11 -I"$src/parser" -I"$src/common" "$here/bench_parse.c" \
  "$build/parser/libsl_parser.a" "$build/common/libsl_common.a" $libs -o "$build/bench_parse"
"$build/bench_parse" "$secs" "$src"/tests/sql/parse/valid/*.sql
