#!/usr/bin/env python3
"""Points on a 10 x 10 field as JSON lines on stdout: {"x": 3.41, "y": 2.07, "seq": 12}

KDA's HOTSPOTS example data, deterministic for a given --seed: 80% of the points are uniform
over the field, 20% fall in a 1 x 1 square that moves every --period points:
  seq 0-999     square [2, 3] x [2, 3]
  seq 1000-1999 square [6, 7] x [5, 6]
  seq 2000-2999 square [4, 5] x [8, 9]      (then round again)
--dump writes the records as `sluice tail --format kinesis` does (one a second from
2024-05-01 00:00 UTC), ready for `sluice run APP --replay FILE`.
"""
import argparse, base64, json, random, sys

BASE = 1714521600  # 2024-05-01 00:00:00 UTC
SQUARES = [(2, 2), (6, 5), (4, 8)]

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--period", type=int, default=1000, help="points before the square moves")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--dump", action="store_true", help="write a replay dump instead of JSON lines")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for seq in range(a.count):
        if rng.random() < 0.2:
            x0, y0 = SQUARES[(seq // a.period) % len(SQUARES)]
            x, y = x0 + rng.random(), y0 + rng.random()
        else:
            x, y = 10 * rng.random(), 10 * rng.random()
        rec = json.dumps({"x": round(x, 4), "y": round(y, 4), "seq": seq})
        if a.dump:
            rec = json.dumps({"SequenceNumber": "%030d" % seq, "ApproximateArrivalTimestamp": BASE + seq,
                              "Data": base64.b64encode(rec.encode()).decode(), "PartitionKey": "p"},
                             separators=(",", ":"))
        sys.stdout.write(rec + "\n")

if __name__ == "__main__":
    main()
