#!/usr/bin/env python3
"""test_replay_parallel.py - a large dump replayed by several threads gives exactly the
output of a sequential replay.

`sluice run --replay` decodes a dump of 8 MB or more on worker threads, and when the input
feeds a tumbling GROUP BY alone the workers also fold their chunks into partial aggregates
that the engine merges (runtime/engine/partial.c). Both are optimisations only: for every
application below the three ways of running - sequential (SLUICE_SEQUENTIAL=1), parallel
decoding with every row through the engine (SLUICE_NO_PARTIAL=1) and the default - must
print byte-identical data rows and the same error rows.

The cases cover what the partial path must refuse or get right: WHERE before the GROUP BY,
several keys, FLOOR windows, MIN/MAX of strings, long gaps with empty windows, ROWTIME
going back in the dump (the engine clamps it: the chunk falls back to row-at-a-time), row
errors in the projection (division by zero -> error_stream), malformed records, and a plan
the partial path does not apply to (a sliding window). SLUICE_REPLAY_STATS reports how many
chunks were merged as partial aggregates; the test checks that the path really ran where
it should (and did not where it must not), so a partial path that silently never engages
fails here. Needs $SLUICE.
"""
import base64
import json
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sluicetest import kpl_aggregate  # noqa: E402

SLUICE = os.path.abspath(os.environ["SLUICE"])
BASE_MS = 1779000000000

INPUT = """CREATE OR REPLACE INPUT "SRC_001" FROM STREAM 's' FORMAT JSON (
    ticker VARCHAR(4) PATH '$.ticker', sector VARCHAR(8) PATH '$.sector',
    price DOUBLE PATH '$.price', volume BIGINT PATH '$.volume');
"""


def write_dump(path, seed, n=40000, back_every=0, bad_every=0, long_every=0, kpl=False):
    """n records with rising arrival times (gaps up to 70 s now and then); every
    back_every-th record goes 5 s back in time, every bad_every-th is not valid JSON, every
    long_every-th carries 200 KB of padding (a line longer than a chunk's read-ahead).
    kpl: runs of 1-40 records (and now and then 3,000, more than a batch holds) are packed
    into KPL aggregated records, and every 500th aggregate is corrupted inside its protocol
    buffer (MD5 fixed up) so that the whole record is one error row."""
    rnd = random.Random(seed)
    t = BASE_MS
    pending, agg_no = [], 0
    with open(path, "w") as f:
        def emit(at, seq, data):
            f.write(json.dumps({"SequenceNumber": "%056d" % seq, "ApproximateArrivalTimestamp": at / 1000.0,
                                "Data": base64.b64encode(data).decode(), "PartitionKey": "k"},
                               separators=(",", ":")) + "\n")
        for i in range(n):
            t += rnd.choice([0, 1, 3, 10, 40]) if rnd.random() > 0.0005 else 70000
            at = t - 5000 if back_every and i % back_every == back_every - 1 else t
            if bad_every and i % bad_every == bad_every - 1:
                data = b'{"ticker": "XX", "price": '
            else:
                rec = {"ticker": rnd.choice(["AA", "BB", "CC", "DD", "EE", "FF"]),
                       "sector": rnd.choice(["TECH", "ENERGY", "RETAIL", None]),
                       "price": None if rnd.random() < 0.03 else round(rnd.uniform(1, 500), 2),
                       "volume": rnd.choice([0, 100, 500, 1000, 2500])}
                if long_every and i % long_every == long_every - 1:
                    rec["pad"] = "x" * 200000
                data = json.dumps(rec).encode()
            if not kpl:
                emit(at, i, data)
                continue
            pending.append(data)
            if len(pending) >= (3000 if agg_no % 97 == 50 else rnd.randint(1, 40)) or i == n - 1:
                agg = kpl_aggregate(pending, keys=("a", "b"))
                if agg_no % 500 == 499:
                    body = agg[4:-16] + b"\x1a\x7f"  # a records field cut short
                    import hashlib
                    agg = agg[:4] + body + hashlib.md5(body).digest()
                emit(at, i, agg)
                pending, agg_no = [], agg_no + 1
    assert os.path.getsize(path) >= 8 << 20, "the dump must take the parallel path"


def run(app, dump, **env):
    """Runs the app; returns (stdout, sorted error rows, merged chunk count)."""
    e = dict(os.environ, SLUICE_REPLAY_STATS="1", **env)
    r = subprocess.run([SLUICE, "run", app, "--replay", dump], capture_output=True, text=True,
                       timeout=300, env=e)
    if r.returncode != 0:
        raise RuntimeError(f"sluice run failed ({r.returncode}): {r.stderr[-2000:]}")
    merged = 0
    errors = []
    for line in r.stderr.splitlines():
        m = re.search(r"(\d+) chunks, (\d+) merged as partial aggregates", line)
        if m:
            merged = int(m.group(2))
        elif line.startswith("{"):
            errors.append(line)
        elif "lines are not Kinesis records" not in line:
            raise RuntimeError(f"unexpected stderr line: {line}")
    return r.stdout, sorted(errors), merged


CASES = [
    # (name, SQL after INPUT, dump options, partial path expected: "all" | "some" | "none")
    ("tumbling_where_strings", """CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, np BIGINT, sv BIGINT,
    mn DOUBLE, mx DOUBLE, av DOUBLE, ms VARCHAR(8), xs VARCHAR(8));
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), COUNT(price), SUM(volume), MIN(price), MAX(price), AVG(price),
    MIN(sector), MAX(sector)
FROM "SRC_001" WHERE volume > 0
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '10' SECOND);
""", {}, "all"),
    ("floor_two_keys_having", """CREATE STREAM "OUT" (ticker VARCHAR(4), sector VARCHAR(8), n BIGINT, sp DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, sector, COUNT(*), SUM(price * 2)
FROM "SRC_001"
GROUP BY ticker, sector, FLOOR("SRC_001".ROWTIME TO MINUTE)
HAVING COUNT(*) > 3;
""", {}, "all"),
    ("rowtime_goes_back", """CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, av DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), AVG(price) FROM "SRC_001"
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '5' SECOND);
""", {"back_every": 20000}, "some"),
    ("row_errors_and_bad_records", """CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, q BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), SUM(1000 / (volume - 2500)) FROM "SRC_001"
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '10' SECOND);
""", {"bad_every": 5000}, "none"),
    ("bad_records_partial", """CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, mx DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), MAX(price) FROM "SRC_001"
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '30' SECOND);
""", {"bad_every": 5000}, "all"),
    ("long_lines", """CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, sv BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), SUM(volume) FROM "SRC_001"
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '20' SECOND);
""", {"long_every": 1500}, "all"),
    ("kpl_aggregated_tumbling", """CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, sv BIGINT, mx DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), SUM(volume), MAX(price) FROM "SRC_001"
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '10' SECOND);
""", {"kpl": True, "bad_every": 7000, "n": 120000}, "all"),
    ("kpl_aggregated_rows", """CREATE STREAM "OUT" (ticker VARCHAR(4), price DOUBLE, volume BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, price, volume FROM "SRC_001" WHERE volume = 2500 AND price > 450;
""", {"kpl": True, "bad_every": 7000, "n": 120000}, "none"),
    ("sliding_not_partial", """CREATE STREAM "OUT" (ticker VARCHAR(4), av DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, AVG(price) OVER (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING)
FROM "SRC_001";
""", {}, "none"),
]


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        dumps = {}
        for name, body, opts, expect in CASES:
            key = tuple(sorted(opts.items()))
            if key not in dumps:
                dumps[key] = os.path.join(tmp, "d%d.dump" % len(dumps))
                write_dump(dumps[key], 7, **opts)
            dump = dumps[key]
            app = os.path.join(tmp, name + ".sql")
            with open(app, "w") as f:
                f.write(INPUT + body)
            seq_out, seq_err, _ = run(app, dump, SLUICE_SEQUENTIAL="1")
            par_out, par_err, par_merged = run(app, dump, SLUICE_NO_PARTIAL="1")
            out, err, merged = run(app, dump)
            nrows = seq_out.count("\n")
            problems = []
            if nrows < 10:
                problems.append(f"only {nrows} output rows")
            if par_out != seq_out:
                problems.append("parallel decoding changed the output")
            if out != seq_out:
                problems.append("partial aggregation changed the output")
            if par_err != seq_err or err != seq_err:
                problems.append("error rows differ")
            if par_merged:
                problems.append("SLUICE_NO_PARTIAL=1 still merged partials")
            nchunks = os.path.getsize(dump) // (1 << 20)
            if expect == "all" and merged < nchunks - 1:
                problems.append(f"only {merged} of ~{nchunks} chunks merged as partials")
            if expect == "some" and not (0 < merged < nchunks):
                problems.append(f"{merged} of ~{nchunks} chunks merged (want some, not all)")
            if expect == "none" and merged:
                problems.append(f"{merged} chunks merged as partials (want none)")
            status = "ok" if not problems else "FAIL"
            print(f"{status}: {name}: {nrows} rows, {len(seq_err)} error rows, "
                  f"{merged} chunks merged as partials" + ("" if not problems else ": " + "; ".join(problems)))
            failures += bool(problems)
    if failures:
        print(f"{failures} case(s) failed")
        return 1
    print("all cases: sequential, parallel and partial-aggregated replays are identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
