#!/usr/bin/env python3
"""Stock ticks as JSON lines on stdout, in the shape of KDA's demo stream:
{"TICKER_SYMBOL": "AMZN", "SECTOR": "RETAIL", "CHANGE": -0.42, "PRICE": 181.2}

Deterministic for a given --seed. --rate N writes N records per second (flushing each
line), 0 writes as fast as possible. CHANGE is the move from the ticker's previous price,
in percent; about one tick in 40 is a jump of 5-10%.
"""
import argparse, json, random, sys, time

TICKERS = {"AMZN": ("RETAIL", 181.0), "MSFT": ("TECHNOLOGY", 415.0),
           "AAPL": ("TECHNOLOGY", 227.0), "JPM": ("FINANCIAL", 198.0),
           "XOM": ("ENERGY", 112.0)}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=500, help="records to write")
    ap.add_argument("--rate", type=float, default=0, help="records per second (0: as fast as possible)")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    price = {t: p for t, (_, p) in TICKERS.items()}
    names = sorted(TICKERS)
    start = time.monotonic()
    for i in range(a.count):
        t = rng.choice(names)
        pct = rng.gauss(0, 0.4)
        if rng.random() < 0.025:
            pct = rng.choice((-1, 1)) * rng.uniform(5, 10)
        new = round(price[t] * (1 + pct / 100), 2)
        change = round((new - price[t]) / price[t] * 100, 2)
        price[t] = new
        sys.stdout.write(json.dumps({"TICKER_SYMBOL": t, "SECTOR": TICKERS[t][0],
                                     "CHANGE": change, "PRICE": new}) + "\n")
        if a.rate > 0:
            sys.stdout.flush()
            delay = start + (i + 1) / a.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    sys.stdout.flush()

if __name__ == "__main__":
    main()
