#!/usr/bin/env python3
"""test_rcf_nab.py - RANDOM_CUT_FOREST through `sluice run`, against Kinesis Data Analytics'
own scores on the Numenta Anomaly Benchmark series (issue 5, "Done means" 1).

For every *.csv of the NAB directory (timestamp,value,kda_score,label; see its README.md)
it writes a replay dump (one JSON record per row, ApproximateArrivalTimestamp = the row's
timestamp) and an application that runs

    SELECT STREAM i, v, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(
        CURSOR(SELECT STREAM i, v FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1))

(i, the row number, is a VARCHAR so it is passed through but not scored), runs
`sluice run app.sql --replay input.dump`, and compares the ANOMALY_SCORE column with KDA's:

    gate 1  exactly 256 leading zeros in every file (KDA's warm-up)
    gate 2  Spearman rank correlation with KDA's scores after warm-up: median over the
            files >= 0.90, and no file below 0.80
    gate 3  |ROC-AUC(sluice) - ROC-AUC(KDA)| <= 0.02 against NAB's window labels, on every
            file with labelled anomalies
    gate 4  art_daily_perfect_square_wave's first score is 0.974486 (+-1e-6), and every
            art_flatline score after warm-up is 8/257 (+-1e-9)

It prints the table, then one line per gate, MET or NOT MET, and exits 0 when all are met,
1 when not (ctest label `rcf_nab_gates`, so a run can leave it out with -LE), 77 (skip)
when the NAB directory is absent. The directory is $SLUICE_NAB_DIR, else
$SLUICE_SRC/../shared/nab. The forests use sluice's default seed (1): SLUICE_RCF_SEED=n
runs another draw. SLUICE_NAB_ONLY=substring runs the matching files only (the gates then
apply to those). Needs $SLUICE.
"""
import calendar
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("SLUICE_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SLUICE = os.path.abspath(os.environ.get("SLUICE") or os.path.join(SRC, "build", "sluice"))
NAB = os.environ.get("SLUICE_NAB_DIR") or os.path.join(SRC, "..", "shared", "nab")
WARMUP = 256

APP = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'nab' FORMAT JSON (
    i VARCHAR(8) PATH '$.i', v DOUBLE PATH '$.v')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "SCORES" (i VARCHAR(8), v DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "RCF" AS INSERT INTO "SCORES"
SELECT STREAM i, v, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(
    CURSOR(SELECT STREAM i, v FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1));
CREATE OUTPUT "out" FOR "SCORES" TO STDOUT FORMAT JSON;
"""


def read_series(path):
    """(timestamps, values, kda scores, labels) of one NAB csv."""
    ts, vals, kda, lab = [], [], [], []
    with open(path) as f:
        next(f)
        for line in f:
            t, v, k, l = line.rstrip("\n").split(",")[:4]
            ts.append(calendar.timegm(time.strptime(t, "%Y-%m-%d %H:%M:%S")))
            vals.append(v)  # kept as written, so the engine parses the same digits
            kda.append(float(k))
            lab.append(int(l))
    return ts, vals, kda, lab


def write_dump(path, ts, vals):
    """A `sluice tail --format kinesis` dump of the series, one record per row."""
    import base64
    with open(path, "w") as f:
        for i, (t, v) in enumerate(zip(ts, vals)):
            data = '{"i":"%d","v":%s}' % (i, v)
            f.write('{"SequenceNumber":"%030d","ApproximateArrivalTimestamp":%d,"Data":"%s",'
                    '"PartitionKey":"p"}\n' % (i, t, base64.b64encode(data.encode()).decode()))


def ranks(v):
    """1-based ranks with ties given their average rank."""
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        avg = (i + j) / 2 + 1
        for k in range(i, j + 1):
            r[order[k]] = avg
        i = j + 1
    return r


def spearman(a, b):
    """Spearman's rho; two constant series count as 1 when equal (art_flatline)."""
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    saa = sum((x - ma) ** 2 for x in ra)
    sbb = sum((y - mb) ** 2 for y in rb)
    if saa == 0 and sbb == 0:
        return 1.0 if abs(a[0] - b[0]) < 1e-6 else 0.0
    if saa == 0 or sbb == 0:
        return 0.0
    return sab / math.sqrt(saa * sbb)


def auc(score, label):
    """ROC-AUC (Mann-Whitney, ties count half); None without both classes."""
    r = ranks(score)
    pos = sum(label)
    neg = len(label) - pos
    if pos == 0 or neg == 0:
        return None
    s = sum(x for x, l in zip(r, label) if l)
    return (s - pos * (pos + 1) / 2) / (pos * neg)


def run_file(tmp, path):
    """Runs one series through sluice; returns (row, scores) or raises."""
    ts, vals, kda, lab = read_series(path)
    d = os.path.join(tmp, os.path.basename(path)[:-4])
    os.makedirs(d)
    with open(os.path.join(d, "app.sql"), "w") as f:
        f.write(APP)
    write_dump(os.path.join(d, "input.dump"), ts, vals)
    r = subprocess.run([SLUICE, "run", "app.sql", "--replay", "input.dump"], cwd=d,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or r.stderr:
        raise RuntimeError("sluice run exited %d: %s" % (r.returncode, r.stderr[:500]))
    score = [None] * len(vals)
    for line in r.stdout.splitlines():
        o = json.loads(line)
        score[int(o["I"])] = o["ANOMALY_SCORE"]
    missing = sum(1 for s in score if s is None)
    if missing:
        raise RuntimeError("%d rows missing from the output" % missing)
    shutil.rmtree(d)
    return kda, lab, score


def leading_zeros(v):
    n = 0
    while n < len(v) and v[n] == 0:
        n += 1
    return n


def main():
    if not os.path.isdir(NAB):
        print("SKIP: no NAB directory at %s (set SLUICE_NAB_DIR)" % NAB)
        return 77
    only = os.environ.get("SLUICE_NAB_ONLY", "")
    files = sorted(f for f in os.listdir(NAB) if f.endswith(".csv") and only in f)
    if not files:
        print("SKIP: no .csv files in %s" % NAB)
        return 77
    seed = os.environ.get("SLUICE_RCF_SEED", "1 (default)")
    print("NAB through `sluice run`: RANDOM_CUT_FOREST(CURSOR(...), 100, 256, 100000, 1), seed %s"
          % seed)
    print("%-48s %6s %5s %8s %7s %7s %6s  %s" % ("file", "rows", "zeros", "spearman", "auc",
                                                 "auc_kda", "|dauc|", "notes"))
    tmp = tempfile.mkdtemp(prefix="sluice-nab-")
    t0 = time.time()
    rows = 0
    rhos = []
    fail_zeros, fail_rho, fail_auc, fail_golden = [], [], [], []
    try:
        for name in files:
            kda, lab, sc = run_file(tmp, os.path.join(NAB, name))
            rows += len(sc)
            z = leading_zeros(sc)
            rho = spearman(sc[WARMUP:], kda[WARMUP:])
            a, ak = auc(sc[WARMUP:], lab[WARMUP:]), auc(kda[WARMUP:], lab[WARMUP:])
            da = abs(a - ak) if a is not None and ak is not None else None
            notes = []
            if z != WARMUP:
                fail_zeros.append(name)
                notes.append("NOT MET: %d leading zeros" % z)
            if rho < 0.80:
                fail_rho.append(name)
                notes.append("NOT MET: spearman < 0.80")
            if da is not None and da > 0.02:
                fail_auc.append(name)
                notes.append("NOT MET: |dauc| > 0.02")
            if "art_daily_perfect_square_wave" in name:
                first = sc[WARMUP]
                ok = abs(first - 0.974486) <= 1e-6
                notes.append("first score %.6f%s" % (first, "" if ok else " NOT MET (0.974486)"))
                if not ok:
                    fail_golden.append(name)
            if "art_flatline" in name:
                bad = sum(1 for s in sc[WARMUP:] if abs(s - 8 / 257) > 1e-9)
                notes.append("all 8/257" if not bad else "NOT MET: %d scores != 8/257" % bad)
                if bad:
                    fail_golden.append(name)
            fmt = lambda x: "n/a" if x is None else "%.4f" % x
            print("%-48.48s %6d %5d %8.4f %7s %7s %6s  %s" % (name[:-4], len(sc), z, rho, fmt(a),
                                                              fmt(ak), fmt(da), "; ".join(notes)))
            rhos.append(rho)
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    srt = sorted(rhos)
    n = len(srt)
    med = srt[n // 2] if n % 2 else (srt[n // 2 - 1] + srt[n // 2]) / 2
    secs = time.time() - t0
    print("%d files, %d rows in %.1f s; median spearman %.4f, min %.4f" % (n, rows, secs, med,
                                                                          srt[0]))
    gates = [
        ("gate 1: exactly 256 leading zeros", not fail_zeros, fail_zeros),
        ("gate 2: spearman median >= 0.90 (%.4f) and none below 0.80" % med,
         med >= 0.90 and not fail_rho, fail_rho),
        ("gate 3: |AUC - AUC_KDA| <= 0.02 on every labelled file", not fail_auc, fail_auc),
        ("gate 4: square wave first score 0.974486, flatline 8/257", not fail_golden, fail_golden),
    ]
    for what, ok, bad in gates:
        print("%-7s %s%s" % ("MET" if ok else "NOT MET", what,
                             "" if ok else " -- " + ", ".join(b[:-4] for b in bad)))
    met = all(ok for _, ok, _ in gates)
    print("RESULT: %s" % ("all gates MET" if met else "gates NOT MET (see above)"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
