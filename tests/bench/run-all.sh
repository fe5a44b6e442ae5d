#!/usr/bin/env bash
# Runs every benchmark (tests/bench/*/run.sh BUILD_DIR SECONDS) one after the other.
# Usage: tests/bench/run-all.sh [BUILD_DIR] [SECONDS]; exits non-zero if any run failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${2:-5}
rc=0
for script in tests/bench/*/run.sh; do
  echo "### $script"
  bash "$script" "$build" "$secs" || { echo "### $script failed"; rc=1; }
done
exit $rc
