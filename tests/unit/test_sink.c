/*
 * test_sink.c - runtime/sink: delivery to a webhook, a file and a command, retries and the
 * dead-letter file, the alert policy (rate limit, de-duplication) under a virtual clock,
 * file rotation and CSV, draining on free, option errors.
 *
 * The webhook receiver is common/http.h's server on 127.0.0.1, port 0. It records the body
 * of every request it answers 2xx (so "received" means "accepted"), and can be told to
 * answer 500 to the first K requests, or to every request (fail_all). A receiver that is
 * down is simulated by stopping the server and starting a new one on the same port later
 * (connections refused meanwhile).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "http.h"
#include "sink/sink.h"
#include "val.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------ */
/* The receiver                                                                         */
/* ------------------------------------------------------------------------------------ */

/* A local webhook receiver and what it saw. */
typedef struct receiver {
    sl_http_server_t *s;   /* the server, NULL while "down" */
    pthread_t thread;      /* runs sl_http_server_run */
    int port;              /* the port, kept across restarts */
    pthread_mutex_t mu;    /* guards the fields below (handlers run on 2 threads) */
    char **bodies;         /* bodies of the requests answered 2xx, in arrival order */
    int64_t *at_ns;        /* sl_clock_mono_ns() when each body was accepted */
    size_t nbodies;        /* entries of bodies and at_ns */
    int requests;          /* every request, answered 2xx or not */
    int fail_first;        /* answer 500 (and close) to this many more requests */
    int fail_all;          /* answer fail_status (500 unless set) to every request */
    int fail_status;       /* the status of programmed failures; 0 means 500 */
    char content_type[64]; /* Content-Type of the last request */
} receiver_t;

/* Records or fails one request, as programmed. */
static void recv_handler(void *ctx, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    receiver_t *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->requests++;
    const char *ct = sl_http_header(req, "content-type");
    snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
    if (r->fail_all || r->fail_first > 0) {
        if (r->fail_first > 0) r->fail_first--;
        resp->status = r->fail_status ? r->fail_status : 500;
        resp->close = true;
        sl_buf_puts(resp->body, "{\"error\":\"programmed\"}");
    } else {
        r->bodies = realloc(r->bodies, (r->nbodies + 1) * sizeof(char *));
        r->at_ns = realloc(r->at_ns, (r->nbodies + 1) * sizeof(int64_t));
        r->at_ns[r->nbodies] = sl_clock_mono_ns();
        r->bodies[r->nbodies] = malloc(req->body_len + 1);
        memcpy(r->bodies[r->nbodies], req->body, req->body_len + 1);
        r->nbodies++;
        resp->status = 200;
    }
    pthread_mutex_unlock(&r->mu);
}

/* Body of the server thread. */
static void *recv_thread(void *arg)
{
    receiver_t *r = arg;
    sl_http_server_run(r->s);
    return NULL;
}

/* Starts (or restarts, on r->port) the server. */
static void recv_up(receiver_t *r)
{
    sl_http_config_t cfg = {
        .host = "127.0.0.1", .port = r->port, .threads = 2, .handler = recv_handler, .ctx = r};
    char *err = NULL;
    r->s = sl_http_server_new(&cfg, &err);
    if (!r->s) fail_msg("server_new: %s", err);
    r->port = sl_http_server_port(r->s);
    pthread_create(&r->thread, NULL, recv_thread, r);
}

/* Stops the server: connections are refused until recv_up. */
static void recv_down(receiver_t *r)
{
    sl_http_server_stop(r->s);
    pthread_join(r->thread, NULL);
    sl_http_server_free(r->s);
    r->s = NULL;
}

static receiver_t *recv_start(void)
{
    receiver_t *r = calloc(1, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    recv_up(r);
    return r;
}

static void recv_stop(receiver_t *r)
{
    if (r->s) recv_down(r);
    for (size_t i = 0; i < r->nbodies; i++) free(r->bodies[i]);
    free(r->bodies);
    free(r->at_ns);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* The receiver's URL (static buffer). */
static const char *recv_url(const receiver_t *r)
{
    static char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", r->port);
    return url;
}

/* ------------------------------------------------------------------------------------ */
/* Helpers                                                                              */
/* ------------------------------------------------------------------------------------ */

/* An output of kind with target and the NULL-terminated key/value option pairs. */
typedef struct out_holder {
    sl_app_output_t out;
    sl_app_option_t opts[16];
} out_holder_t;

static void make_out(out_holder_t *h, sl_sink_kind_t kind, const char *target, ...)
{
    memset(h, 0, sizeof *h);
    h->out.name = "ALERTS";
    h->out.id = "1.1";
    h->out.kind = kind;
    h->out.target = (char *)target;
    h->out.options = h->opts;
    va_list ap;
    va_start(ap, target);
    const char *k;
    while ((k = va_arg(ap, const char *))) {
        h->opts[h->out.noptions].key = (char *)k;
        h->opts[h->out.noptions].value = va_arg(ap, char *);
        h->out.noptions++;
    }
    va_end(ap);
}

/* A sink that must build. */
static sl_sink_t *sink_ok(const out_holder_t *h, const sl_sink_columns_t *cols)
{
    char *err = NULL;
    sl_sink_t *s = sl_sink_new(&h->out, cols, &err);
    if (!s) fail_msg("sl_sink_new: %s", err);
    return s;
}

/* The JSON text of row i: {"id":i,"sensor":"<sensor>","ROWTIME":"..."} (static buffer). */
static const char *row_json(int i, const char *sensor, int64_t ms)
{
    static char buf[160];
    char ts[24];
    sl_clock_format_ms(ms, ts);
    snprintf(buf, sizeof buf, "{\"id\":%d,\"sensor\":\"%s\",\"ROWTIME\":\"%s\"}", i, sensor, ts);
    return buf;
}

/* Writes row i; returns what sl_sink_write returned. */
static int put(sl_sink_t *s, int i, const char *sensor)
{
    const char *j = row_json(i, sensor, 1700000000000 + i);
    return sl_sink_write(s, j, strlen(j), 1700000000000 + i);
}

/* Appends the ids found in body (an object or an array of objects) to ids. */
static void body_ids(const char *body, int *ids, size_t *n)
{
    sl_arena_t *a = sl_arena_new(0);
    const char *err;
    sl_val_t *v = sl_json_parse(a, body, strlen(body), &err);
    assert_non_null(v);
    if (v->type == SL_V_ARR) {
        for (size_t i = 0; i < v->u.arr.n; i++) {
            int64_t id;
            assert_true(sl_val_get_i64(v->u.arr.items[i], "id", &id));
            ids[(*n)++] = (int)id;
        }
    } else {
        int64_t id;
        assert_true(sl_val_get_i64(v, "id", &id));
        ids[(*n)++] = (int)id;
    }
    sl_arena_free(a);
}

/* Checks the receiver accepted exactly ids 0..n-1, in order. */
static void expect_ids_in_order(receiver_t *r, int n)
{
    int *ids = calloc((size_t)n + 64, sizeof(int));
    size_t got = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->nbodies && got < (size_t)n + 32; i++)
        body_ids(r->bodies[i], ids, &got);
    pthread_mutex_unlock(&r->mu);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++) assert_int_equal(ids[i], i);
    free(ids);
}

/* A fresh temporary directory (static buffer). */
static const char *tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/sl_sink_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

/* Reads a whole file into a heap string (NULL when missing). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sl_buf_t b = SL_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sl_buf_append(&b, chunk, n);
    fclose(f);
    if (!b.p) sl_buf_reserve(&b, 1);
    return sl_buf_steal(&b);
}

/* Lines of text. */
static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; p && *p; p++) n += *p == '\n';
    return n;
}

/* Removes a temporary directory and its files. */
static void rmtree(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------------------------------------ */
/* Webhook                                                                              */
/* ------------------------------------------------------------------------------------ */

/* One object per POST, in order, with the row text unchanged. */
static void test_webhook_rows_arrive_in_order(void **state)
{
    receiver_t *r = recv_start();
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), "headers", "X-Team: ops; X-Env: test", (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    for (int i = 0; i < 200; i++) assert_int_equal(put(s, i, "a"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    expect_ids_in_order(r, 200);
    assert_string_equal(r->bodies[7], row_json(7, "a", 1700000000007));
    assert_string_equal(r->content_type, "application/json");
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_int_equal(st.delivered, 200);
    assert_int_equal(st.written, 200);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.queued, 0);
    sl_buf_t m = SL_BUF_INIT;
    sl_sink_sample_t smp[2] = {{.output = "ALERTS", .st = st},
                               {.application = "a\"pp", .output = "OUT", .st = st}};
    sl_sink_metrics(smp, 2, &m);
    assert_non_null(strstr(m.p, "# TYPE sluice_sink_delivered_total counter\n"
                                "sluice_sink_delivered_total{output=\"ALERTS\"} 200\n"
                                "sluice_sink_delivered_total{application=\"a\\\"pp\",output=\"OUT\"} 200\n"));
    assert_non_null(strstr(m.p, "# TYPE sluice_sink_queued gauge\nsluice_sink_queued{output=\"ALERTS\"} 0\n"));
    sl_buf_free(&m);
    sl_sink_free(s);
    recv_stop(r);
}

/* batch > 1 sends JSON arrays; a queue of 2 blocks the writer instead of dropping. */
static void test_webhook_batches_and_backpressure(void **state)
{
    receiver_t *r = recv_start();
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), "batch", "10", "queue", "2", (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    for (int i = 0; i < 300; i++) assert_int_equal(put(s, i, "a"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    expect_ids_in_order(r, 300);
    for (size_t i = 0; i < r->nbodies; i++) assert_int_equal(r->bodies[i][0], '[');
    sl_sink_free(s);
    recv_stop(r);
}

/* 500s for a while, then the receiver is down (refused), then it recovers: none lost. */
static void test_webhook_failing_then_recovering_loses_none(void **state)
{
    receiver_t *r = recv_start();
    r->fail_first = 5;
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), "backoff_ms", "5/40", "max_retries", "1000",
             "timeout_ms", "1000", (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    for (int i = 0; i < 20; i++) assert_int_equal(put(s, i, "a"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    recv_down(r);
    for (int i = 20; i < 50; i++) assert_int_equal(put(s, i, "a"), 0);
    struct timespec ts = {0, 300 * 1000000};
    nanosleep(&ts, NULL);
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_true(st.queued > 0);
    recv_up(r);
    for (int i = 50; i < 60; i++) assert_int_equal(put(s, i, "a"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    expect_ids_in_order(r, 60);
    sl_sink_stats(s, &st);
    assert_int_equal(st.delivered, 60);
    assert_true(st.failed >= 6);
    assert_true(st.retried >= 6);
    assert_int_equal(st.dead_lettered + st.discarded, 0);
    sl_sink_free(s);
    recv_stop(r);
}

/* With max_retries 2 every row of a dead receiver lands in the dead-letter file once. */
static void test_webhook_dead_letter_exactly_once(void **state)
{
    const char *dir = tmpdir();
    char dl[128];
    snprintf(dl, sizeof dl, "%s/dead.jsonl", dir);
    receiver_t *r = recv_start();
    r->fail_all = 1;
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), "backoff_ms", "1/2", "max_retries", "2",
             "dead_letter", dl, (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    sl_buf_t want = SL_BUF_INIT;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(put(s, i, "a"), 0);
        sl_buf_puts(&want, row_json(i, "a", 1700000000000 + i));
        sl_buf_putc(&want, '\n');
    }
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    char *got = slurp(dl);
    assert_non_null(got);
    assert_string_equal(got, want.p);
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_int_equal(st.dead_lettered, 10);
    assert_int_equal(st.delivered, 0);
    assert_int_equal(st.failed, 30);
    assert_int_equal(st.retried, 20);
    assert_int_equal(r->requests, 30);
    sl_sink_free(s);
    sl_free(got);
    sl_buf_free(&want);
    recv_stop(r);
    rmtree(dir);
}

/* A 4xx answer (other than 408/429) cannot be cured by resending: the batch goes to the
 * dead letter at once, even with unlimited retries, and the rows behind it still flow. */
static void test_webhook_client_error_not_retried(void **state)
{
    const char *dir = tmpdir();
    char dl[128];
    snprintf(dl, sizeof dl, "%s/dead.jsonl", dir);
    receiver_t *r = recv_start();
    r->fail_first = 1;
    r->fail_status = 400;
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), "backoff_ms", "1/2", "dead_letter", dl,
             (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    assert_int_equal(put(s, 0, "a"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    assert_int_equal(put(s, 1, "a"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_int_equal(st.dead_lettered, 1);
    assert_int_equal(st.retried, 0);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(r->requests, 2);
    char *got = slurp(dl);
    assert_non_null(got);
    char *want = sl_asprintf("%s\n", row_json(0, "a", 1700000000000));
    assert_string_equal(got, want);
    sl_free(want);
    sl_free(got);
    sl_sink_free(s);
    recv_stop(r);
    rmtree(dir);
}

/* free() without flush delivers what is queued; past drain_ms the rest is dead-lettered. */
static void test_free_drains(void **state)
{
    receiver_t *r = recv_start();
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    for (int i = 0; i < 100; i++) assert_int_equal(put(s, i, "a"), 0);
    sl_sink_free(s);
    expect_ids_in_order(r, 100);

    const char *dir = tmpdir();
    char dl[128];
    snprintf(dl, sizeof dl, "%s/dead.jsonl", dir);
    r->fail_all = 1;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), "drain_ms", "200", "backoff_ms", "10/20",
             "dead_letter", dl, (char *)NULL);
    s = sink_ok(&h, NULL);
    for (int i = 0; i < 5; i++) assert_int_equal(put(s, i, "a"), 0);
    int64_t t0 = sl_clock_mono_ns();
    sl_sink_free(s);
    assert_true(sl_clock_mono_ns() - t0 < 2000000000LL);
    char *got = slurp(dl);
    assert_int_equal(count_lines(got), 5);
    sl_free(got);
    recv_stop(r);
    rmtree(dir);
}

/* Ascending int64 order for qsort. */
static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* put -> accepted by the receiver, at ~1,000 rows/s: the sink adds no fixed delay. The
 * bound is loose (shared CI cores, sanitizers); the benchmark holds p99 <= 20 ms. */
static void test_webhook_latency(void **state)
{
    enum { N = 300 };
    receiver_t *r = recv_start();
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, recv_url(r), (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    static int64_t sent[N], lat[N];
    for (int i = 0; i < N; i++) {
        sent[i] = sl_clock_mono_ns();
        assert_int_equal(put(s, i, "lat"), 0);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    expect_ids_in_order(r, N);
    for (int i = 0; i < N; i++) lat[i] = r->at_ns[i] - sent[i];
    qsort(lat, N, sizeof lat[0], cmp_i64);
    int64_t p50 = lat[N / 2], p99 = lat[N * 99 / 100];
    print_message("put -> webhook: p50 %.3f ms, p99 %.3f ms\n", p50 / 1e6, p99 / 1e6);
    assert_true(p99 < 100 * 1000000LL);
    sl_sink_free(s);
    recv_stop(r);
}

/* ------------------------------------------------------------------------------------ */
/* Policy (virtual clock)                                                               */
/* ------------------------------------------------------------------------------------ */

static int64_t vnow;

static int64_t vclock(void *ctx)
{
    return vnow;
}

/* "2 per 1 minute" per sensor: a sliding window per key. */
static void test_rate_limit_per_key(void **state)
{
    const char *dir = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/out.jsonl", dir);
    vnow = 1700000000000;
    sl_clock_set(vclock, NULL);
    out_holder_t h;
    make_out(&h, SL_SINK_FILE, path, "key", "sensor", "rate_limit", "2 per 1 minute", (char *)NULL);
    const char *names[] = {"id", "sensor", "ROWTIME"};
    sl_sink_columns_t cols = {names, 3};
    sl_sink_t *s = sink_ok(&h, &cols);
    assert_int_equal(put(s, 0, "a"), 0);
    assert_int_equal(put(s, 1, "a"), 0);
    assert_int_equal(put(s, 2, "a"), 1); /* third within the minute */
    assert_int_equal(put(s, 3, "b"), 0); /* another key has its own budget */
    vnow += 30000;
    assert_int_equal(put(s, 4, "a"), 1);
    assert_int_equal(put(s, 5, "b"), 0);
    assert_int_equal(put(s, 6, "b"), 1);
    vnow += 30001; /* the first two sends of a are now older than a minute */
    assert_int_equal(put(s, 7, "a"), 0);
    assert_int_equal(put(s, 8, "a"), 0);
    assert_int_equal(put(s, 9, "a"), 1);
    assert_int_equal(put(s, 10, "b"), 0); /* b's first send expired, its second not */
    assert_int_equal(put(s, 11, "b"), 1);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_int_equal(st.rate_limited, 5);
    assert_int_equal(st.delivered, 7);
    sl_sink_free(s);

    /* max_per_minute N is "N per 1 minute" (the appdesc README's example option). */
    char other[160];
    snprintf(other, sizeof other, "%s/other.jsonl", dir);
    make_out(&h, SL_SINK_FILE, other, "max_per_minute", "1", (char *)NULL);
    s = sink_ok(&h, NULL);
    assert_int_equal(put(s, 0, "a"), 0);
    assert_int_equal(put(s, 0, "a"), 1);
    vnow += 60001;
    assert_int_equal(put(s, 0, "a"), 0);
    sl_sink_free(s);
    sl_clock_set(NULL, NULL);
    char *got = slurp(path);
    assert_int_equal(count_lines(got), 7);
    assert_non_null(strstr(got, "{\"id\":8,"));
    assert_null(strstr(got, "{\"id\":9,"));
    sl_free(got);
    rmtree(dir);
}

/* "10 minutes" quiet period: a key sends once per episode; default key ignores ROWTIME. */
static void test_dedup_quiet_period(void **state)
{
    const char *dir = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/out.jsonl", dir);
    vnow = 1700000000000;
    sl_clock_set(vclock, NULL);
    out_holder_t h;
    make_out(&h, SL_SINK_FILE, path, "key", "SENSOR", "dedup_quiet", "10 minutes", (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    assert_int_equal(put(s, 0, "a"), 0);
    vnow += 5 * 60000;
    assert_int_equal(put(s, 1, "a"), 1); /* within the quiet period */
    assert_int_equal(put(s, 2, "b"), 0);
    vnow += 9 * 60000;
    assert_int_equal(put(s, 3, "a"), 1); /* 9 minutes after the last one: still one episode */
    vnow += 10 * 60000 + 1;
    assert_int_equal(put(s, 4, "a"), 0); /* quiet for 10 minutes: a new episode */
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_int_equal(st.deduplicated, 2);
    sl_sink_free(s);

    /* Default key: the whole row but ROWTIME. */
    make_out(&h, SL_SINK_FILE, path, "dedup_quiet", "INTERVAL '1' MINUTE", (char *)NULL);
    s = sink_ok(&h, NULL);
    const char *r1 = "{\"v\":1,\"ROWTIME\":\"2024-01-01 00:00:00.000\"}";
    const char *r2 = "{\"v\":1,\"ROWTIME\":\"2024-01-01 00:00:01.000\"}";
    const char *r3 = "{\"v\":2,\"ROWTIME\":\"2024-01-01 00:00:01.000\"}";
    assert_int_equal(sl_sink_write(s, r1, strlen(r1), 0), 0);
    assert_int_equal(sl_sink_write(s, r2, strlen(r2), 0), 1);
    assert_int_equal(sl_sink_write(s, r3, strlen(r3), 0), 0);
    assert_int_equal(sl_sink_write(s, "[1]", 3, 0), -1);
    sl_sink_free(s);
    sl_clock_set(NULL, NULL);
    char *got = slurp(path);
    assert_int_equal(count_lines(got), 5);
    sl_free(got);
    rmtree(dir);
}

/* ------------------------------------------------------------------------------------ */
/* File and command                                                                     */
/* ------------------------------------------------------------------------------------ */

/* Rotation by size keeps every row, whole lines, every file within the limit. */
static void test_file_rotation_keeps_every_row(void **state)
{
    const char *dir = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/out.jsonl", dir);
    out_holder_t h;
    make_out(&h, SL_SINK_FILE, path, "rotate_bytes", "1k", "keep", "100", "batch", "7",
             (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    for (int i = 0; i < 400; i++) assert_int_equal(put(s, i, "rotor"), 0);
    sl_sink_free(s);
    sl_buf_t all = SL_BUF_INIT;
    int files = 0;
    for (int k = 100; k >= 0; k--) {
        char p[160];
        if (k)
            snprintf(p, sizeof p, "%s.%d", path, k);
        else
            snprintf(p, sizeof p, "%s", path);
        char *t = slurp(p);
        if (!t) continue;
        files++;
        size_t n = strlen(t);
        assert_true(n > 0 && n <= 1024);
        assert_int_equal(t[n - 1], '\n');
        sl_buf_append(&all, t, n);
        sl_free(t);
    }
    assert_true(files > 10);
    sl_buf_t want = SL_BUF_INIT;
    for (int i = 0; i < 400; i++) {
        sl_buf_puts(&want, row_json(i, "rotor", 1700000000000 + i));
        sl_buf_putc(&want, '\n');
    }
    assert_string_equal(all.p, want.p);
    sl_buf_free(&all);
    sl_buf_free(&want);

    /* keep 2: only the newest two rotated files remain. */
    snprintf(path, sizeof path, "%s/keep2.jsonl", dir);
    make_out(&h, SL_SINK_FILE, path, "rotate_bytes", "200", "keep", "2", (char *)NULL);
    s = sink_ok(&h, NULL);
    for (int i = 0; i < 50; i++) assert_int_equal(put(s, i, "x"), 0);
    sl_sink_free(s);
    char p3[160];
    snprintf(p3, sizeof p3, "%s.3", path);
    struct stat st;
    assert_int_equal(stat(p3, &st), -1);
    rmtree(dir);
}

/* CSV: RFC 4180 quoting, nulls empty, the column order given, a header line. */
static void test_file_csv_escaping(void **state)
{
    const char *dir = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    out_holder_t h;
    make_out(&h, SL_SINK_FILE, path, "format", "csv", "header", "true", (char *)NULL);
    const char *names[] = {"name", "n", "note", "ok"};
    sl_sink_columns_t cols = {names, 4};
    sl_sink_t *s = sink_ok(&h, &cols);
    const char *rows[] = {
        "{\"note\":\"say \\\"hi\\\"\",\"name\":\"a,b\",\"n\":1,\"ok\":true}",
        "{\"name\":\"line\\nbreak\",\"n\":2.5,\"note\":null,\"ok\":false}",
        "{\"name\":\"plain\",\"n\":-3,\"ok\":null}",
    };
    for (int i = 0; i < 3; i++) assert_int_equal(sl_sink_write(s, rows[i], strlen(rows[i]), 0), 0);
    sl_sink_free(s);
    char *got = slurp(path);
    assert_string_equal(got, "name,n,note,ok\n"
                             "\"a,b\",1,\"say \"\"hi\"\"\",true\n"
                             "\"line\nbreak\",2.5,,false\n"
                             "plain,-3,,\n");
    sl_free(got);
    rmtree(dir);
}

/* The command gets the rows on stdin; a failing command is retried. */
static void test_command_sink(void **state)
{
    const char *dir = tmpdir();
    char out[128], cmd[512];
    snprintf(out, sizeof out, "%s/cmd.jsonl", dir);
    snprintf(cmd, sizeof cmd, "cat >> '%s'", out);
    out_holder_t h;
    make_out(&h, SL_SINK_COMMAND, cmd, (char *)NULL);
    sl_sink_t *s = sink_ok(&h, NULL);
    for (int i = 0; i < 20; i++) assert_int_equal(put(s, i, "c"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    sl_sink_free(s);
    char *got = slurp(out);
    assert_int_equal(count_lines(got), 20);
    assert_non_null(strstr(got, row_json(19, "c", 1700000000019)));
    sl_free(got);

    /* Fails (exit 1, stdin unread) on its first two runs, then appends. */
    char out2[128], cnt[128];
    snprintf(out2, sizeof out2, "%s/cmd2.jsonl", dir);
    snprintf(cnt, sizeof cnt, "%s/runs", dir);
    snprintf(cmd, sizeof cmd,
             "n=$(cat '%s' 2>/dev/null || echo 0); echo $((n+1)) > '%s'; "
             "[ $n -ge 2 ] && cat >> '%s'",
             cnt, cnt, out2);
    make_out(&h, SL_SINK_COMMAND, cmd, "backoff_ms", "1/5", "batch", "100", (char *)NULL);
    s = sink_ok(&h, NULL);
    for (int i = 0; i < 5; i++) assert_int_equal(put(s, i, "c"), 0);
    assert_int_equal(sl_sink_flush(s, 5000), 0);
    sl_sink_stats_t st;
    sl_sink_stats(s, &st);
    assert_true(st.failed >= 2);
    assert_int_equal(st.delivered, 5);
    sl_sink_free(s);
    got = slurp(out2);
    assert_int_equal(count_lines(got), 5);
    assert_non_null(strstr(got, row_json(0, "c", 1700000000000)));
    sl_free(got);
    rmtree(dir);
}

/* ------------------------------------------------------------------------------------ */
/* Options                                                                              */
/* ------------------------------------------------------------------------------------ */

/* Builds a webhook with one option and expects err to start with want. */
static void expect_option_error(const char *k, const char *v, const char *want)
{
    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, "http://127.0.0.1:9/x", k, v, (char *)NULL);
    char *err = NULL;
    sl_sink_t *s = sl_sink_new(&h.out, NULL, &err);
    assert_null(s);
    assert_non_null(err);
    if (strncmp(err, want, strlen(want)) != 0) fail_msg("got '%s', want '%s...'", err, want);
    sl_free(err);
}

static void test_option_errors(void **state)
{
    expect_option_error("rate_limit", "five", "rate_limit: expected 'N per INTERVAL'");
    expect_option_error("rate_limit", "5 per fortnight", "rate_limit: expected");
    expect_option_error("dedup_quiet", "10", "dedup_quiet: expected an interval");
    expect_option_error("max_retries", "x", "max_retries: expected a count");
    expect_option_error("backoff_ms", "100/10", "backoff_ms: expected");
    expect_option_error("batch", "0", "batch: expected rows per delivery");
    expect_option_error("rotate_bytes", "1k", "rotate_bytes: not an option of a webhook");
    expect_option_error("colour", "red", "colour: unknown option of a webhook output");
    expect_option_error("key", "sensor", "key: needs rate_limit");
    expect_option_error("header", "true", "header: not an option of a webhook");
    expect_option_error("max_per_minute", "0", "max_per_minute: expected a count");
    expect_option_error("headers", "no colon", "headers: expected 'Name: value'");
    expect_option_error("format", "xml", "format: expected json or csv");

    out_holder_t h;
    make_out(&h, SL_SINK_WEBHOOK, "ftp://x", (char *)NULL);
    char *err = NULL;
    assert_null(sl_sink_new(&h.out, NULL, &err));
    assert_string_equal(err, "url: expected an http:// or https:// URL, got 'ftp://x'");
    sl_free(err);
    make_out(&h, SL_SINK_WEBHOOK, "http://x", "key", "nope", "rate_limit", "1/minute",
             (char *)NULL);
    const char *names[] = {"sensor"};
    sl_sink_columns_t cols = {names, 1};
    assert_null(sl_sink_new(&h.out, &cols, &err));
    assert_string_equal(err, "key: no column \"nope\" in the output stream");
    sl_free(err);
    make_out(&h, SL_SINK_FILE, "/nonexistent-dir/x/out.jsonl", (char *)NULL);
    assert_null(sl_sink_new(&h.out, NULL, &err));
    assert_non_null(strstr(err, "path: /nonexistent-dir/x/out.jsonl"));
    sl_free(err);
}

static void test_interval_syntax(void **state)
{
    assert_int_equal(sl_sink_parse_interval("10s"), 10000);
    assert_int_equal(sl_sink_parse_interval("500ms"), 500);
    assert_int_equal(sl_sink_parse_interval("5 minutes"), 300000);
    assert_int_equal(sl_sink_parse_interval("1 minute"), 60000);
    assert_int_equal(sl_sink_parse_interval("minute"), 60000);
    assert_int_equal(sl_sink_parse_interval("1.5 hours"), 5400000);
    assert_int_equal(sl_sink_parse_interval("2d"), 172800000);
    assert_int_equal(sl_sink_parse_interval("INTERVAL '5' MINUTE"), 300000);
    assert_int_equal(sl_sink_parse_interval("interval '10' second"), 10000);
    assert_int_equal(sl_sink_parse_interval("'10' SECOND"), 10000);
    assert_int_equal(sl_sink_parse_interval("10"), -1);
    assert_int_equal(sl_sink_parse_interval("0s"), -1);
    assert_int_equal(sl_sink_parse_interval("5 fortnights"), -1);
    assert_int_equal(sl_sink_parse_interval("INTERVAL '5 MINUTE"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_rows_arrive_in_order),
        cmocka_unit_test(test_webhook_batches_and_backpressure),
        cmocka_unit_test(test_webhook_failing_then_recovering_loses_none),
        cmocka_unit_test(test_webhook_dead_letter_exactly_once),
        cmocka_unit_test(test_webhook_client_error_not_retried),
        cmocka_unit_test(test_free_drains),
        cmocka_unit_test(test_webhook_latency),
        cmocka_unit_test(test_rate_limit_per_key),
        cmocka_unit_test(test_dedup_quiet_period),
        cmocka_unit_test(test_file_rotation_keeps_every_row),
        cmocka_unit_test(test_file_csv_escaping),
        cmocka_unit_test(test_command_sink),
        cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_interval_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
