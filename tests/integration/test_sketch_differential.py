#!/usr/bin/env python3
"""test_sketch_differential.py - TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING (in
their exact range) and GROUP_RANK against SQLite.

For random streams (a skewed string column and a BIGINT column, both with NULLs, rising
ROWTIMEs with random gaps) it runs the table functions with `sluice run --replay` and the
same computation as a batch query in SQLite (python3's sqlite3):

  COUNT_DISTINCT_ITEMS_TUMBLING(c, 'col', w)  vs  SELECT COUNT(DISTINCT col) ... GROUP BY
                                                  rowtime / w  (one row per window with rows)
  TOP_K_ITEMS_TUMBLING(c, 'col', K, w)        vs  per window: SELECT col, COUNT(*) ... WHERE
                                                  col IS NOT NULL GROUP BY col ORDER BY
                                                  COUNT(*) DESC, first row ASC LIMIT K
  GROUP_RANK(c, 'col', 'r', s, o, 0, max)     vs  RANK() OVER (PARTITION BY rowtime ORDER BY
                                                  col s NULLS LAST), ordered by rank (o) then
                                                  arrival, first max rows per ROWTIME

Both are exact there: at most 10,000 distinct values per window (COUNT_DISTINCT) and at
most max(4K, 10,000) (TOP_K's counters). One stream puts exactly 10,000 distinct values in
one window (the edge of the exact range), and 10,001 more must come within 2.5 % (the
approximate range). The expected answer comes from SQLite, not from sluice. Needs $SLUICE.
"""
import base64
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

from sluicetest import fmt_rowtime

SLUICE = os.path.abspath(os.environ["SLUICE"])
BASE_MS = 1714521600000

INPUT = """CREATE OR REPLACE INPUT "SRC_001" FROM STREAM 's' FORMAT JSON (
    item VARCHAR(16) PATH '$.item', volume BIGINT PATH '$.volume');
"""


def gen_rows(seed, n, items=400, gaps=(0, 1, 7, 50, 333, 1000, 2500, 9000)):
    """n rows (rowtime ms, item or None, volume or None), rowtimes non-decreasing; items
    skewed (Zipf-like) so that counts differ and tie."""
    rnd = random.Random(seed)
    t = BASE_MS + rnd.randrange(0, 5000)
    rows = []
    for _ in range(n):
        t += rnd.choice(gaps)
        item = None if rnd.random() < 0.05 else "i%d" % int(items ** rnd.random())
        volume = None if rnd.random() < 0.05 else rnd.randrange(0, 60) * 10
        rows.append((t, item, volume))
    return rows


def write_dump(rows, path):
    with open(path, "w") as f:
        for i, (t, k, v) in enumerate(rows):
            data = json.dumps({"item": k, "volume": v}).encode()
            f.write(json.dumps({"SequenceNumber": str(i), "ApproximateArrivalTimestamp": t / 1000.0,
                                "Data": base64.b64encode(data).decode(), "PartitionKey": "p"}) + "\n")


def run_sluice(sql, dump, tmp):
    app = os.path.join(tmp, "app.sql")
    with open(app, "w") as f:
        f.write(sql)
    r = subprocess.run([SLUICE, "run", app, "--replay", dump], capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or r.stderr:
        raise RuntimeError(f"sluice failed ({r.returncode}): {r.stderr[:2000]}")
    return [json.loads(l) for l in r.stdout.splitlines() if l]


def db_of(rows):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (seq INTEGER, rt INTEGER, item TEXT, volume INTEGER)")
    db.executemany("INSERT INTO t VALUES (?,?,?,?)", [(i,) + r for i, r in enumerate(rows)])
    return db


def report(ok, what, n, bad_examples, unit="windows"):
    for b in bad_examples[:5]:
        print(f"  {what}: {b}")
    print(f"{'ok' if ok else 'FAIL'}: {what}: {n} {unit}")
    return ok


def check_distinct(db, dump, tmp, col, w):
    wms = w * 1000
    sql = INPUT + f"""CREATE STREAM "OUT" (n BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SRC_001"), '{col}', {w}));
"""
    got = [(o["ROWTIME"], o["N"]) for o in run_sluice(sql, dump, tmp)]
    want = [(fmt_rowtime(r[0]), r[1]) for r in db.execute(
        f"SELECT (rt / {wms}) * {wms} + {wms} AS e, COUNT(DISTINCT {col}) FROM t GROUP BY rt / {wms} ORDER BY e")]
    bad = [f"window {i}: sluice {g} sqlite {x}" for i, (g, x) in enumerate(zip(got, want)) if g != x]
    if len(got) != len(want):
        bad.append(f"{len(got)} windows from sluice, {len(want)} from sqlite")
    return report(not bad, f"COUNT_DISTINCT {col} w={w}s", len(want), bad)


def check_topk(db, dump, tmp, col, k, w):
    wms = w * 1000
    sql = INPUT + f"""CREATE STREAM "OUT" (v {'VARCHAR(16)' if col == 'item' else 'BIGINT'}, n BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SRC_001"), '{col}', {k}, {w}));
"""
    got = {}
    for o in run_sluice(sql, dump, tmp):
        got.setdefault(o["ROWTIME"], []).append((o["V"], o["N"]))
    want = {}
    q = f"""SELECT e, v, c FROM (
              SELECT (rt / {wms}) * {wms} + {wms} AS e, {col} AS v, COUNT(*) AS c, MIN(seq) AS f,
                     ROW_NUMBER() OVER (PARTITION BY rt / {wms} ORDER BY COUNT(*) DESC, MIN(seq)) AS r
              FROM t WHERE {col} IS NOT NULL GROUP BY rt / {wms}, {col})
            WHERE r <= {k} ORDER BY e, r"""
    for e, v, c in db.execute(q):
        want.setdefault(fmt_rowtime(e), []).append((v, c))
    bad = [f"window {e}: sluice {got.get(e)} sqlite {want.get(e)}"
           for e in sorted(set(got) | set(want)) if got.get(e) != want.get(e)]
    return report(not bad, f"TOP_K {col} K={k} w={w}s", len(want), bad)


def check_group_rank(db, dump, tmp, col, sort, output, out_max):
    """GROUP_RANK vs SQLite's RANK() OVER (PARTITION BY rowtime ORDER BY col sort NULLS
    LAST), output in rank order (outputOrder) with ties in arrival order, at most out_max
    rows per ROWTIME."""
    sql = INPUT + f"""CREATE STREAM "OUT" (item VARCHAR(16), volume BIGINT, r INTEGER);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM * FROM TABLE(GROUP_RANK(CURSOR(SELECT STREAM * FROM "SRC_001"), '{col}', 'groupRank',
    '{sort}', '{output}', 0, {out_max}));
"""
    got = [(o["ROWTIME"], o["ITEM"], o["VOLUME"], o["R"]) for o in run_sluice(sql, dump, tmp)]
    q = f"""SELECT rt, item, volume, r FROM (
              SELECT rt, seq, item, volume,
                     RANK() OVER (PARTITION BY rt ORDER BY {col} {sort} NULLS LAST) AS r FROM t)
            ORDER BY rt, r {output}, seq"""
    want, n, last = [], 0, None
    for rt, item, volume, r in db.execute(q):
        n = n + 1 if rt == last else 1
        last = rt
        if not out_max or n <= out_max:
            want.append((fmt_rowtime(rt), item, volume, r))
    bad = [f"row {i}: sluice {g} sqlite {w}" for i, (g, w) in enumerate(zip(got, want)) if g != w]
    if len(got) != len(want):
        bad.append(f"{len(got)} rows from sluice, {len(want)} from sqlite")
    return report(not bad, f"GROUP_RANK {col} {sort} output {output} outputMax {out_max}", len(want), bad, "rows")


def main():
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "in.dump")
        for seed in range(4):
            rows = gen_rows(seed, 3000 + 1000 * seed)
            write_dump(rows, dump)
            db = db_of(rows)
            rnd = random.Random(50 + seed)
            for col in ("item", "volume"):
                ok &= check_distinct(db, dump, tmp, col, rnd.choice([1, 5, 10, 60]))
                ok &= check_topk(db, dump, tmp, col, rnd.choice([1, 3, 10]), rnd.choice([1, 5, 10, 60]))
            ok &= check_topk(db, dump, tmp, "item", 100000, 3600)
        for seed in range(3):
            # Many rows per ROWTIME: groups of 1 to 30 rows.
            rows = gen_rows(10 + seed, 3000, items=20, gaps=(0,) * 12 + (1, 5, 1000))
            write_dump(rows, dump)
            db = db_of(rows)
            rnd = random.Random(70 + seed)
            for col in ("volume", "item"):
                ok &= check_group_rank(db, dump, tmp, col, rnd.choice(["asc", "desc"]),
                                       rnd.choice(["asc", "desc"]), rnd.choice([0, 0, 1, 3]))
        # Many distinct values in one window: 10,000 exactly (exact), then 10,001 (HLL).
        rnd = random.Random(7)
        vals = ["v%d" % i for i in range(10000)]
        rows = [(BASE_MS + i, v, None) for i, v in enumerate(vals + [rnd.choice(vals) for _ in range(5000)])]
        write_dump(rows, dump)
        db = db_of(rows)
        ok &= check_distinct(db, dump, tmp, "item", 3600)
        ok &= check_topk(db, dump, tmp, "item", 2500, 3600)
        rows.append((BASE_MS + len(rows), "one-more", None))
        write_dump(rows, dump)
        sql = INPUT + """CREATE STREAM "OUT" (n BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SRC_001"), 'item', 3600));
"""
        out = run_sluice(sql, dump, tmp)
        est = out[0]["N"] if len(out) == 1 else None
        good = est is not None and abs(est - 10001) <= 0.025 * 10001
        print(f"{'ok' if good else 'FAIL'}: COUNT_DISTINCT of 10,001 values (approximate): {est}")
        ok &= good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
