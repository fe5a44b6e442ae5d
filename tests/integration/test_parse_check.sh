#!/usr/bin/env bash
# test_parse_check.sh - drives `sluice check` over tests/sql/parse/.
#   valid/*.sql    exit 0, print nothing
#   invalid/*.sql  exit 1, print exactly the error lines listed in invalid/expected.txt,
#                  each followed by the source line and a caret
#   --print        output parses again (the pretty-printer round trip, end to end)
# Needs $SLUICE (the binary) and $SLUICE_SRC (the source root).
set -u
: "${SLUICE:?set SLUICE to the sluice binary}"
: "${SLUICE_SRC:?set SLUICE_SRC to the source root}"
SLUICE=$(cd "$(dirname "$SLUICE")" && pwd)/$(basename "$SLUICE")
dir="$SLUICE_SRC/tests/sql/parse"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for f in "$dir"/valid/*.sql; do
  out=$("$SLUICE" check "$f" 2>&1); rc=$?
  [ $rc -eq 0 ] && [ -z "$out" ] || fail "$f: rc=$rc output: $out"
  "$SLUICE" check --print "$f" > "$tmp/printed.sql" || fail "$f: --print failed"
  "$SLUICE" check "$tmp/printed.sql" >/dev/null 2>&1 || fail "$f: printed SQL does not parse"
done

cd "$dir/invalid" || exit 1
for f in *.sql; do
  "$SLUICE" check "$f" > "$tmp/out" 2> "$tmp/err"; rc=$?
  [ $rc -eq 1 ] || fail "$f: exit status $rc, want 1"
  [ -s "$tmp/out" ] && fail "$f: wrote to stdout"
  grep -F -- "$f:" expected.txt | grep -v '^#' > "$tmp/want"
  grep -E '^[^ ]+\.sql:[0-9]+:[0-9]+: error: ' "$tmp/err" > "$tmp/got"
  diff -u "$tmp/want" "$tmp/got" > "$tmp/diff" || { fail "$f: diagnostics differ"; cat "$tmp/diff"; }
  # Every error line is followed by a source line and a caret line.
  awk '/: error: /{e=NR} NR==e+2 && e {if ($0 !~ /^[ \t]*\^$/) bad=1; e=0} END{exit bad}' "$tmp/err" \
    || fail "$f: missing caret line"
done

"$SLUICE" check /nonexistent.sql 2>/dev/null; [ $? -eq 1 ] || fail "unreadable file should exit 1"
"$SLUICE" check 2>/dev/null; [ $? -eq 2 ] || fail "no file should exit 2"
printf 'SELECT STREAM a FROM s;\n' | "$SLUICE" check - || fail "stdin input"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "ok: sluice check over $(ls "$dir"/valid/*.sql | wc -l) valid and $(ls "$dir"/invalid/*.sql | wc -l) invalid files"
