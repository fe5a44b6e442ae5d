/*
 * bench_json.c - throughput of the val.h codecs on a PutRecords request.
 *
 * Builds the body the API server sees most: 500 records, each ~100 bytes of base64 Data
 * and a partition key, as JSON (boto3) and as CBOR (Java SDK). Then times, per body, a
 * decode into a reused arena (reset between iterations, as the server does per request),
 * the decode plus base64 of every Data field, and the re-encoding. Prints MB/s of body
 * bytes. Not a ctest: run by hand, e.g. ./build-val/bench_json [iterations].
 */
#include "val.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Monotonic time in seconds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the PutRecords request through e: 500 records of 75 raw bytes (100 base64). */
static void write_body(sl_enc_t *e)
{
    unsigned char data[75];
    char pk[32];
    sl_enc_obj_begin(e);
    sl_enc_key(e, "StreamName");
    sl_enc_str(e, "bench-stream");
    sl_enc_key(e, "Records");
    sl_enc_arr_begin(e);
    for (int r = 0; r < 500; r++) {
        for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(r * 31 + i * 7);
        snprintf(pk, sizeof pk, "partition-key-%d", r);
        sl_enc_obj_begin(e);
        sl_enc_key(e, "Data");
        sl_enc_blob(e, data, sizeof data);
        sl_enc_key(e, "PartitionKey");
        sl_enc_str(e, pk);
        sl_enc_obj_end(e);
    }
    sl_enc_arr_end(e);
    sl_enc_obj_end(e);
}

/* Decodes every Data blob of a parsed body; returns the total bytes (checked by caller). */
static size_t decode_blobs(sl_arena_t *a, const sl_val_t *root)
{
    const sl_val_t *recs = sl_val_get(root, "Records");
    size_t total = 0;
    for (size_t i = 0; i < recs->u.arr.n; i++) {
        const unsigned char *d;
        size_t n;
        if (sl_val_blob(a, sl_val_get(recs->u.arr.items[i], "Data"), &d, &n) != 1) abort();
        total += n;
    }
    return total;
}

/* Times iters decodes of body (kind picks the decoder); with_blobs adds base64 decoding. */
static void bench_decode(const char *name, sl_enc_kind_t kind, const sl_buf_t *body, int iters,
                         int with_blobs)
{
    sl_arena_t *a = sl_arena_new(256 * 1024);
    const char *err;
    double t0 = now();
    for (int i = 0; i < iters; i++) {
        sl_val_t *v = kind == SL_ENC_JSON ? sl_json_parse(a, body->p, body->len, &err)
                                          : sl_cbor_parse(a, body->p, body->len, &err);
        if (!v) {
            fprintf(stderr, "%s: %s\n", name, err);
            exit(1);
        }
        if (with_blobs && decode_blobs(a, v) != 500 * 75) abort();
        sl_arena_reset(a);
    }
    double dt = now() - t0;
    printf("%-28s %8.1f MB/s  %7.1f us/body  (%zu bytes)\n", name,
           (double)body->len * iters / dt / 1e6, dt / iters * 1e6, body->len);
    sl_arena_free(a);
}

/* Times iters re-encodings of the parsed body into kind. */
static void bench_encode(const char *name, sl_enc_kind_t kind, const sl_buf_t *json, int iters)
{
    sl_arena_t *a = sl_arena_new(256 * 1024);
    const char *err;
    sl_val_t *v = sl_json_parse(a, json->p, json->len, &err);
    sl_buf_t out = SL_BUF_INIT;
    double t0 = now();
    for (int i = 0; i < iters; i++) {
        sl_buf_reset(&out);
        sl_enc_t e;
        sl_enc_init(&e, kind, &out);
        sl_enc_val(&e, v);
    }
    double dt = now() - t0;
    printf("%-28s %8.1f MB/s  %7.1f us/body  (%zu bytes)\n", name,
           (double)out.len * iters / dt / 1e6, dt / iters * 1e6, out.len);
    sl_buf_free(&out);
    sl_arena_free(a);
}

/* Usage: bench_json [iterations] (default 4000). */
int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 4000;
    sl_buf_t json = SL_BUF_INIT, cbor = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, &json);
    write_body(&e);
    sl_enc_init(&e, SL_ENC_CBOR, &cbor);
    write_body(&e);
    bench_decode("json parse", SL_ENC_JSON, &json, iters, 0);
    bench_decode("json parse + base64", SL_ENC_JSON, &json, iters, 1);
    bench_decode("cbor parse", SL_ENC_CBOR, &cbor, iters, 0);
    bench_decode("cbor parse + blobs", SL_ENC_CBOR, &cbor, iters, 1);
    bench_encode("json encode (sl_enc_val)", SL_ENC_JSON, &json, iters);
    bench_encode("cbor encode (sl_enc_val)", SL_ENC_CBOR, &json, iters);
    sl_buf_free(&json);
    sl_buf_free(&cbor);
    return 0;
}
