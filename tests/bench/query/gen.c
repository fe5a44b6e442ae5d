/*
 * gen.c - deterministic stock-tick events for the query benchmark (tests/bench/query/run.sh).
 *
 *   gen [-n EVENTS] [-r RATE] [-s SEED] [-t START] DUMP JSONL
 *
 * Writes EVENTS (default 2,000,000) events twice, in the same order:
 *   DUMP   a replay dump for `sluice run APP --replay DUMP`: one GetRecords record per line,
 *          {"SequenceNumber","ApproximateArrivalTimestamp" (epoch seconds, ms fraction),
 *          "Data" (base64 of the event),"PartitionKey" (the ticker)}, as `sluice tail
 *          --format kinesis` prints it;
 *   JSONL  the events as plain JSON lines for DuckDB's read_json, each with one more field,
 *          "rowtime": the arrival time in epoch milliseconds (the ROWTIME sluice gives it).
 * Either path may be /dev/null. An event looks like
 *   {"ticker":"AMZN","price":181.23,"volume":300,"event_time":"2026-11-22 01:00:00.123",
 *    "sector":"TECH","change":-0.12}
 * Arrival times advance at RATE events per second of stream time (default 10,000), starting
 * at START (epoch seconds, default 2026-11-22 01:00:00 UTC, a multiple of 10 s), so event i
 * arrives at START*1000 + floor(i*1000/RATE) ms and 2M events span 200 s: twenty 10-second
 * windows. 100 tickers with Zipf(1) popularity (the first takes about 19% of the events);
 * each ticker's price walks within +-8% of its base, and the bases are chosen so that
 * about half the events have price > 100 and none crosses 100. event_time lags the arrival
 * by 0-499 ms. The same SEED gives the same bytes on every machine.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTICKERS 100
#define NSECTORS 8

typedef struct ticker {
    char name[8];
    size_t namelen;
    const char *sector;
    int64_t base;  /* cents */
    int64_t price; /* cents, current */
    double cum;    /* cumulative popularity, for sampling */
} ticker_t;

static const char *const SECTORS[NSECTORS] = {"TECH",   "FINANCE", "HEALTH", "ENERGY",
                                              "RETAIL", "MEDIA",   "AUTO",   "TELECOM"};
static const char *const KNOWN[] = {"AMZN", "AAPL", "MSFT", "GOOG", "META", "NVDA", "TSLA",
                                    "NFLX", "ORCL", "INTC", "CSCO", "ADBE", "CRM",  "AMD"};

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rnd01(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

/* Days since 1970-01-01 -> civil date (proleptic Gregorian). */
static void civil(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define PUT_LIT(p, lit) put_str((p), (lit), sizeof(lit) - 1)

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

/* Writes v zero-padded to width digits. */
static char *put_fixed(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* Cents as a decimal with two places: -12 -> "-0.12". */
static char *put_cents(char *p, int64_t c)
{
    if (c < 0) {
        *p++ = '-';
        c = -c;
    }
    p = put_u64(p, (uint64_t)c / 100);
    *p++ = '.';
    return put_fixed(p, (uint64_t)c % 100, 2);
}

/* "YYYY-MM-DD HH:MM:SS.mmm" for epoch ms (>= 0). */
static char *put_time(char *p, int64_t ms)
{
    static int64_t cached_sec = -1;
    static char cached[19];
    int64_t sec = ms / 1000;
    if (sec != cached_sec) {
        int y, mo, d;
        civil(sec / 86400, &y, &mo, &d);
        int64_t s = sec % 86400;
        char *q = cached;
        q = put_fixed(q, (uint64_t)y, 4);
        *q++ = '-';
        q = put_fixed(q, (uint64_t)mo, 2);
        *q++ = '-';
        q = put_fixed(q, (uint64_t)d, 2);
        *q++ = ' ';
        q = put_fixed(q, (uint64_t)(s / 3600), 2);
        *q++ = ':';
        q = put_fixed(q, (uint64_t)(s / 60 % 60), 2);
        *q++ = ':';
        put_fixed(q, (uint64_t)(s % 60), 2);
        cached_sec = sec;
    }
    p = put_str(p, cached, sizeof cached);
    *p++ = '.';
    return put_fixed(p, (uint64_t)(ms % 1000), 3);
}

static char *put_base64(char *p, const unsigned char *s, size_t n)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *p++ = T[v >> 18];
        *p++ = T[v >> 12 & 63];
        *p++ = T[v >> 6 & 63];
        *p++ = T[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        *p++ = T[v >> 18];
        *p++ = T[v >> 12 & 63];
        *p++ = '=';
        *p++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        *p++ = T[v >> 18];
        *p++ = T[v >> 12 & 63];
        *p++ = T[v >> 6 & 63];
        *p++ = '=';
    }
    return p;
}

/* Names, sectors, popularity and price bases of the tickers. */
static void make_tickers(ticker_t *t)
{
    size_t nknown = sizeof KNOWN / sizeof KNOWN[0];
    double w[NTICKERS], total = 0;
    for (int k = 0; k < NTICKERS; k++) {
        if ((size_t)k < nknown) {
            strcpy(t[k].name, KNOWN[k]);
        } else {
            for (;;) { /* a fresh 3-4 letter symbol */
                int len = 3 + (int)(rnd() % 2);
                for (int j = 0; j < len; j++) t[k].name[j] = (char)('A' + rnd() % 26);
                t[k].name[len] = 0;
                int dup = 0;
                for (int j = 0; j < k && !dup; j++) dup = !strcmp(t[j].name, t[k].name);
                if (!dup) break;
            }
        }
        t[k].namelen = strlen(t[k].name);
        t[k].sector = k < 8 ? "TECH" : SECTORS[k % NSECTORS];
        w[k] = 1.0 / (k + 1);
        total += w[k];
    }
    /* Bases: greedily give the next most popular ticker to the lighter side of 100, so
     * price > 100 holds for about half of the events. */
    double high = 0, low = 0, cum = 0;
    for (int k = 0; k < NTICKERS; k++) {
        if (high <= low) {
            t[k].base = 11000 + (int64_t)(rnd() % 29000); /* 110.00 .. 399.99 */
            high += w[k];
        } else {
            t[k].base = 500 + (int64_t)(rnd() % 8500); /* 5.00 .. 89.99 */
            low += w[k];
        }
        t[k].price = t[k].base;
        cum += w[k] / total;
        t[k].cum = cum;
    }
    t[NTICKERS - 1].cum = 1.0;
}

static int pick(const ticker_t *t)
{
    double u = rnd01();
    int lo = 0, hi = NTICKERS - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < t[mid].cum)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen [-n EVENTS] [-r RATE] [-s SEED] [-t START_EPOCH_S] DUMP JSONL\n");
    exit(2);
}

static int64_t arg_num(const char *s, int64_t min)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min) usage();
    return v;
}

int main(int argc, char **argv)
{
    int64_t n = 2000000, rate = 10000, start = 1795309200; /* 2026-11-22 01:00:00 UTC */
    uint64_t seed = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (i + 1 >= argc) usage();
        switch (argv[i][1]) {
        case 'n': n = arg_num(argv[++i], 1); break;
        case 'r': rate = arg_num(argv[++i], 1); break;
        case 's': seed = (uint64_t)arg_num(argv[++i], 0); break;
        case 't': start = arg_num(argv[++i], 0); break;
        default: usage();
        }
    }
    if (argc - i != 2) usage();
    FILE *dump = open_out(argv[i]), *jsonl = open_out(argv[i + 1]);

    rng_state = seed;
    ticker_t t[NTICKERS];
    make_tickers(t);

    char ev[256], line[512];
    char seq[56];
    memset(seq, '0', sizeof seq);
    memcpy(seq, "49", 2);
    int64_t passed = 0, t0 = start * 1000;
    for (int64_t e = 0; e < n; e++) {
        int k = pick(t);
        ticker_t *x = &t[k];
        uint64_t r = rnd();
        /* Random walk of -0.25 .. +0.25, pushed back inside +-8% of the base. */
        int64_t step = (int64_t)(r % 51) - 25, lim = x->base * 8 / 100;
        if (x->price + step > x->base + lim || x->price + step < x->base - lim) step = -step;
        x->price += step;
        int64_t volume = 100 * (int64_t)(1 + (r >> 8) % 50);
        int64_t arrival = t0 + e * 1000 / rate;
        int64_t etime = arrival - (int64_t)((r >> 16) % 500);
        passed += x->price > 10000;

        char *p = ev;
        p = PUT_LIT(p, "{\"ticker\":\"");
        p = put_str(p, x->name, x->namelen);
        p = PUT_LIT(p, "\",\"price\":");
        p = put_cents(p, x->price);
        p = PUT_LIT(p, ",\"volume\":");
        p = put_u64(p, (uint64_t)volume);
        p = PUT_LIT(p, ",\"event_time\":\"");
        p = put_time(p, etime);
        p = PUT_LIT(p, "\",\"sector\":\"");
        p = put_str(p, x->sector, strlen(x->sector));
        p = PUT_LIT(p, "\",\"change\":");
        p = put_cents(p, step);
        size_t evlen = (size_t)(p - ev);

        /* JSONL: the event plus its rowtime. */
        p = put_str(line, ev, evlen);
        p = PUT_LIT(p, ",\"rowtime\":");
        p = put_u64(p, (uint64_t)arrival);
        p = PUT_LIT(p, "}\n");
        fwrite(line, 1, (size_t)(p - line), jsonl);

        /* Dump: the event (closed) in base64. */
        ev[evlen++] = '}';
        put_fixed(seq + 2, (uint64_t)e, (int)sizeof seq - 2);
        p = line;
        p = PUT_LIT(p, "{\"SequenceNumber\":\"");
        p = put_str(p, seq, sizeof seq);
        p = PUT_LIT(p, "\",\"ApproximateArrivalTimestamp\":");
        p = put_u64(p, (uint64_t)(arrival / 1000));
        *p++ = '.';
        p = put_fixed(p, (uint64_t)(arrival % 1000), 3);
        p = PUT_LIT(p, ",\"Data\":\"");
        p = put_base64(p, (const unsigned char *)ev, evlen);
        p = PUT_LIT(p, "\",\"PartitionKey\":\"");
        p = put_str(p, x->name, x->namelen);
        p = PUT_LIT(p, "\"}\n");
        fwrite(line, 1, (size_t)(p - line), dump);
    }
    if (fclose(dump) || fclose(jsonl)) {
        fprintf(stderr, "gen: write failed: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "gen: %lld events, %lld/s of ROWTIME (%.1f s), %d tickers, %.1f%% price > 100\n",
            (long long)n, (long long)rate, (double)n / (double)rate, NTICKERS,
            100.0 * (double)passed / (double)n);
    return 0;
}
