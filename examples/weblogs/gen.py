#!/usr/bin/env python3
"""Apache access-log lines (common and combined format) as JSON records: {"log": "..."}.

Deterministic for a given --seed. Requests come from a few dozen clients for a small site;
statuses are mostly 200/304 with some 404s, and from --burst-at seconds for --burst-len
seconds the backend fails: about half the requests get a 500/502/503. About 70% of the
lines are in combined format (NCSA extended: referer and user agent), the rest common; one
line in 200 is garbage (a truncated write), as real logs have.

Output, on stdout:
  default        one JSON record per line ({"log": ...}), --rate lines a second (0: at once)
  --dump         a replay dump for `sluice run --replay` (what `sluice tail --format kinesis`
                 writes): SequenceNumber, ApproximateArrivalTimestamp (--start + i / --rate),
                 base64 Data, PartitionKey (the client address)
"""
import argparse, base64, json, random, sys, time

PATHS = ["/", "/index.html", "/products", "/products/42", "/cart", "/checkout", "/search?q=shoes",
         "/static/app.js", "/static/site.css", "/img/logo.png", "/api/v1/orders", "/login"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36",
          "curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def clf_time(epoch):
    """[01/May/2024:00:00:01 +0000]"""
    t = time.gmtime(epoch)
    return "[%02d/%s/%04d:%02d:%02d:%02d +0000]" % (t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year,
                                                     t.tm_hour, t.tm_min, t.tm_sec)


def line(rng, epoch, in_burst):
    host = "10.0.%d.%d" % (rng.randrange(4), rng.randrange(1, 40))
    user = rng.choice(["-"] * 9 + ["alice"])
    method = "POST" if rng.random() < 0.15 else "GET"
    path = rng.choice(PATHS)
    if in_burst and rng.random() < 0.5:
        status = rng.choice([500, 502, 503])
    else:
        status = rng.choices([200, 304, 404, 301], weights=[80, 10, 8, 2])[0]
    size = "-" if status in (304, 301) else str(rng.randrange(200, 50000))
    text = '%s - %s %s "%s %s HTTP/1.1" %d %s' % (host, user, clf_time(epoch), method, path, status, size)
    if rng.random() < 0.7:
        referer = rng.choice(["-", "https://www.example.com/", "https://www.google.com/"])
        text += ' "%s" "%s"' % (referer, rng.choice(AGENTS))
    if rng.random() < 0.005:
        text = text[:rng.randrange(5, 30)]
    return host, text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1200, help="lines to write")
    ap.add_argument("--rate", type=float, default=20, help="lines per second (0: as fast as possible)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", type=float, default=1714521600.0,
                    help="epoch seconds of the first line (--dump; the live mode uses the clock)")
    ap.add_argument("--burst-at", type=float, default=20, help="seconds from the start")
    ap.add_argument("--burst-len", type=float, default=10, help="seconds")
    ap.add_argument("--dump", action="store_true", help="write a replay dump")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    t0 = a.start if a.dump else time.time()
    mono = time.monotonic()
    for i in range(a.count):
        offset = i / a.rate if a.rate > 0 else 0.0
        in_burst = a.burst_at <= offset < a.burst_at + a.burst_len
        host, text = line(rng, t0 + offset, in_burst)
        rec = json.dumps({"log": text})
        if a.dump:
            sys.stdout.write(json.dumps({"SequenceNumber": "49600000000000000000%010d" % i,
                                         "ApproximateArrivalTimestamp": round(t0 + offset, 3),
                                         "Data": base64.b64encode(rec.encode()).decode(),
                                         "PartitionKey": host}) + "\n")
            continue
        sys.stdout.write(rec + "\n")
        if a.rate > 0:
            sys.stdout.flush()
            delay = mono + (i + 1) / a.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
