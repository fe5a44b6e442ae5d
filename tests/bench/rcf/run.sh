#!/usr/bin/env bash
# run.sh BUILD_DIR [SECONDS] - RANDOM_CUT_FOREST and HOTSPOTS throughput.
# BUILD_DIR is a configured sluice build (Release for meaningful numbers); this builds the
# rcf_bench and hotspots_bench targets there and runs, SECONDS each (default 5):
#   - RCF score + update at KDA's defaults (100 trees, 256 samples, timeDecay 100000)
#     for 1 column and for 8 columns with shingleSize 4, on one thread (one call per row)
#     and on two (trees split across threads, rows in batches of 256);
#   - HOTSPOTS on KDA's documented example (windowSize 1000, scanRadius 0.2, 17);
#   - the NAB comparison with KDA's own scores (the integration.rcf_nab test);
#   - with --diag as third argument, rcf_nab_diag: where sluice and KDA part ways on NAB
#     (trees and formula alone, the square wave's reservoirs, seed-to-seed agreement,
#     KDA's AUC against the range of 30 forests).
# Peer: rrcf (Python) cannot be installed here and numpy is absent, so there is none; the
# published figures in ../shared/reference/perf_anchors.md §4 are quoted for scale.
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-5}
cmake --build "$build" --target rcf_bench hotspots_bench rcf_nab_eval rcf_nab_diag -j2 >/dev/null
bin="$build/tests/bench"
echo "## RANDOM_CUT_FOREST(100, 256, 100000, shingle): rows/s, score + update ($(nproc) cores, $(date -u +%F))"
"$bin/rcf_bench" "$secs" 1 1 1
"$bin/rcf_bench" "$secs" 1 1 2
"$bin/rcf_bench" "$secs" 8 4 1
"$bin/rcf_bench" "$secs" 8 4 2
echo "target: >= 100,000 rows/s for 1 column"
echo "## HOTSPOTS"
"$bin/hotspots_bench" "$secs"
echo "## NAB: sluice vs KDA's scores"
# Exit status 77 means the NAB data is not there (a skip, not a failure).
set +e
nab=$("$bin/rcf_nab_eval" --threads 2)
rc=$?
set -e
printf '%s\n' "$nab" | tail -3
[ "$rc" = 0 ] || [ "$rc" = 77 ]
if [ "${3:-}" = --diag ]; then
    echo "## NAB: where sluice and KDA differ"
    "$bin/rcf_nab_diag" --seeds 20 --whole 30
fi
