#!/usr/bin/env python3
"""CPU metrics as JSON lines on stdout: {"host": "web-2", "cpu": 97.1, "seq": 12}

Four hosts, one sample each per round, deterministic for a given --seed:
  web-1, web-4  healthy: 20-50%
  web-2         flapping: 4 samples near 99%, then 4 near 60%, over and over, so the
                average of its last 5 samples crosses 80% again and again
  web-3         healthy for 10 rounds, then pinned near 95%
--rate N writes N lines per second (flushing each), 0 writes as fast as possible.
"""
import argparse, json, random, sys, time

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30, help="samples per host")
    ap.add_argument("--rate", type=float, default=0, help="lines per second (0: as fast as possible)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start, n = time.monotonic(), 0
    for seq in range(a.rounds):
        for host in ("web-1", "web-2", "web-3", "web-4"):
            if host == "web-2":
                cpu = rng.uniform(97, 100) if (seq // 4) % 2 == 0 else rng.uniform(58, 62)
            elif host == "web-3" and seq >= 10:
                cpu = rng.uniform(92, 98)
            else:
                cpu = rng.uniform(20, 50)
            sys.stdout.write(json.dumps({"host": host, "cpu": round(cpu, 1), "seq": seq}) + "\n")
            n += 1
            if a.rate > 0:
                sys.stdout.flush()
                delay = start + n / a.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
    sys.stdout.flush()

if __name__ == "__main__":
    main()
