/*
 * alertbench.c - put -> alert latency: records put into a Kinesis stream of `sluice serve`,
 * an application filtering them to a webhook output, and this program's webhook receiver.
 *
 *   alertbench --port P --stream S --recv-port R [--host 127.0.0.1] [--rate 1000]
 *              [--seconds 60] [--wait-ms 2000] [--target-ms 20]
 *
 * The receiver (common/http.h, one worker) listens on 127.0.0.1:R (0 picks a free port;
 * "receiver port=N" is printed first either way) and, for every row POSTed to it (a JSON
 * object, or an array of them for batch > 1), records the wall time it arrived (CLOCK_REALTIME,
 * us) against the row's "id" and "sent_us". The sender puts {"id":N,"sent_us":T,"value":V}
 * with PutRecord over one keep-alive connection at RATE/s, paced by absolute deadlines
 * (start + N/RATE; a late put is sent at once, no skipping), T = wall time just before the
 * request is written. After the last put it waits up to WAIT_MS for the rows still on their
 * way, then prints sent, delivered, lost, duplicates, latency (receive time - sent_us)
 * p50/p90/p99/max, the PutRecord round trip p50/p99 and the put-ack -> webhook share, and
 * whether p99 <= TARGET_MS. Exit 1 on lost rows or failed puts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "buf.h"
#include "http.h"
#include "val.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host = "127.0.0.1";
static const char *stream = "latency";
static int port, recv_port, rate = 1000, wait_ms = 2000;
static double seconds = 60, target_ms = 20;

static long nslots;              /* ids 0 .. nslots-1 are tracked */
static _Atomic int64_t *recv_us; /* receive time per id, 0 = not yet */
static _Atomic int64_t *row_sent_us;
static int64_t *ack_us;          /* wall time the PutRecord reply arrived, per id */
static int64_t *put_rtt_ns;
static atomic_long ndelivered, ndup, nbad;

static void die(const char *msg, const char *detail)
{
    fprintf(stderr, "alertbench: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------ receiver */

/* The integer value of "key" (case-insensitive) in [p, end), or -1 when absent. */
static int64_t field_i64(const char *p, const char *end, const char *key)
{
    size_t kl = strlen(key);
    for (; p + kl + 2 < end; p++) {
        if (*p != '"' || p[kl + 1] != '"' || strncasecmp(p + 1, key, kl)) continue;
        const char *v = p + kl + 2;
        while (v < end && (*v == ' ' || *v == ':' || *v == '"')) v++;
        if (v < end && *v >= '0' && *v <= '9') return strtoll(v, NULL, 10);
        return -1;
    }
    return -1;
}

static void on_row(const char *obj, const char *end, int64_t now)
{
    int64_t id = field_i64(obj, end, "id"), sent = field_i64(obj, end, "sent_us");
    if (id < 0 || id >= nslots || sent <= 0) {
        atomic_fetch_add(&nbad, 1);
        return;
    }
    int64_t zero = 0;
    if (atomic_compare_exchange_strong(&recv_us[id], &zero, now)) {
        atomic_store(&row_sent_us[id], sent);
        atomic_fetch_add(&ndelivered, 1);
    } else {
        atomic_fetch_add(&ndup, 1);
    }
}

static void handler(void *ctx, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    (void)ctx;
    int64_t now = wall_us();
    const char *p = req->body, *end = req->body + req->body_len;
    /* Rows are flat objects (no nested braces; string values are numbers and a ROWTIME). */
    while ((p = memchr(p, '{', (size_t)(end - p)))) {
        const char *q = memchr(p, '}', (size_t)(end - p));
        if (!q) break;
        on_row(p, q, now);
        p = q + 1;
    }
    resp->status = 200;
    sl_buf_puts(resp->body, "{}");
}

static void *serve(void *s)
{
    sl_http_server_run(s);
    return NULL;
}

/* ------------------------------------------------------------------ PutRecord client */

static int connect_api(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) die("bad host", host);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect to the Kinesis API", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Sends req and reads one response (Content-Length framed) into in; returns the status. */
static int put_roundtrip(int fd, const sl_buf_t *req, sl_buf_t *in)
{
    for (size_t off = 0; off < req->len;) {
        ssize_t n = write(fd, req->p + off, req->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("write", strerror(errno));
        off += (size_t)n;
    }
    sl_buf_reset(in);
    size_t need = 0;
    for (;;) {
        if (!need && in->len) {
            const char *e = memmem(in->p, in->len, "\r\n\r\n", 4);
            if (e) {
                const char *cl = strcasestr(in->p, "\r\ncontent-length:");
                if (!cl || cl > e) die("reply without Content-Length", NULL);
                need = (size_t)(e - in->p) + 4 + strtoul(cl + 17, NULL, 10);
            }
        }
        if (need && in->len >= need) break;
        sl_buf_reserve(in, 4096);
        ssize_t n = read(fd, in->p + in->len, in->cap - in->len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("read", n ? strerror(errno) : "server closed the connection");
        in->len += (size_t)n;
        in->p[in->len] = 0;
    }
    if (in->len != need) die("unexpected bytes after a reply", NULL);
    return atoi(in->p + 9);
}

/* Puts ids 0 .. n-1 at `rate`; returns how many were acknowledged. */
static long run_sender(long n, long *failed)
{
    int fd = connect_api();
    sl_buf_t req = SL_BUF_INIT, body = SL_BUF_INIT, data = SL_BUF_INIT, in = SL_BUF_INIT;
    int64_t start = mono_ns() + 1000000, period = 1000000000LL / rate;
    long ok = 0;
    *failed = 0;
    for (long i = 0; i < n; i++) {
        int64_t deadline = start + i * period;
        struct timespec ts = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
        int64_t t0 = mono_ns(), sent = wall_us();
        sl_buf_reset(&data);
        sl_buf_printf(&data, "{\"id\":%ld,\"sent_us\":%lld,\"value\":%ld}", i, (long long)sent, i % 1000);
        sl_buf_reset(&body);
        sl_buf_printf(&body, "{\"StreamName\":\"%s\",\"PartitionKey\":\"k%ld\",\"Data\":\"", stream, i);
        sl_base64_encode(&body, data.p, data.len);
        sl_buf_puts(&body, "\"}");
        sl_buf_reset(&req);
        sl_buf_printf(&req,
                      "POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/x-amz-json-1.1\r\n"
                      "X-Amz-Target: Kinesis_20131202.PutRecord\r\nContent-Length: %zu\r\n\r\n",
                      host, port, body.len);
        sl_buf_append(&req, body.p, body.len);
        int status = put_roundtrip(fd, &req, &in);
        put_rtt_ns[i] = mono_ns() - t0;
        ack_us[i] = wall_us();
        if (status == 200) ok++;
        else if (++*failed <= 3) fprintf(stderr, "alertbench: PutRecord: HTTP %d %.200s\n", status, in.p);
    }
    close(fd);
    sl_buf_free(&req);
    sl_buf_free(&body);
    sl_buf_free(&data);
    sl_buf_free(&in);
    return ok;
}

/* ------------------------------------------------------------------ report */

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n-1], in ms from `unit` per ms. */
static double pct(const int64_t *v, long n, double p, double unit)
{
    if (n <= 0) return -1;
    long k = (long)(p * (double)n + 0.999999);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return (double)v[k - 1] / unit;
}

static void usage(void)
{
    fprintf(stderr, "usage: alertbench --port API_PORT --stream S --recv-port PORT [--host H] [--rate 1000] "
                    "[--seconds 60] [--wait-ms 2000] [--target-ms 20]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int have_port = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) usage();
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--port")) port = atoi(v), have_port = 1;
        else if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--stream")) stream = v;
        else if (!strcmp(a, "--recv-port")) recv_port = atoi(v);
        else if (!strcmp(a, "--rate")) rate = atoi(v);
        else if (!strcmp(a, "--seconds")) seconds = atof(v);
        else if (!strcmp(a, "--wait-ms")) wait_ms = atoi(v);
        else if (!strcmp(a, "--target-ms")) target_ms = atof(v);
        else usage();
    }
    if (!have_port || rate < 1 || rate > 1000000 || seconds <= 0 || wait_ms < 0) usage();
    long n = (long)(seconds * rate + 0.5);
    if (n < 1) n = 1;
    nslots = n;
    recv_us = calloc((size_t)n, sizeof *recv_us);
    row_sent_us = calloc((size_t)n, sizeof *row_sent_us);
    ack_us = calloc((size_t)n, sizeof *ack_us);
    put_rtt_ns = calloc((size_t)n, sizeof *put_rtt_ns);
    if (!recv_us || !row_sent_us || !ack_us || !put_rtt_ns) die("out of memory", NULL);

    sl_http_config_t cfg = {.host = "127.0.0.1", .port = recv_port, .threads = 1, .handler = handler};
    char *err = NULL;
    sl_http_server_t *srv = sl_http_server_new(&cfg, &err);
    if (!srv) die("webhook receiver", err);
    printf("receiver port=%d\n", sl_http_server_port(srv));
    fflush(stdout);
    pthread_t th;
    if (pthread_create(&th, NULL, serve, srv)) die("pthread_create", NULL);

    long failed = 0, acked = run_sender(n, &failed);
    int64_t until = mono_ns() + (int64_t)wait_ms * 1000000;
    while (atomic_load(&ndelivered) < acked && mono_ns() < until) usleep(1000);
    usleep(20000); /* late duplicates, if any, are counted too */
    sl_http_server_stop(srv);
    pthread_join(th, NULL);
    sl_http_server_free(srv);

    int64_t *lat = malloc((size_t)n * sizeof *lat), *tail = malloc((size_t)n * sizeof *tail);
    if (!lat || !tail) die("out of memory", NULL);
    long nl = 0;
    for (long i = 0; i < n; i++) {
        int64_t r = atomic_load(&recv_us[i]);
        if (!r) continue;
        lat[nl] = r - atomic_load(&row_sent_us[i]);
        tail[nl] = r - ack_us[i];
        nl++;
    }
    qsort(lat, (size_t)nl, sizeof *lat, cmp64);
    qsort(tail, (size_t)nl, sizeof *tail, cmp64);
    qsort(put_rtt_ns, (size_t)n, sizeof *put_rtt_ns, cmp64);
    long lost = acked - nl;
    double p99 = pct(lat, nl, 0.99, 1e3);
    printf("sent=%ld acked=%ld put_failed=%ld delivered=%ld lost=%ld duplicates=%ld bad_rows=%ld "
           "rate=%d seconds=%.1f\n",
           n, acked, failed, nl, lost, (long)atomic_load(&ndup), (long)atomic_load(&nbad), rate, seconds);
    printf("%-28s %9s %9s %9s %9s\n", "latency (ms)", "p50", "p90", "p99", "max");
    printf("%-28s %9.2f %9.2f %9.2f %9.2f\n", "put -> webhook (end to end)", pct(lat, nl, 0.5, 1e3),
           pct(lat, nl, 0.9, 1e3), p99, nl ? (double)lat[nl - 1] / 1e3 : -1);
    printf("%-28s %9.2f %9.2f %9.2f %9.2f\n", "  PutRecord round trip", pct(put_rtt_ns, n, 0.5, 1e6),
           pct(put_rtt_ns, n, 0.9, 1e6), pct(put_rtt_ns, n, 0.99, 1e6), (double)put_rtt_ns[n - 1] / 1e6);
    printf("%-28s %9.2f %9.2f %9.2f %9.2f\n", "  put acked -> webhook", pct(tail, nl, 0.5, 1e3),
           pct(tail, nl, 0.9, 1e3), pct(tail, nl, 0.99, 1e3), nl ? (double)tail[nl - 1] / 1e3 : -1);
    printf("target p99 <= %g ms: %s\n", target_ms, nl > 0 && p99 <= target_ms ? "met" : "NOT met");
    return lost > 0 || failed > 0 ? 1 : 0;
}
