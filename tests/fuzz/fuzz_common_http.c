/*
 * fuzz_common_http.c - libFuzzer target for the incremental HTTP request parser
 * (common/http_int.h).
 *
 * Input layout: 4 bytes seed the split points, 1 byte picks max_body, the rest is a byte
 * stream of (possibly pipelined) requests. Each request is parsed twice: once fed in
 * pieces cut at pseudo-random points (as a socket would deliver it), once in one piece.
 * The two must agree on everything (rc, status, consumed length, method, path, query,
 * headers, decoded body): splitting must never change the outcome. Besides memory safety
 * (ASan/UBSan), every pointer of a parsed request must lie inside the request's bytes.
 */
#include "http_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One xorshift32 step: the split-point generator. */
static uint32_t next_rand(uint32_t *s)
{
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* Aborts unless the NUL-terminated string p lies within [lo, hi). */
static void check_in(const char *p, const char *lo, const char *hi)
{
    if (p < lo || p >= hi) abort();
    if (!memchr(p, '\0', (size_t)(hi - p))) abort();
}

/* Aborts unless the two strings are equal (both parses must agree). */
static void same(const char *a, const char *b)
{
    if (strcmp(a, b) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) return 0;
    uint32_t seed;
    memcpy(&seed, data, 4);
    static const size_t maxes[] = {0, 1, 10, 100, 4096, 16u << 20};
    size_t max_body = maxes[data[4] % (sizeof maxes / sizeof maxes[0])];
    data += 5;
    size = size - 5;

    size_t off = 0;
    while (off < size) {
        size_t len = size - off;
        /* Exact-size heap copies (+1 for the body's NUL) so ASan sees any overrun. */
        char *a = malloc(len + 1), *b = malloc(len + 1);
        memcpy(a, data + off, len);
        memcpy(b, data + off, len);
        sl_http_parser_t pa, pb;
        sl_http_parser_init(&pa, max_body);
        sl_http_parser_init(&pb, max_body);

        /* a: in pieces. */
        size_t have = 0;
        int ra = SL_HTTP_PARSE_MORE;
        while (ra == SL_HTTP_PARSE_MORE && have < len) {
            uint32_t r = next_rand(&seed);
            size_t step = (r & 3) == 0 ? 1 + (r >> 8) % 4096 : 1 + (r >> 8) % 16;
            have = step < len - have ? have + step : len;
            ra = sl_http_parser_feed(&pa, a, have);
            if (ra == SL_HTTP_PARSE_MORE && sl_http_parser_want(&pa) &&
                sl_http_parser_want(&pa) < have)
                abort();
        }
        /* b: at once. */
        int rb = sl_http_parser_feed(&pb, b, len);
        if (ra != rb) abort();
        if (ra == SL_HTTP_PARSE_ERROR) {
            if (pa.status != pb.status || !pa.error || pa.status < 400) abort();
        }
        if (ra != SL_HTTP_PARSE_DONE) {
            free(a);
            free(b);
            break;
        }
        if (pa.consumed != pb.consumed || pa.consumed == 0 || pa.consumed > len) abort();
        sl_http_req_t qa, qb;
        static sl_http_header_t ha[SL_HTTP_MAX_HEADERS], hb[SL_HTTP_MAX_HEADERS];
        sl_http_parser_request(&pa, a, &qa, ha);
        sl_http_parser_request(&pb, b, &qb, hb);
        const char *end = a + pa.consumed;
        check_in(qa.method, a, end);
        check_in(qa.path, a, end);
        if (*qa.query) check_in(qa.query, a, end);
        same(qa.method, qb.method);
        same(qa.path, qb.path);
        same(qa.query, qb.query);
        if (qa.nheaders != qb.nheaders || qa.nheaders > SL_HTTP_MAX_HEADERS) abort();
        for (size_t i = 0; i < qa.nheaders; i++) {
            check_in(qa.headers[i].name, a, end);
            check_in(qa.headers[i].value, a, end);
            same(qa.headers[i].name, qb.headers[i].name);
            same(qa.headers[i].value, qb.headers[i].value);
            if (sl_http_header(&qa, qa.headers[i].name) == NULL) abort();
        }
        if (qa.body_len != qb.body_len || qa.body_len > max_body) abort();
        if (qa.body < a || qa.body + qa.body_len > end) abort();
        if (memcmp(qa.body, qb.body, qa.body_len) != 0) abort();
        if (pa.keep_alive != pb.keep_alive) abort();
        off += pa.consumed;
        free(a);
        free(b);
    }
    return 0;
}
