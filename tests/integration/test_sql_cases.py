#!/usr/bin/env python3
"""test_sql_cases.py - the SQL conformance suite: every directory of tests/sql/cases/ is one
case, run as

    sluice run app.sql|app.json --replay input.dump [arguments listed in `args`]

from inside the case directory (so reference files resolve). Its stdout must equal
expected.jsonl and its stderr expected.err byte for byte (error rows are JSON on stderr
unless a case routes error_stream to stdout with --output). A case with an `expect_fail`
file must exit 1 (a planning error: expected.err holds the FILE:LINE:COL diagnostics);
every other case must exit 0. Needs $SLUICE and $SLUICE_SRC.
"""
import difflib
import os
import subprocess
import sys

SLUICE = os.path.abspath(os.environ["SLUICE"])
CASES = os.path.join(os.environ["SLUICE_SRC"], "tests", "sql", "cases")


def read(path):
    """The text of a file, or '' when it does not exist."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def run_case(name):
    """Runs one case; returns a list of failure messages (empty when it passed)."""
    d = os.path.join(CASES, name)
    app = "app.json" if os.path.exists(os.path.join(d, "app.json")) else "app.sql"
    args = [a for a in read(os.path.join(d, "args")).splitlines() if a]
    fail = os.path.exists(os.path.join(d, "expect_fail"))
    r = subprocess.run([SLUICE, "run", app, "--replay", "input.dump"] + args, cwd=d,
                       capture_output=True, text=True, timeout=60)
    problems = []
    want_rc = 1 if fail else 0
    if r.returncode != want_rc:
        problems.append(f"exit status {r.returncode}, want {want_rc}")
    for what, got, path in (("stdout", r.stdout, "expected.jsonl"), ("stderr", r.stderr, "expected.err")):
        want = read(os.path.join(d, path))
        if got != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                path, what, n=1))
            problems.append(f"{what} differs from {path}:\n{diff[:3000]}")
    return problems


def main():
    names = sorted(n for n in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, n)))
    failed = 0
    for name in names:
        problems = run_case(name)
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
    print(f"{len(names) - failed}/{len(names)} SQL cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
