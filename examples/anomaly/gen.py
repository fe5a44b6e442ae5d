#!/usr/bin/env python3
"""Service metrics as JSON lines on stdout: {"host": "api-1", "latency_ms": 112.4, "errors": 3, "seq": 12}

One sample a minute from one host for two days, deterministic for a given --seed: latency
follows a daily cycle (80-160 ms) with noise, errors are 0-5 a minute. Two incidents are
planted on the second day, once the forest has seen a whole cycle:
  seq 2440      a latency spike (about 900 ms) with a normal error count
  seq 2740-2742 an error burst (60-80 errors a minute) with normal latency
--dump writes the records as `sluice tail --format kinesis` does (ApproximateArrivalTimestamp =
2024-05-01 00:00 UTC + seq minutes), ready for `sluice run APP --replay FILE`.
"""
import argparse, base64, json, math, random, sys

BASE = 1714521600  # 2024-05-01 00:00:00 UTC

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2880, help="samples (minutes)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--dump", action="store_true", help="write a replay dump instead of JSON lines")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for seq in range(a.count):
        latency = 120 + 40 * math.sin(2 * math.pi * seq / 1440) + rng.gauss(0, 6)
        errors = rng.randint(0, 5)
        if seq == 2440:
            latency = 900 + rng.uniform(-20, 20)
        if 2740 <= seq <= 2742:
            errors = rng.randint(60, 80)
        rec = json.dumps({"host": "api-1", "latency_ms": round(latency, 1), "errors": errors, "seq": seq})
        if a.dump:
            rec = json.dumps({"SequenceNumber": "%030d" % seq, "ApproximateArrivalTimestamp": BASE + 60 * seq,
                              "Data": base64.b64encode(rec.encode()).decode(), "PartitionKey": "api-1"},
                             separators=(",", ":"))
        sys.stdout.write(rec + "\n")

if __name__ == "__main__":
    main()
