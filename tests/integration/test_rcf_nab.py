#!/usr/bin/env python3
"""test_rcf_nab.py - RANDOM_CUT_FOREST through `sluice run`, against Kinesis Data Analytics'
own scores on the Numenta Anomaly Benchmark series (issue 5, "Done means" 1).

For every *.csv of the NAB directory (timestamp,value,kda_score,label; see its README.md)
it writes a replay dump (one JSON record per row, ApproximateArrivalTimestamp = the row's
timestamp) and an application that runs

    SELECT STREAM i, v, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(
        CURSOR(SELECT STREAM i, v FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1))

(i, the row number, is a VARCHAR so it is passed through but not scored), runs
`sluice run app.sql --replay input.dump`, and compares the ANOMALY_SCORE column with KDA's.

The issue's gates are the target:

    gate 1  exactly 256 leading zeros in every file (KDA's warm-up)
    gate 2  Spearman rank correlation with KDA's scores after warm-up: median over the
            files >= 0.90, and no file below 0.80
    gate 3  |ROC-AUC(sluice) - ROC-AUC(KDA)| <= 0.02 against NAB's window labels, on every
            file with labelled anomalies
    gate 4  art_daily_perfect_square_wave's first score is 0.974486 (+-1e-6), and every
            art_flatline score after warm-up is 8/257 (+-1e-9)

Not all of them are met (functions/README.md, "NAB comparison", says why). This test
guards what is achieved and reports the rest:

  - it FAILS (exit 1, a `GUARD FAILED: ...` line each) on every gate part met today:
    gate 1 and gate 4 on every file, the median Spearman >= 0.90, Spearman >= 0.80 and
    |dAUC| <= 0.02 on every file that meets them;
  - on the files that miss a per-file part today (UNMET below, seed 1's figures) it fails
    on a regression beyond today's figure with a margin: Spearman more than 0.02 below
    it, or |dAUC| more than 0.01 above it;
  - it prints the full table and a loud `NOT MET: ...` line for each gate of the issue
    that is not met, and exits 0 when no guard fails.

Exit 77 (skip) when the NAB directory is absent. The directory is $SLUICE_NAB_DIR, else
$SLUICE_SRC/../shared/nab. The forests use sluice's default seed (1); SLUICE_RCF_SEED=n
runs another draw, for which the per-file Spearman and AUC parts are only reported (the
figures below are seed 1's; see the seed noise in functions/README.md) while gates 1, 4
and the median stay guarded. SLUICE_NAB_ONLY=substring runs the matching files only (the
median is then only reported). Needs $SLUICE.

When a change improves a file, the test says so; update its UNMET entry (drop it once the
issue's threshold is met) so that the guard follows.
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

# The thresholds.
RHO_MIN, RHO_MEDIAN_MIN, DAUC_MAX = 0.80, 0.90, 0.02
SQUARE_FIRST, FLAT = 0.974486, 8 / 257

# Seed 1's figures (2026-11-22) on the files that miss a per-file part of gate 2 or 3:
# (Spearman or None when >= 0.80, |dAUC| or None when <= 0.02). A file not listed must
# meet the thresholds. Regressions beyond these by more than the margins fail.
UNMET = {
    "artificialNoAnomaly__art_noisy": (0.7394, None),
    "artificialWithAnomaly__art_increase_spike_density": (0.5227, 0.1129),
    "artificialWithAnomaly__art_load_balancer_spikes": (0.7877, 0.0878),
    "realKnownCause__ambient_temperature_system_failure": (None, 0.0357),
    "realKnownCause__ec2_request_latency_system_failure": (None, 0.0213),
    "realKnownCause__rogue_agent_key_hold": (None, 0.0629),
}
RHO_MARGIN, DAUC_MARGIN = 0.02, 0.01

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


def fmt(x):
    return "n/a" if x is None else "%.4f" % x


def main():
    if not os.path.isdir(NAB):
        print("SKIP: no NAB directory at %s (set SLUICE_NAB_DIR)" % NAB)
        return 77
    only = os.environ.get("SLUICE_NAB_ONLY", "")
    files = sorted(f for f in os.listdir(NAB) if f.endswith(".csv") and only in f)
    if not files:
        print("SKIP: no .csv files in %s" % NAB)
        return 77
    seed = os.environ.get("SLUICE_RCF_SEED", "1")
    seed1 = seed.strip() == "1"
    print("NAB through `sluice run`: RANDOM_CUT_FOREST(CURSOR(...), 100, 256, 100000, 1), seed %s"
          % seed)
    print("%-48s %6s %5s %8s %7s %7s %6s  %s" % ("file", "rows", "zeros", "spearman", "auc",
                                                 "auc_kda", "|dauc|", "notes"))
    tmp = tempfile.mkdtemp(prefix="sluice-nab-")
    t0 = time.time()
    rows = 0
    rhos = []
    unmet_zeros, unmet_rho, unmet_auc, unmet_golden = [], [], [], []
    guard, improved = [], []
    try:
        for name in files:
            stem = name[:-4]
            kda, lab, sc = run_file(tmp, os.path.join(NAB, name))
            rows += len(sc)
            z = leading_zeros(sc)
            rho = spearman(sc[WARMUP:], kda[WARMUP:])
            a, ak = auc(sc[WARMUP:], lab[WARMUP:]), auc(kda[WARMUP:], lab[WARMUP:])
            da = abs(a - ak) if a is not None and ak is not None else None
            base_rho, base_da = UNMET.get(stem, (None, None))
            notes = []
            if z != WARMUP:
                unmet_zeros.append(stem)
                guard.append("%s: %d leading zeros, not %d" % (stem, z, WARMUP))
                notes.append("NOT MET: %d leading zeros" % z)
            if rho < RHO_MIN:
                unmet_rho.append(stem)
                notes.append("NOT MET: spearman < %.2f" % RHO_MIN)
            if da is not None and da > DAUC_MAX:
                unmet_auc.append(stem)
                notes.append("NOT MET: |dauc| > %.2f" % DAUC_MAX)
            if seed1:
                floor = RHO_MIN if base_rho is None else base_rho - RHO_MARGIN
                if rho < floor:
                    guard.append("%s: spearman %.4f < %.4f (%s)" % (
                        stem, rho, floor, "issue's threshold" if base_rho is None else
                        "today's %.4f - %.2f" % (base_rho, RHO_MARGIN)))
                elif base_rho is not None and rho >= base_rho + 0.005:
                    improved.append("%s: spearman %.4f (was %.4f)" % (stem, rho, base_rho))
                if da is not None:
                    ceil = DAUC_MAX if base_da is None else base_da + DAUC_MARGIN
                    if da > ceil:
                        guard.append("%s: |dauc| %.4f > %.4f (%s)" % (
                            stem, da, ceil, "issue's threshold" if base_da is None else
                            "today's %.4f + %.2f" % (base_da, DAUC_MARGIN)))
                    elif base_da is not None and da <= base_da - 0.005:
                        improved.append("%s: |dauc| %.4f (was %.4f)" % (stem, da, base_da))
            if "art_daily_perfect_square_wave" in name:
                first = sc[WARMUP]
                ok = abs(first - SQUARE_FIRST) <= 1e-6
                notes.append("first score %.6f%s" % (first, "" if ok else
                                                     " NOT MET (%.6f)" % SQUARE_FIRST))
                if not ok:
                    unmet_golden.append(stem)
                    guard.append("%s: first score %.6f, not %.6f" % (stem, first, SQUARE_FIRST))
            if "art_flatline" in name:
                bad = sum(1 for s in sc[WARMUP:] if abs(s - FLAT) > 1e-9)
                notes.append("all 8/257" if not bad else "NOT MET: %d scores != 8/257" % bad)
                if bad:
                    unmet_golden.append(stem)
                    guard.append("%s: %d scores after warm-up are not 8/257" % (stem, bad))
            print("%-48.48s %6d %5d %8.4f %7s %7s %6s  %s" % (stem, len(sc), z, rho, fmt(a),
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
    if med < RHO_MEDIAN_MIN:
        if only:
            print("note: median over a subset (SLUICE_NAB_ONLY), reported, not guarded")
        else:
            guard.append("median spearman %.4f < %.2f" % (med, RHO_MEDIAN_MIN))
    if not seed1:
        print("note: seed %s: per-file Spearman and AUC reported, not guarded (the figures "
              "kept are seed 1's)" % seed)
    gates = [
        ("gate 1: exactly 256 leading zeros on every file", unmet_zeros),
        ("gate 2: spearman median >= 0.90 (%.4f) and none below 0.80" % med,
         (["median"] if med < RHO_MEDIAN_MIN else []) + unmet_rho),
        ("gate 3: |AUC - AUC_KDA| <= 0.02 on every labelled file", unmet_auc),
        ("gate 4: square wave first score 0.974486, flatline 8/257", unmet_golden),
    ]
    print()
    for what, bad in gates:
        if bad:
            print("NOT MET: %s -- %s" % (what, ", ".join(bad)))
        else:
            print("MET:     %s" % what)
    for what in improved:
        print("IMPROVED (update UNMET in this test): %s" % what)
    for what in guard:
        print("GUARD FAILED: %s" % what)
    if guard:
        print("RESULT: FAIL, %d guard(s) failed: a met gate part broke or an unmet one regressed"
              % len(guard))
        return 1
    unmet = sum(1 for _, bad in gates if bad)
    print("RESULT: ok, no regression; %s" % (
        "all of issue 5's gates MET" if not unmet else
        "%d of issue 5's 4 gates NOT MET (the target; see the lines above)" % unmet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
