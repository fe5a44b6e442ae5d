#!/usr/bin/env python3
"""test_sql_differential.py - differential test of the window operators against SQLite.

For several random streams (tickers, prices, volumes with NULLs, strictly increasing
ROWTIMEs with random gaps) it runs streaming queries with `sluice run --replay` and the
same computation as a batch query in SQLite (python3's sqlite3) over the same rows, and
compares the results:

  tumbling  GROUP BY ticker, STEP(ROWTIME BY INTERVAL 'w' SECOND) with COUNT(*), COUNT(x),
            SUM, MIN, MAX, AVG (+ WHERE and HAVING)  vs  GROUP BY ticker, rowtime / w
  sliding   agg OVER (PARTITION BY ticker RANGE INTERVAL 'w' SECOND PRECEDING) and
            ROWS n PRECEDING  vs  SQLite window functions with the same frames

  frame     LAG, FIRST_VALUE, LAST_VALUE, NTH_VALUE over the same RANGE and ROWS frames
            vs  SQLite's FIRST_VALUE, LAST_VALUE, NTH_VALUE with those frames, and for LAG
            (which SQLite, as the standard, reads from the whole partition while KDA reads
            from the frame) LAG guarded by the frame's COUNT(*); what SQLite lacks (IGNORE
            NULLS, NTH_VALUE FROM LAST, EXP_AVG) against a model in Python of KDA's
            definitions over the same frames

  scalar    the string and numeric functions SQLite has with the same semantics (UPPER,
            LOWER, CHAR_LENGTH, SUBSTRING(s FROM p FOR n) with p >= 1, POSITION, TRIM
            [LEADING|TRAILING], ABS, MOD, POWER/EXP/LN/LOG10 when SQLite has its math
            functions) over random ASCII strings and integers with NULLs  vs  upper, lower,
            length, substr, instr, trim/ltrim/rtrim, abs, %, pow, exp, ln, log10

The expected answer comes from SQLite, not from sluice (the sqllogictest idea). Doubles are
compared with a relative tolerance of 1e-9 (sliding windows subtract expired rows).
Needs $SLUICE.
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
    ticker VARCHAR(4) PATH '$.ticker', price DOUBLE PATH '$.price', volume BIGINT PATH '$.volume');
"""


def gen_rows(seed, n):
    """n random rows (rowtime ms, ticker, price or None, volume or None), rowtimes strictly rising."""
    rnd = random.Random(seed)
    t = BASE_MS + rnd.randrange(0, 5000)
    rows = []
    for _ in range(n):
        t += rnd.choice([1, 7, 50, 333, 1000, 2500, 9000])
        ticker = rnd.choice(["AA", "BB", "CC", "DD", "EE"])
        price = None if rnd.random() < 0.05 else round(rnd.uniform(1, 500), 2)
        volume = None if rnd.random() < 0.05 else rnd.randrange(0, 10000)
        rows.append((t, ticker, price, volume))
    return rows


def write_dump(rows, path):
    """The rows as a replay dump (ROWTIME = arrival time)."""
    with open(path, "w") as f:
        for i, (t, k, p, v) in enumerate(rows):
            data = json.dumps({"ticker": k, "price": p, "volume": v}).encode()
            f.write(json.dumps({"SequenceNumber": str(i), "ApproximateArrivalTimestamp": t / 1000.0,
                                "Data": base64.b64encode(data).decode(), "PartitionKey": k}) + "\n")


def run_sluice(sql, dump, tmp, env=None):
    """Runs an application; returns its output rows as dicts. A dump of 8 MB or more is
    decoded by several threads; it is then also run sequentially and the two outputs must
    be identical."""
    app = os.path.join(tmp, "app.sql")
    with open(app, "w") as f:
        f.write(sql)
    r = subprocess.run([SLUICE, "run", app, "--replay", dump], capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or r.stderr:
        raise RuntimeError(f"sluice failed ({r.returncode}): {r.stderr[:2000]}")
    if os.path.getsize(dump) >= 8 << 20:
        seq = subprocess.run([SLUICE, "run", app, "--replay", dump], capture_output=True, text=True,
                             timeout=300, env=dict(os.environ, SLUICE_SEQUENTIAL="1"))
        if seq.stdout != r.stdout:
            raise RuntimeError("parallel and sequential replays differ")
        print("ok: parallel and sequential replays of a large dump are identical")
    return [json.loads(l) for l in r.stdout.splitlines() if l]


def close(a, b):
    """Equality with a relative tolerance for floats; NULLs equal NULLs."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def db_of(rows):
    """An SQLite database holding the rows."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (seq INTEGER, rt INTEGER, ticker TEXT, price REAL, volume INTEGER)")
    db.executemany("INSERT INTO t VALUES (?,?,?,?,?)", [(i,) + r for i, r in enumerate(rows)])
    return db


def check_tumbling(rows, dump, tmp, w, where, having):
    """Tumbling GROUP BY vs SQLite GROUP BY over rowtime / w."""
    wms = w * 1000
    sql = INPUT + f"""CREATE STREAM "OUT" (ticker VARCHAR(4), n BIGINT, np BIGINT, sv BIGINT, mn DOUBLE, mx DOUBLE, av DOUBLE, mv BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*), COUNT(price), SUM(volume), MIN(price), MAX(price), AVG(price), MAX(volume)
FROM "SRC_001" {"WHERE " + where if where else ""}
GROUP BY ticker, STEP("SRC_001".ROWTIME BY INTERVAL '{w}' SECOND) {"HAVING " + having if having else ""};
"""
    got = {}
    for o in run_sluice(sql, dump, tmp):
        got[(o["ROWTIME"], o["TICKER"])] = [o["N"], o["NP"], o["SV"], o["MN"], o["MX"], o["AV"], o["MV"]]
    q = f"""SELECT (rt / {wms}) * {wms} + {wms}, ticker, COUNT(*), COUNT(price), SUM(volume), MIN(price), MAX(price),
               AVG(price), MAX(volume) FROM t {"WHERE " + where if where else ""}
            GROUP BY rt / {wms}, ticker {"HAVING " + having if having else ""}"""
    want = {}
    for r in db_of(rows).execute(q):
        want[(fmt_rowtime(r[0]), r[1])] = list(r[2:])
    return compare(got, want, f"tumbling w={w}s where={where} having={having}")


def check_sliding(rows, dump, tmp, w, nrows):
    """Sliding OVER windows vs SQLite window functions (rowtimes are unique, so RANGE peers
    cannot differ between the streaming and the batch frame)."""
    wms = w * 1000
    sql = INPUT + f"""CREATE STREAM "OUT" (ticker VARCHAR(4), c BIGINT, s BIGINT, a DOUBLE, mn DOUBLE, mx DOUBLE, r BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, COUNT(*) OVER w1, SUM(volume) OVER w1, AVG(price) OVER w1, MIN(price) OVER w1, MAX(price) OVER w1,
    SUM(volume) OVER (ROWS {nrows} PRECEDING)
FROM "SRC_001" WINDOW w1 AS (PARTITION BY ticker RANGE INTERVAL '{w}' SECOND PRECEDING);
"""
    got = {}
    for i, o in enumerate(run_sluice(sql, dump, tmp)):
        got[i] = [o["TICKER"], o["C"], o["S"], o["A"], o["MN"], o["MX"], o["R"]]
    frame = f"PARTITION BY ticker ORDER BY rt RANGE BETWEEN {wms} PRECEDING AND CURRENT ROW"
    q = f"""SELECT ticker, COUNT(*) OVER w1, SUM(volume) OVER w1, AVG(price) OVER w1, MIN(price) OVER w1,
               MAX(price) OVER w1, SUM(volume) OVER (ORDER BY seq ROWS BETWEEN {nrows} PRECEDING AND CURRENT ROW)
            FROM t WINDOW w1 AS ({frame}) ORDER BY seq"""
    want = {i: list(r) for i, r in enumerate(db_of(rows).execute(q))}
    return compare(got, want, f"sliding w={w}s rows={nrows}")


def check_frame_functions(rows, dump, tmp, w, nrows):
    """The frame functions (RESPECT NULLS, NTH_VALUE FROM FIRST: what SQLite has) vs SQLite.
    A KDA LAG whose row lies outside the frame gives its default, so the SQLite side is
    CASE WHEN COUNT(*) OVER frame > n THEN LAG(x, n) OVER partition ELSE default END."""
    wms = w * 1000
    sql = INPUT + f"""CREATE STREAM "OUT" (ticker VARCHAR(4), l1 DOUBLE, l2 BIGINT, fv DOUBLE, lv BIGINT, n2 DOUBLE,
    lr VARCHAR(4), fr VARCHAR(4), nr BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM ticker, LAG(price) OVER w1, LAG(volume, 2, -1) OVER w1, FIRST_VALUE(price) OVER w1,
    LAST_VALUE(volume) OVER w1, NTH_VALUE(price, 2) OVER w1, LAG(ticker, {nrows}) OVER w2,
    FIRST_VALUE(ticker) OVER w2, NTH_VALUE(volume, {nrows}) OVER w2
FROM "SRC_001" WINDOW w1 AS (PARTITION BY ticker RANGE INTERVAL '{w}' SECOND PRECEDING),
    w2 AS (ROWS {nrows} PRECEDING);
"""
    got = {}
    for i, o in enumerate(run_sluice(sql, dump, tmp)):
        got[i] = [o["TICKER"], o["L1"], o["L2"], o["FV"], o["LV"], o["N2"], o["LR"], o["FR"], o["NR"]]
    q = f"""SELECT ticker, CASE WHEN COUNT(*) OVER w1 > 1 THEN LAG(price) OVER p END,
               CASE WHEN COUNT(*) OVER w1 > 2 THEN LAG(volume, 2) OVER p ELSE -1 END,
               FIRST_VALUE(price) OVER w1, LAST_VALUE(volume) OVER w1, NTH_VALUE(price, 2) OVER w1,
               CASE WHEN COUNT(*) OVER w2 > {nrows} THEN LAG(ticker, {nrows}) OVER (ORDER BY seq) END,
               FIRST_VALUE(ticker) OVER w2, NTH_VALUE(volume, {nrows}) OVER w2
            FROM t WINDOW p AS (PARTITION BY ticker ORDER BY rt),
                w1 AS (PARTITION BY ticker ORDER BY rt RANGE BETWEEN {wms} PRECEDING AND CURRENT ROW),
                w2 AS (ORDER BY seq ROWS BETWEEN {nrows} PRECEDING AND CURRENT ROW)
            ORDER BY seq"""
    want = {i: list(r) for i, r in enumerate(db_of(rows).execute(q))}
    return compare(got, want, f"frame functions w={w}s rows={nrows}")


def frame_of(rows, i, w_ms, nrows):
    """Indexes of row i's frame, oldest first: its ticker's rows within w_ms before it (RANGE,
    inclusive) when w_ms is set, else the nrows rows before it of the whole stream (ROWS)."""
    if w_ms is None:
        return list(range(max(0, i - nrows), i + 1))
    t, k = rows[i][0], rows[i][1]
    return [j for j in range(i + 1) if rows[j][1] == k and rows[j][0] >= t - w_ms]


def model_pick(vals, frame, from_last, n, ignore_nulls, skip_current=False):
    """The value of the nth row of a frame counted from its first or last row (after the
    current row when skip_current), counting only non-NULL rows when ignore_nulls; None
    when there are too few."""
    order = list(reversed(frame)) if from_last else list(frame)
    if skip_current:
        order = order[1:]
    if ignore_nulls:
        order = [j for j in order if vals[j] is not None]
    return vals[order[n - 1]] if len(order) >= n else None


def model_exp_avg(rows, vals, frame, h_ms):
    """Average of the frame's non-NULL values weighted by 2^-floor(age / half-life)."""
    t = rows[frame[-1]][0]
    num = den = 0.0
    for j in reversed(frame):
        if vals[j] is not None:
            wt = 2.0 ** -((t - rows[j][0]) // h_ms)
            num += wt * vals[j]
            den += wt
    return num / den if den else None


def check_frame_model(rows, dump, tmp, w, nrows, h):
    """IGNORE NULLS, NTH_VALUE FROM LAST and EXP_AVG vs the Python model above."""
    sql = INPUT + f"""CREATE STREAM "OUT" (a DOUBLE, b BIGINT, c DOUBLE, d DOUBLE, e DOUBLE, f BIGINT, g DOUBLE, h DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM LAG(price, 2) IGNORE NULLS OVER w1, LAG(volume, 1, 0) IGNORE NULLS OVER w2,
    FIRST_VALUE(price) IGNORE NULLS OVER w1, LAST_VALUE(price) IGNORE NULLS OVER w1,
    NTH_VALUE(price, 2) FROM LAST OVER w1, NTH_VALUE(volume, 2) FROM LAST IGNORE NULLS OVER w2,
    EXP_AVG(price, INTERVAL '{h}' SECOND) OVER w1, EXP_AVG(volume, INTERVAL '{h}' SECOND) OVER w2
FROM "SRC_001" WINDOW w1 AS (PARTITION BY ticker RANGE INTERVAL '{w}' SECOND PRECEDING),
    w2 AS (ROWS {nrows} PRECEDING);
"""
    got = {i: [o[c] for c in "ABCDEFGH"] for i, o in enumerate(run_sluice(sql, dump, tmp))}
    price = [r[2] for r in rows]
    volume = [r[3] for r in rows]
    want = {}
    for i in range(len(rows)):
        f1, f2 = frame_of(rows, i, w * 1000, 0), frame_of(rows, i, None, nrows)
        prev_volume = [j for j in reversed(f2[:-1]) if volume[j] is not None]
        want[i] = [model_pick(price, f1, True, 2, True, skip_current=True),
                   volume[prev_volume[0]] if prev_volume else 0,
                   model_pick(price, f1, False, 1, True), model_pick(price, f1, True, 1, True),
                   model_pick(price, f1, True, 2, False), model_pick(volume, f2, True, 2, True),
                   model_exp_avg(rows, price, f1, h * 1000), model_exp_avg(rows, volume, f2, h * 1000)]
    return compare(got, want, f"frame functions (model) w={w}s rows={nrows} half-life={h}s")


def compare(got, want, what):
    """Compares two keyed result sets; prints the first differences."""
    bad = 0
    for k in sorted(set(got) | set(want), key=str):
        g, w = got.get(k), want.get(k)
        if g is None or w is None or len(g) != len(w) or not all(close(a, b) for a, b in zip(g, w)):
            if bad < 5:
                print(f"  {what}: {k}: sluice {g} sqlite {w}")
            bad += 1
    print(f"{'ok' if not bad else 'FAIL'}: {what}: {len(want)} rows{'' if not bad else f', {bad} differ'}")
    return bad == 0


def gen_scalar_rows(seed, n):
    """n random rows (s, p, k, i, j): ASCII strings with spaces, positions >= 1, lengths
    >= 0, integers of both signs and non-zero divisors; about 5% NULLs in each column."""
    rnd = random.Random(seed)
    alphabet = "abcXYZ o-_"

    def maybe(v):
        return None if rnd.random() < 0.05 else v

    rows = []
    for _ in range(n):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 12)))
        if rnd.random() < 0.3:
            s = " " * rnd.randrange(1, 3) + s + " " * rnd.randrange(0, 3)
        j = rnd.choice([-7, -3, -1, 1, 2, 5, 10, 1000])
        rows.append((maybe(s), maybe(rnd.randrange(1, 15)), maybe(rnd.randrange(0, 6)),
                     maybe(rnd.randrange(-100000, 100000)), maybe(j)))
    return rows


def check_scalar(seed):
    """The scalar functions, row by row, vs the same SQLite functions."""
    rows = gen_scalar_rows(seed, 400)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (seq INTEGER, s TEXT, p INTEGER, k INTEGER, i INTEGER, j INTEGER)")
    db.executemany("INSERT INTO t VALUES (?,?,?,?,?,?)", [(n,) + r for n, r in enumerate(rows)])
    try:
        db.execute("SELECT pow(2, 3), exp(0), ln(1), log10(10)").fetchone()
        math = True
    except sqlite3.OperationalError:
        math = False  # SQLite built without its math functions
    exprs = [("UPPER(s)", "upper(s)"), ("LOWER(s)", "lower(s)"), ("CHAR_LENGTH(s)", "length(s)"),
             ("SUBSTRING(s FROM p FOR k)", "substr(s, p, k)"), ("SUBSTRING(s, p)", "substr(s, p)"),
             ("POSITION('o' IN s)", "instr(s, 'o')"), ("POSITION('X ' IN s)", "instr(s, 'X ')"),
             ("TRIM(s)", "trim(s)"), ("TRIM(LEADING FROM s)", "ltrim(s)"),
             ("TRIM(TRAILING 'o' FROM s)", "rtrim(s, 'o')"), ("ABS(i)", "abs(i)"),
             ("MOD(i, j)", "i % j")]
    if math:
        exprs += [("POWER(j, 2)", "pow(j, 2)"), ("EXP(k)", "exp(k)"), ("LN(ABS(j))", "ln(abs(j))"),
                  ("LOG10(ABS(j))", "log10(abs(j))")]
    types = {"CHAR_LENGTH": "INTEGER", "POSITION": "INTEGER", "ABS": "INTEGER", "MOD": "INTEGER",
             "POWER": "DOUBLE", "EXP": "DOUBLE", "LN": "DOUBLE", "LOG10": "DOUBLE"}
    cols = ", ".join("c%d %s" % (n, types.get(e.split("(")[0], "VARCHAR(32)"))
                     for n, (e, _) in enumerate(exprs))
    sql = f"""CREATE OR REPLACE INPUT "SRC_001" FROM STREAM 's' FORMAT JSON (
    s VARCHAR(32) PATH '$.s', p INTEGER PATH '$.p', k INTEGER PATH '$.k', i INTEGER PATH '$.i',
    j INTEGER PATH '$.j');
CREATE STREAM "OUT" ({cols});
CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM {", ".join(e for e, _ in exprs)} FROM "SRC_001";
"""
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "in.dump")
        with open(dump, "w") as f:
            for n, (s, p, k, i, j) in enumerate(rows):
                data = json.dumps({"s": s, "p": p, "k": k, "i": i, "j": j}).encode()
                f.write(json.dumps({"SequenceNumber": str(n), "ApproximateArrivalTimestamp":
                                    (BASE_MS + n * 10) / 1000.0, "Data": base64.b64encode(data).decode(),
                                    "PartitionKey": "k"}) + "\n")
        got = {n: [o["C%d" % c] for c in range(len(exprs))] for n, o in enumerate(run_sluice(sql, dump, tmp))}
    q = "SELECT %s FROM t ORDER BY seq" % ", ".join(w for _, w in exprs)
    want = {n: list(r) for n, r in enumerate(db.execute(q))}
    return compare(got, want, "scalar functions seed=%d (%d expressions%s)" % (
        seed, len(exprs), "" if math else ", SQLite without math functions"))


def main():
    ok = True
    for seed in range(3):
        ok &= check_scalar(seed)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(6):
            rows = gen_rows(seed, 1500 + seed * 700)
            dump = os.path.join(tmp, "in.dump")
            write_dump(rows, dump)
            rnd = random.Random(100 + seed)
            ok &= check_tumbling(rows, dump, tmp, rnd.choice([1, 5, 10, 60]), None, None)
            ok &= check_tumbling(rows, dump, tmp, rnd.choice([2, 30]), "price > 100", "COUNT(*) > 1")
            ok &= check_sliding(rows, dump, tmp, rnd.choice([1, 10, 60]), rnd.choice([1, 3, 20]))
            ok &= check_frame_functions(rows, dump, tmp, rnd.choice([1, 10, 60]), rnd.choice([1, 3, 20]))
            ok &= check_frame_model(rows, dump, tmp, rnd.choice([1, 10, 60]), rnd.choice([1, 3, 20]),
                                    rnd.choice([1, 5, 30]))
        # A dump large enough for the parallel replay path.
        rows = gen_rows(99, 60000)
        dump = os.path.join(tmp, "big.dump")
        write_dump(rows, dump)
        ok &= check_tumbling(rows, dump, tmp, 10, "volume > 500", None)
        ok &= check_sliding(rows, dump, tmp, 30, 5)
        ok &= check_frame_functions(rows, dump, tmp, 30, 5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
