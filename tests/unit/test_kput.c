/*
 * test_kput.c - runtime/sink/kput.c: PutRecords to a remote endpoint, against a fake
 * Kinesis endpoint that can refuse records or requests as a test programs it.
 *
 * The fake is common/http.h's server on 127.0.0.1, port 0. For each PutRecords it decodes
 * the records, remembers how many and how many bytes the request carried, and answers:
 * a request-level error (`fail_next` transient InternalFailure 500s, or `hard` a 400
 * ResourceNotFoundException), else per record OK (the record is "stored", in arrival order)
 * or an ErrorCode: ProvisionedThroughputExceededException for odd positions of the first
 * request when `throttle_odd_once`, KMSAccessDeniedException for data "poison".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "buf.h"
#include "http.h"
#include "sink/kput.h"
#include "val.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXREQ 64

typedef struct fake {
    sl_http_server_t *s;
    pthread_t thread;
    char endpoint[64];
    pthread_mutex_t mu;
    char **stored; /* data of the records accepted, in order */
    size_t nstored;
    int requests;
    size_t req_records[MAXREQ]; /* records per request */
    size_t req_bytes[MAXREQ];   /* data + partition key bytes per request */
    int fail_next;              /* answer InternalFailure (500) to this many more requests */
    bool hard;                  /* answer ResourceNotFoundException to every request */
    bool throttle_odd_once;     /* the first request: throttle the records at odd positions */
} fake_t;

/* Answers one PutRecords as programmed. */
static void fake_handler(void *ctx, const sl_http_req_t *req, sl_http_resp_t *resp)
{
    fake_t *f = ctx;
    pthread_mutex_lock(&f->mu);
    int nreq = f->requests++;
    const char *perr = NULL;
    sl_val_t *v = sl_json_parse(req->arena, req->body, req->body_len, &perr);
    const sl_val_t *recs = v ? sl_val_get(v, "Records") : NULL;
    assert_non_null(recs);
    const char *target = sl_http_header(req, "x-amz-target");
    assert_string_equal(target, "Kinesis_20131202.PutRecords");
    assert_string_equal(sl_val_get_str(v, "StreamName", NULL), "dest");
    if (nreq < MAXREQ) {
        f->req_records[nreq] = recs->u.arr.n;
        for (size_t i = 0; i < recs->u.arr.n; i++) {
            const unsigned char *d;
            size_t len, pklen;
            assert_int_equal(
                sl_val_blob(req->arena, sl_val_get(recs->u.arr.items[i], "Data"), &d, &len), 1);
            sl_val_get_str(recs->u.arr.items[i], "PartitionKey", &pklen);
            f->req_bytes[nreq] += len + pklen;
        }
    }
    if (f->hard || f->fail_next > 0) {
        if (!f->hard) f->fail_next--;
        resp->status = f->hard ? 400 : 500;
        sl_buf_puts(resp->body, f->hard ? "{\"__type\":\"ResourceNotFoundException\",\"message\":"
                                          "\"Stream dest under account 000000000000 not found.\"}"
                                        : "{\"__type\":\"InternalFailure\"}");
        pthread_mutex_unlock(&f->mu);
        return;
    }
    size_t failed = 0;
    sl_buf_t out = SL_BUF_INIT;
    for (size_t i = 0; i < recs->u.arr.n; i++) {
        const unsigned char *d;
        size_t len;
        sl_val_blob(req->arena, sl_val_get(recs->u.arr.items[i], "Data"), &d, &len);
        sl_buf_puts(&out, i ? "," : "");
        if (f->throttle_odd_once && nreq == 0 && i % 2) {
            sl_buf_puts(&out, "{\"ErrorCode\":\"ProvisionedThroughputExceededException\","
                              "\"ErrorMessage\":\"Rate exceeded for shard\"}");
            failed++;
        } else if (len == 6 && !memcmp(d, "poison", 6)) {
            sl_buf_puts(&out,
                        "{\"ErrorCode\":\"KMSAccessDeniedException\",\"ErrorMessage\":\"no key\"}");
            failed++;
        } else {
            f->stored = realloc(f->stored, (f->nstored + 1) * sizeof(char *));
            f->stored[f->nstored] = malloc(len + 1);
            memcpy(f->stored[f->nstored], d, len);
            f->stored[f->nstored][len] = '\0';
            f->nstored++;
            sl_buf_puts(&out, "{\"SequenceNumber\":\"1\",\"ShardId\":\"shardId-000000000000\"}");
        }
    }
    sl_buf_printf(resp->body, "{\"FailedRecordCount\":%zu,\"Records\":[", failed);
    sl_buf_append(resp->body, out.p, out.len);
    sl_buf_puts(resp->body, "]}");
    sl_buf_free(&out);
    pthread_mutex_unlock(&f->mu);
}

static void *fake_thread(void *arg)
{
    sl_http_server_run(((fake_t *)arg)->s);
    return NULL;
}

static fake_t *fake_start(void)
{
    fake_t *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    sl_http_config_t cfg = {.host = "127.0.0.1",
                            .port = 0,
                            .threads = 1,
                            .max_body = 64 << 20,
                            .handler = fake_handler,
                            .ctx = f};
    char *err = NULL;
    f->s = sl_http_server_new(&cfg, &err);
    assert_non_null(f->s);
    snprintf(f->endpoint, sizeof f->endpoint, "http://127.0.0.1:%d", sl_http_server_port(f->s));
    pthread_create(&f->thread, NULL, fake_thread, f);
    return f;
}

static void fake_stop(fake_t *f)
{
    sl_http_server_stop(f->s);
    pthread_join(f->thread, NULL);
    sl_http_server_free(f->s);
    for (size_t i = 0; i < f->nstored; i++) free(f->stored[i]);
    free(f->stored);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* n records "r0".."r<n-1>" with partition keys "0".."n-1" (texts in *store, caller frees). */
static sl_kput_rec_t *make_recs(size_t n, char ***store)
{
    sl_kput_rec_t *r = calloc(n, sizeof *r);
    *store = calloc(2 * n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        (*store)[2 * i] = sl_asprintf("r%zu", i);
        (*store)[2 * i + 1] = sl_asprintf("%zu", i);
        r[i] = (sl_kput_rec_t){(*store)[2 * i], strlen((*store)[2 * i]), (*store)[2 * i + 1],
                               strlen((*store)[2 * i + 1])};
    }
    return r;
}

static void free_recs(sl_kput_rec_t *r, char **store, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) sl_free(store[i]);
    free(store);
    free(r);
}

/* Throttled records are resent alone, in their order, and nothing is lost or doubled. */
static void test_throttled_records_resent_in_order(void **state)
{
    (void)state;
    fake_t *f = fake_start();
    f->throttle_odd_once = true;
    char **txt;
    sl_kput_rec_t *r = make_recs(10, &txt);
    sl_kput_t *p = sl_kput_new(f->endpoint, "dest");
    assert_int_equal(sl_kput_put(p, r, 10), 0);
    assert_int_equal(f->requests, 2);
    assert_int_equal(f->req_records[1], 5);
    const char *want[] = {"r0", "r2", "r4", "r6", "r8", "r1", "r3", "r5", "r7", "r9"};
    assert_int_equal(f->nstored, 10);
    for (int i = 0; i < 10; i++) assert_string_equal(f->stored[i], want[i]);
    sl_kput_stats_t st;
    sl_kput_stats(p, &st);
    assert_int_equal(st.delivered, 10);
    assert_int_equal(st.retried, 5);
    assert_int_equal(st.dropped, 0);
    sl_kput_free(p);
    free_recs(r, txt, 10);
    fake_stop(f);
}

/* A request-level InternalFailure is retried (the whole request), then delivered. */
static void test_internal_failure_retried(void **state)
{
    (void)state;
    fake_t *f = fake_start();
    f->fail_next = 2;
    char **txt;
    sl_kput_rec_t *r = make_recs(3, &txt);
    sl_kput_t *p = sl_kput_new(f->endpoint, "dest");
    assert_int_equal(sl_kput_put(p, r, 3), 0);
    assert_int_equal(f->requests, 3);
    assert_int_equal(f->nstored, 3);
    for (int i = 0; i < 3; i++) assert_string_equal(f->stored[i], txt[2 * i]);
    sl_kput_free(p);
    free_recs(r, txt, 3);
    fake_stop(f);
}

/* A hard refusal gives up the call's records after one request, and says why. */
static void test_hard_failure_gives_up_at_once(void **state)
{
    (void)state;
    fake_t *f = fake_start();
    f->hard = true;
    char **txt;
    sl_kput_rec_t *r = make_recs(1200, &txt);
    sl_kput_t *p = sl_kput_new(f->endpoint, "dest");
    assert_int_equal(sl_kput_put(p, r, 1200), 1200);
    assert_int_equal(f->requests, 1);
    const char *type, *msg;
    sl_kput_error(p, &type, &msg);
    assert_string_equal(type, "ResourceNotFoundException");
    assert_non_null(strstr(msg, "stream dest at http://127.0.0.1:"));
    assert_non_null(strstr(msg, "ResourceNotFoundException: Stream dest under account"));
    sl_kput_stats_t st;
    sl_kput_stats(p, &st);
    assert_int_equal(st.dropped, 1200);
    sl_kput_free(p);
    free_recs(r, txt, 1200);
    fake_stop(f);
}

/* A record refused for good (not a throttle) is given up alone; the others are stored. */
static void test_record_hard_error(void **state)
{
    (void)state;
    fake_t *f = fake_start();
    sl_kput_rec_t r[3] = {{"a", 1, "0", 1}, {"poison", 6, "1", 1}, {"b", 1, "2", 1}};
    sl_kput_t *p = sl_kput_new(f->endpoint, "dest");
    assert_int_equal(sl_kput_put(p, r, 3), 1);
    assert_int_equal(f->requests, 1);
    assert_int_equal(f->nstored, 2);
    assert_string_equal(f->stored[0], "a");
    assert_string_equal(f->stored[1], "b");
    const char *type, *msg;
    sl_kput_error(p, &type, &msg);
    assert_string_equal(type, "KMSAccessDeniedException");
    sl_kput_free(p);
    fake_stop(f);
}

/* Requests hold at most 500 records and 5 MiB of data + partition keys, in order. */
static void test_request_limits(void **state)
{
    (void)state;
    fake_t *f = fake_start();
    char **txt;
    sl_kput_rec_t *r = make_recs(1200, &txt);
    sl_kput_t *p = sl_kput_new(f->endpoint, "dest");
    assert_int_equal(sl_kput_put(p, r, 1200), 0);
    assert_int_equal(f->requests, 3);
    assert_int_equal(f->req_records[0], 500);
    assert_int_equal(f->req_records[1], 500);
    assert_int_equal(f->req_records[2], 200);
    for (int i = 0; i < 1200; i++) assert_string_equal(f->stored[i], txt[2 * i]);
    free_recs(r, txt, 1200);

    size_t mib = 1 << 20;
    char *big = malloc(mib);
    memset(big, 'x', mib);
    sl_kput_rec_t b[12];
    for (int i = 0; i < 12; i++) b[i] = (sl_kput_rec_t){big, mib, "k", 1};
    assert_int_equal(sl_kput_put(p, b, 12), 0);
    assert_int_equal(f->requests, 6);
    for (int q = 3; q < 6; q++) {
        assert_int_equal(f->req_records[q], 4); /* a fifth would pass 5 MiB with its key */
        assert_true(f->req_bytes[q] <= (size_t)SL_KPUT_MAX_BYTES);
    }
    free(big);
    sl_kput_free(p);
    fake_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throttled_records_resent_in_order),
        cmocka_unit_test(test_internal_failure_retried),
        cmocka_unit_test(test_hard_failure_gives_up_at_once),
        cmocka_unit_test(test_record_hard_error),
        cmocka_unit_test(test_request_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
