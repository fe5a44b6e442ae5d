/*
 * loadgen.c - a lean load generator for a Kinesis-compatible endpoint (sluice serve,
 * kinesalite, ...).
 *
 *   loadgen put     --port P --stream S [--host H] [--conns 8] [--threads 1] [--seconds 5]
 *                   [--records 500] [--size 100] [--warmup 1]
 *       N keep-alive connections each send PutRecords requests back to back (one in flight
 *       per connection). The bodies (500 records of ~100 random bytes, random partition
 *       keys) are built once before the clock starts; replies are read only as far as the
 *       status line, Content-Length and "FailedRecordCount". Prints one line:
 *       "put records/s=... requests/s=... failed=... errors=... cpu=...%"
 *
 *   loadgen latency --port P --stream S [--shards 4] [--rate 200] [--seconds 5] [--poll-ms 5]
 *       One producer thread PutRecords single records at a fixed rate, each carrying its
 *       send time; the main thread polls GetRecords on every shard (from LATEST) and takes
 *       put->get latency = time seen - time sent. Prints
 *       "latency n=... p50_ms=... p99_ms=... max_ms=... put_p50_ms=... put_p99_ms=..."
 *
 * Plain sockets, epoll and pthreads; no JSON library: the requests are pre-encoded and
 * the replies are scanned for the few fields needed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host = "127.0.0.1";
static int port = 4567;
static const char *stream = "bench";
static int conns = 8, nthreads = 1, nrecords = 500, recsize = 100, nshards = 4, rate = 200, poll_ms = 5;
static double seconds = 5, warmup = 1;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------ small buffers */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t more)
{
    if (b->len + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + more + 1) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) die("out of memory");
    b->cap = cap;
}

static void buf_add(buf_t *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_add(buf_t *b, const unsigned char *s, size_t n)
{
    buf_reserve(b, (n + 2) / 3 * 4);
    char *o = b->p + b->len;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = B64[(v >> 6) & 63];
        *o++ = B64[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        *o++ = B64[v >> 18];
        *o++ = B64[(v >> 12) & 63];
        *o++ = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    b->len = (size_t)(o - b->p);
    b->p[b->len] = 0;
}

static size_t b64_decode(const char *s, size_t n, unsigned char *out)
{
    static signed char rev[256];
    if (!rev['B']) {
        memset(rev, -1, sizeof rev);
        for (int i = 0; i < 64; i++) rev[(unsigned char)B64[i]] = (signed char)i;
    }
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = rev[(unsigned char)s[i]];
        if (v < 0) continue;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* ------------------------------------------------------------------ HTTP */

static void http_request(buf_t *out, const char *op, const char *body, size_t body_len)
{
    buf_printf(out,
               "POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/x-amz-json-1.1\r\n"
               "X-Amz-Target: Kinesis_20131202.%s\r\nX-Amz-Date: 20260101T000000Z\r\n"
               "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/kinesis/"
               "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
               "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"
               "Content-Length: %zu\r\n\r\n",
               host, port, op, body_len);
    buf_add(out, body, body_len);
}

static int connect_to(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) die("bad host %s", host);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("connect %s:%d: %s", host, port, strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Incremental response parser: feed bytes until a whole response has arrived. */
typedef struct {
    buf_t in;
    size_t hdr_end;   /* offset of the body, 0 while headers are incomplete */
    long clen;        /* -1: chunked */
    int status;
} resp_t;

static const char *memstr(const char *h, size_t hl, const char *n)
{
    return memmem(h, hl, n, strlen(n));
}

/* Returns the total size of a complete response at the start of r->in, or 0. */
static size_t resp_complete(resp_t *r)
{
    if (!r->hdr_end) {
        const char *e = memstr(r->in.p, r->in.len, "\r\n\r\n");
        if (!e) return 0;
        r->hdr_end = (size_t)(e - r->in.p) + 4;
        r->status = atoi(r->in.p + 9);
        r->clen = 0;
        for (const char *l = r->in.p; l < e; l = strstr(l, "\r\n") + 2) {
            if (!strncasecmp(l, "content-length:", 15)) r->clen = atol(l + 15);
            if (!strncasecmp(l, "transfer-encoding:", 18) && strcasestr(l, "chunked")) r->clen = -1;
        }
    }
    if (r->clen >= 0)
        return r->in.len >= r->hdr_end + (size_t)r->clen ? r->hdr_end + (size_t)r->clen : 0;
    /* chunked: walk the chunks */
    size_t off = r->hdr_end;
    for (;;) {
        const char *e = memstr(r->in.p + off, r->in.len - off, "\r\n");
        if (!e) return 0;
        size_t n = strtoul(r->in.p + off, NULL, 16);
        off = (size_t)(e - r->in.p) + 2;
        if (n == 0) {
            const char *t = memstr(r->in.p + off - 2, r->in.len - off + 2, "\r\n\r\n");
            return t ? (size_t)(t - r->in.p) + 4 : 0;
        }
        if (r->in.len < off + n + 2) return 0;
        off += n + 2;
    }
}

static void resp_consume(resp_t *r, size_t n)
{
    memmove(r->in.p, r->in.p + n, r->in.len - n);
    r->in.len -= n;
    r->hdr_end = 0;
}

/* Blocking round trip on fd; the body (de-chunked is not needed: our scans tolerate chunk
 * markers) stays in r->in until the next call. Returns the response size. */
static size_t roundtrip(int fd, resp_t *r, const buf_t *req)
{
    size_t off = 0;
    while (off < req->len) {
        ssize_t n = write(fd, req->p + off, req->len - off);
        if (n <= 0) die("write: %s", strerror(errno));
        off += (size_t)n;
    }
    size_t total;
    while (!(total = resp_complete(r))) {
        buf_reserve(&r->in, 65536);
        ssize_t n = read(fd, r->in.p + r->in.len, r->in.cap - r->in.len - 1);
        if (n <= 0) die("read: %s", n ? strerror(errno) : "server closed the connection");
        r->in.len += (size_t)n;
        r->in.p[r->in.len] = 0;
    }
    return total;
}

/* ------------------------------------------------------------------ put mode */

#define NBODIES 8
static buf_t reqs[NBODIES];
static atomic_long tot_records, tot_failed, tot_requests, tot_errors;
static volatile int phase; /* 0 warmup, 1 measuring, 2 stop */

static void build_bodies(void)
{
    unsigned char *data = malloc((size_t)recsize);
    for (int b = 0; b < NBODIES; b++) {
        buf_t body = {0};
        buf_printf(&body, "{\"StreamName\":\"%s\",\"Records\":[", stream);
        for (int i = 0; i < nrecords; i++) {
            for (int j = 0; j < recsize; j++) data[j] = (unsigned char)rnd();
            buf_printf(&body, "%s{\"Data\":\"", i ? "," : "");
            b64_add(&body, data, (size_t)recsize);
            buf_printf(&body, "\",\"PartitionKey\":\"pk-%016llx\"}", (unsigned long long)rnd());
        }
        buf_add(&body, "]}", 2);
        http_request(&reqs[b], "PutRecords", body.p, body.len);
        free(body.p);
    }
    free(data);
}

typedef struct {
    int fd;
    size_t sent;   /* bytes of the current request written */
    int which;     /* body index */
    resp_t r;
} conn_t;

static void *put_worker(void *arg)
{
    int n = (int)(intptr_t)arg;
    int ep = epoll_create1(0);
    conn_t *cs = calloc((size_t)n, sizeof *cs);
    for (int i = 0; i < n; i++) {
        cs[i].fd = connect_to();
        fcntl(cs[i].fd, F_SETFL, fcntl(cs[i].fd, F_GETFL) | O_NONBLOCK);
        cs[i].which = (int)(rnd() % NBODIES);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    struct epoll_event evs[64];
    long recs = 0, failed = 0, reqn = 0, errs = 0;
    int last_phase = 0;
    while (phase < 2) {
        int k = epoll_wait(ep, evs, 64, 100);
        if (last_phase == 0 && phase == 1) { /* warmup over: drop what was counted */
            recs = failed = reqn = errs = 0;
            last_phase = 1;
        }
        for (int e = 0; e < k; e++) {
            conn_t *c = evs[e].data.ptr;
            const buf_t *q = &reqs[c->which];
            if (c->sent < q->len && (evs[e].events & EPOLLOUT)) {
                ssize_t w = write(c->fd, q->p + c->sent, q->len - c->sent);
                if (w < 0 && errno != EAGAIN) die("write: %s", strerror(errno));
                if (w > 0) c->sent += (size_t)w;
                if (c->sent == q->len) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (evs[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                buf_reserve(&c->r.in, 65536);
                ssize_t rd = read(c->fd, c->r.in.p + c->r.in.len, c->r.in.cap - c->r.in.len - 1);
                if (rd == 0) die("server closed a connection");
                if (rd < 0) {
                    if (errno == EAGAIN) continue;
                    die("read: %s", strerror(errno));
                }
                c->r.in.len += (size_t)rd;
                c->r.in.p[c->r.in.len] = 0;
                size_t tot = resp_complete(&c->r);
                if (!tot) continue;
                reqn++;
                if (c->r.status != 200) {
                    errs++;
                    if (errs <= 3)
                        fprintf(stderr, "loadgen: HTTP %d: %.200s\n", c->r.status, c->r.in.p + c->r.hdr_end);
                } else {
                    const char *f = memstr(c->r.in.p + c->r.hdr_end, tot - c->r.hdr_end, "\"FailedRecordCount\":");
                    long fc = f ? atol(f + 20) : 0;
                    failed += fc;
                    recs += nrecords - fc;
                }
                resp_consume(&c->r, tot);
                c->sent = 0;
                c->which = (c->which + 1) % NBODIES;
                struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            }
        }
    }
    atomic_fetch_add(&tot_records, recs);
    atomic_fetch_add(&tot_failed, failed);
    atomic_fetch_add(&tot_requests, reqn);
    atomic_fetch_add(&tot_errors, errs);
    for (int i = 0; i < n; i++) close(cs[i].fd);
    free(cs);
    close(ep);
    return NULL;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static int run_put(void)
{
    build_bodies();
    pthread_t th[64];
    if (nthreads > 64) nthreads = 64;
    for (int i = 0; i < nthreads; i++) {
        int n = conns / nthreads + (i < conns % nthreads);
        pthread_create(&th[i], NULL, put_worker, (void *)(intptr_t)n);
    }
    usleep((useconds_t)(warmup * 1e6));
    double t0 = now_s(), c0 = cpu_s();
    phase = 1;
    usleep((useconds_t)(seconds * 1e6));
    phase = 2;
    double t1 = now_s(), c1 = cpu_s();
    for (int i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
    double dt = t1 - t0;
    printf("put records/s=%.0f requests/s=%.1f failed=%ld errors=%ld loadgen_cpu=%.0f%% "
           "request_bytes=%zu conns=%d seconds=%.1f\n",
           (double)tot_records / dt, (double)tot_requests / dt, (long)tot_failed, (long)tot_errors,
           100 * (c1 - c0) / dt, reqs[0].len, conns, dt);
    return tot_errors ? 1 : 0;
}

/* ------------------------------------------------------------------ latency mode */

static int64_t *lat, *putlat;
static atomic_long nlat, nput;
static long maxsamples;
static volatile int prod_done;

static void *producer(void *arg)
{
    (void)arg;
    int fd = connect_to();
    resp_t r = {0};
    buf_t req = {0}, body = {0};
    int64_t period = (int64_t)(1e9 / rate), next = now_ns();
    int64_t end = next + (int64_t)(seconds * 1e9);
    unsigned char data[256];
    for (long i = 0; now_ns() < end; i++) {
        int64_t t = now_ns();
        int len = snprintf((char *)data, sizeof data, "lat:%lld:", (long long)t);
        while (len < recsize && len < (int)sizeof data) data[len++] = 'x';
        body.len = 0;
        req.len = 0;
        buf_printf(&body, "{\"StreamName\":\"%s\",\"PartitionKey\":\"k%ld\",\"Data\":\"", stream, i);
        b64_add(&body, data, (size_t)len);
        buf_add(&body, "\"}", 2);
        http_request(&req, "PutRecord", body.p, body.len);
        size_t tot = roundtrip(fd, &r, &req);
        if (r.status != 200) die("PutRecord: HTTP %d %.200s", r.status, r.in.p + r.hdr_end);
        resp_consume(&r, tot);
        long k = atomic_fetch_add(&nput, 1);
        if (k < maxsamples) putlat[k] = now_ns() - t;
        next += period;
        int64_t wait = next - now_ns();
        if (wait > 0) {
            struct timespec ts = {wait / 1000000000, wait % 1000000000};
            nanosleep(&ts, NULL);
        }
    }
    prod_done = 1;
    close(fd);
    return NULL;
}

/* Copies the JSON string value after "key":" into out (unescaping \/ \\ \"). */
static const char *json_str(const char *p, const char *end, const char *key, buf_t *out)
{
    const char *k = memstr(p, (size_t)(end - p), key);
    if (!k) return NULL;
    const char *s = k + strlen(key);
    out->len = 0;
    for (; s < end && *s != '"'; s++) {
        if (*s == '\\' && s + 1 < end) s++;
        buf_add(out, s, 1);
    }
    return s;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(int64_t *v, long n, double p)
{
    if (n <= 0) return -1;
    long i = (long)(p * (double)(n - 1) + 0.5);
    return (double)v[i] / 1e6;
}

static int run_latency(void)
{
    maxsamples = (long)(rate * (seconds + 5)) + 1000;
    lat = calloc((size_t)maxsamples, sizeof *lat);
    putlat = calloc((size_t)maxsamples, sizeof *putlat);
    int fd = connect_to();
    resp_t r = {0};
    buf_t req = {0}, body = {0}, val = {0};
    char **its = calloc((size_t)nshards, sizeof *its);
    for (int s = 0; s < nshards; s++) {
        body.len = req.len = 0;
        buf_printf(&body, "{\"StreamName\":\"%s\",\"ShardId\":\"shardId-%012d\",\"ShardIteratorType\":\"LATEST\"}",
                   stream, s);
        http_request(&req, "GetShardIterator", body.p, body.len);
        size_t tot = roundtrip(fd, &r, &req);
        if (r.status != 200 || !json_str(r.in.p + r.hdr_end, r.in.p + tot, "\"ShardIterator\":\"", &val))
            die("GetShardIterator shard %d: HTTP %d %.200s", s, r.status, r.in.p + r.hdr_end);
        its[s] = strdup(val.p);
        resp_consume(&r, tot);
    }
    pthread_t th;
    pthread_create(&th, NULL, producer, NULL);
    long polls = 0;
    int64_t drain_until = 0;
    unsigned char dec[512];
    for (;;) {
        if (prod_done && !drain_until) drain_until = now_ns() + 2000000000LL;
        if (drain_until && (now_ns() > drain_until || atomic_load(&nlat) >= atomic_load(&nput))) break;
        int got = 0;
        for (int s = 0; s < nshards; s++) {
            body.len = req.len = 0;
            buf_printf(&body, "{\"ShardIterator\":\"%s\",\"Limit\":10000}", its[s]);
            http_request(&req, "GetRecords", body.p, body.len);
            size_t tot = roundtrip(fd, &r, &req);
            polls++;
            if (r.status != 200) die("GetRecords: HTTP %d %.300s", r.status, r.in.p + r.hdr_end);
            int64_t seen = now_ns();
            const char *p = r.in.p + r.hdr_end, *end = r.in.p + tot;
            const char *q;
            while ((q = json_str(p, end, "\"Data\":\"", &val))) {
                size_t n = b64_decode(val.p, val.len < 600 ? val.len : 600, dec);
                dec[n < sizeof dec ? n : sizeof dec - 1] = 0;
                if (!strncmp((char *)dec, "lat:", 4)) {
                    long k = atomic_fetch_add(&nlat, 1);
                    if (k < maxsamples) lat[k] = seen - atoll((char *)dec + 4);
                    got++;
                }
                p = q;
            }
            if (json_str(r.in.p + r.hdr_end, end, "\"NextShardIterator\":\"", &val)) {
                free(its[s]);
                its[s] = strdup(val.p);
            }
            resp_consume(&r, tot);
        }
        if (!got && poll_ms > 0) usleep((useconds_t)poll_ms * 1000);
    }
    pthread_join(th, NULL);
    long n = atomic_load(&nlat) < maxsamples ? atomic_load(&nlat) : maxsamples;
    long np = atomic_load(&nput) < maxsamples ? atomic_load(&nput) : maxsamples;
    qsort(lat, (size_t)n, sizeof *lat, cmp64);
    qsort(putlat, (size_t)np, sizeof *putlat, cmp64);
    printf("latency n=%ld put=%ld p50_ms=%.2f p99_ms=%.2f max_ms=%.2f put_p50_ms=%.2f put_p99_ms=%.2f "
           "polls=%ld rate=%d poll_ms=%d\n",
           n, np, pct(lat, n, 0.5), pct(lat, n, 0.99), n ? (double)lat[n - 1] / 1e6 : -1,
           pct(putlat, np, 0.5), pct(putlat, np, 0.99), polls, rate, poll_ms);
    close(fd);
    return n < np ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) die("usage: loadgen put|latency [--port P] [--stream S] ...");
    const char *mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) die("%s needs a value", a);
        i++;
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--stream")) stream = v;
        else if (!strcmp(a, "--conns")) conns = atoi(v);
        else if (!strcmp(a, "--threads")) nthreads = atoi(v);
        else if (!strcmp(a, "--seconds")) seconds = atof(v);
        else if (!strcmp(a, "--warmup")) warmup = atof(v);
        else if (!strcmp(a, "--records")) nrecords = atoi(v);
        else if (!strcmp(a, "--size")) recsize = atoi(v);
        else if (!strcmp(a, "--shards")) nshards = atoi(v);
        else if (!strcmp(a, "--rate")) rate = atoi(v);
        else if (!strcmp(a, "--poll-ms")) poll_ms = atoi(v);
        else die("unknown option %s", a);
    }
    if (conns < 1 || nthreads < 1 || nrecords < 1 || nrecords > 500 || recsize < 1 || rate < 1)
        die("bad option value");
    rng_state ^= (uint64_t)now_ns();
    if (!strcmp(mode, "put")) return run_put();
    if (!strcmp(mode, "latency")) return run_latency();
    die("unknown mode %s (put or latency)", mode);
}
