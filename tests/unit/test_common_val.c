/*
 * test_common_val.c - unit tests for common/val.h: the JSON and CBOR decoders, accessors,
 * base64 and both encoders.
 *
 * CBOR expectations come from RFC 8949 Appendix A (written here as hex by hand), base64
 * ones from RFC 4648 section 10; JSON error offsets are counted by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "val.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------ */

static sl_arena_t *arena;

/* cmocka group setup/teardown: one arena per test. */
static int setup(void **state)
{
    arena = sl_arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    sl_arena_free(arena);
    arena = NULL;
    return 0;
}

/* Parses JSON text; fails the test with the error when it does not parse. */
static sl_val_t *json_ok(const char *text)
{
    const char *err = NULL;
    sl_val_t *v = sl_json_parse(arena, text, strlen(text), &err);
    if (!v) fail_msg("parse of %s failed: %s", text, err);
    assert_null(err);
    return v;
}

/* Expects text to fail with exactly the error message want. */
static void json_bad(const char *text, const char *want)
{
    const char *err = NULL;
    sl_val_t *v = sl_json_parse(arena, text, strlen(text), &err);
    if (v) fail_msg("parse of %s succeeded", text);
    assert_non_null(err);
    if (strcmp(err, want) != 0) fail_msg("%s: got \"%s\", want \"%s\"", text, err, want);
}

/* Decodes a hex string into a fresh arena buffer; *n gets its length. */
static unsigned char *unhex(const char *hex, size_t *n)
{
    size_t len = strlen(hex) / 2;
    unsigned char *p = sl_arena_alloc(arena, len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned x;
        sscanf(hex + 2 * i, "%2x", &x);
        p[i] = (unsigned char)x;
    }
    *n = len;
    return p;
}

/* Hex form of a buffer, in the arena. */
static const char *tohex(const void *data, size_t n)
{
    char *s = sl_arena_alloc(arena, 2 * n + 1);
    for (size_t i = 0; i < n; i++) sprintf(s + 2 * i, "%02x", ((const unsigned char *)data)[i]);
    s[2 * n] = '\0';
    return s;
}

/* Decodes CBOR given as hex; fails the test on error. */
static sl_val_t *cbor_ok(const char *hex)
{
    size_t n;
    unsigned char *p = unhex(hex, &n);
    const char *err = NULL;
    sl_val_t *v = sl_cbor_parse(arena, p, n, &err);
    if (!v) fail_msg("cbor %s failed: %s", hex, err);
    return v;
}

/* Expects CBOR hex to fail with an error that contains want. */
static void cbor_bad(const char *hex, const char *want)
{
    size_t n;
    unsigned char *p = unhex(hex, &n);
    const char *err = NULL;
    sl_val_t *v = sl_cbor_parse(arena, p, n, &err);
    if (v) fail_msg("cbor %s succeeded", hex);
    assert_non_null(err);
    if (!strstr(err, want)) fail_msg("cbor %s: got \"%s\", want \"%s\"", hex, err, want);
}

/* Re-encodes v with kind; returns the output (JSON text or hex of CBOR) in the arena. */
static const char *reencode(const sl_val_t *v, sl_enc_kind_t kind)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, kind, &b);
    sl_enc_val(&e, v);
    const char *r = kind == SL_ENC_JSON ? sl_arena_strndup(arena, b.p, b.len) : tohex(b.p, b.len);
    sl_buf_free(&b);
    return r;
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void test_json_basic(void **state)
{
    sl_val_t *v = json_ok(" {\"StreamName\":\"s1\", \"Limit\": 25, \"On\":true, \"Off\":false,"
                          "\"N\":null, \"Arr\":[1,\"two\",{}, []], \"dup\":1, \"dup\":2}\n");
    assert_int_equal(v->type, SL_V_OBJ);
    assert_int_equal(v->u.obj.n, 8);
    size_t len;
    assert_string_equal(sl_val_get_str(v, "StreamName", &len), "s1");
    assert_int_equal(len, 2);
    int64_t i;
    assert_true(sl_val_get_i64(v, "Limit", &i));
    assert_int_equal(i, 25);
    bool b;
    assert_true(sl_val_get_bool(v, "On", &b));
    assert_true(b);
    assert_true(sl_val_get_bool(v, "Off", &b));
    assert_false(b);
    assert_int_equal(sl_val_get(v, "N")->type, SL_V_NULL);
    sl_val_t *arr = sl_val_get(v, "Arr");
    assert_int_equal(arr->type, SL_V_ARR);
    assert_int_equal(arr->u.arr.n, 4);
    assert_int_equal(arr->u.arr.items[2]->type, SL_V_OBJ);
    assert_int_equal(arr->u.arr.items[2]->u.obj.n, 0);
    assert_int_equal(arr->u.arr.items[3]->u.arr.n, 0);
    /* Duplicate keys: the last wins. */
    assert_true(sl_val_get_i64(v, "dup", &i));
    assert_int_equal(i, 2);
    /* Typed lookups are strict. */
    assert_null(sl_val_get_str(v, "Limit", NULL));
    assert_false(sl_val_get_i64(v, "StreamName", &i));
    assert_false(sl_val_get_bool(v, "Absent", &b));
    assert_null(sl_val_get(arr, "x"));
    assert_null(sl_val_get(NULL, "x"));
    /* Scalars at the top level. */
    assert_int_equal(json_ok("  null ")->type, SL_V_NULL);
    assert_int_equal(json_ok("\"x\"")->type, SL_V_STR);
    assert_string_equal(sl_vtype_name(SL_V_TIME), "time");
}

static void test_json_strings(void **state)
{
    sl_val_t *v = json_ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
    assert_int_equal(v->u.str.len, 12);
    assert_memory_equal(v->u.str.p, "a\"b\\c/d\b\f\n\r\t", 13);
    /* \u escapes: 1, 2, 3 byte UTF-8, a surrogate pair to 4 bytes, and NUL. */
    v = json_ok("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\u0000z\"");
    assert_int_equal(v->u.str.len, 1 + 2 + 3 + 4 + 1 + 1);
    assert_memory_equal(v->u.str.p, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z", 13);
    /* Raw UTF-8 (and even invalid UTF-8) is copied unchanged. */
    v = json_ok("\"\xc3\xa9\xff\"");
    assert_int_equal(v->u.str.len, 3);
    /* Long strings exercise the vector scan; an escape late in the string the slow path. */
    char buf[300];
    memset(buf, 'x', sizeof buf);
    buf[0] = '"';
    strcpy(buf + 200, "\\n\"");
    v = json_ok(buf);
    assert_int_equal(v->u.str.len, 200);
    assert_int_equal(v->u.str.p[199], '\n');
    assert_int_equal(v->u.str.p[200], '\0');
    /* Keys are decoded too. */
    v = json_ok("{\"k\\u00e9\":1}");
    assert_int_equal(v->u.obj.members[0].key_len, 3);
    assert_string_equal(v->u.obj.members[0].key, "k\xc3\xa9");
}

static void test_json_numbers(void **state)
{
    sl_val_t *v = json_ok("[0, -0, 1, -17, 9223372036854775807, -9223372036854775808,"
                          " 9223372036854775808, 18446744073709551616, 1.0, 0.1, 1e2, -2.5E-3,"
                          " 1e308, 5e-324, 123456789012345678901234567890, 3.141592653589793238,"
                          " 0.000001, 1E+2, 1e-400]");
    sl_val_t **it = v->u.arr.items;
    assert_true(it[0]->u.num.is_int);
    assert_int_equal(it[0]->u.num.i, 0);
    assert_true(it[1]->u.num.is_int); /* -0: an integer 0 whose double keeps the sign */
    assert_int_equal(it[1]->u.num.i, 0);
    assert_true(signbit(it[1]->u.num.d));
    assert_int_equal(it[2]->u.num.i, 1);
    assert_int_equal(it[3]->u.num.i, -17);
    assert_true(it[4]->u.num.is_int);
    assert_true(it[4]->u.num.i == INT64_MAX);
    assert_true(it[5]->u.num.is_int);
    assert_true(it[5]->u.num.i == INT64_MIN);
    assert_false(it[6]->u.num.is_int);
    assert_true(it[6]->u.num.d == 9223372036854775808.0);
    assert_false(it[7]->u.num.is_int);
    assert_true(it[7]->u.num.d == 18446744073709551616.0);
    assert_false(it[8]->u.num.is_int);
    assert_true(it[8]->u.num.d == 1.0);
    assert_true(it[9]->u.num.d == 0.1);
    assert_false(it[10]->u.num.is_int);
    assert_true(it[10]->u.num.d == 100.0);
    assert_true(it[11]->u.num.d == -2.5e-3);
    assert_true(it[12]->u.num.d == 1e308);
    assert_true(it[13]->u.num.d == 5e-324);
    assert_true(it[14]->u.num.d == 123456789012345678901234567890.0);
    assert_true(it[15]->u.num.d == 3.141592653589793238);
    assert_true(it[16]->u.num.d == 0.000001);
    assert_true(it[17]->u.num.d == 100.0);
    assert_true(it[18]->u.num.d == 0.0);
    json_bad("1e309", "offset 0: number out of range");
    json_bad("[-1e400]", "offset 1: number out of range");
}

static void test_json_invalid(void **state)
{
    json_bad("", "offset 0: unexpected end of input");
    json_bad("   ", "offset 3: unexpected end of input");
    json_bad("{", "offset 1: expected string key");
    json_bad("{\"a\"", "offset 4: expected ':'");
    json_bad("{\"a\" 1}", "offset 5: expected ':'");
    json_bad("{\"a\":1,}", "offset 7: expected string key");
    json_bad("{\"a\":1 \"b\":2}", "offset 7: expected ',' or '}'");
    json_bad("{a:1}", "offset 1: expected string key");
    json_bad("[1,]", "offset 3: unexpected character");
    json_bad("[1 2]", "offset 3: expected ',' or ']'");
    json_bad("[1", "offset 2: unterminated array");
    json_bad("{\"a\":1", "offset 6: unterminated object");
    json_bad("[01]", "offset 2: expected ',' or ']'");
    json_bad("-", "offset 1: invalid number");
    json_bad("-a", "offset 1: invalid number");
    json_bad("+1", "offset 0: unexpected character");
    json_bad(".5", "offset 0: unexpected character");
    json_bad("1.", "offset 2: expected digit after decimal point");
    json_bad("1.e5", "offset 2: expected digit after decimal point");
    json_bad("1e", "offset 2: expected digit in exponent");
    json_bad("1e+", "offset 3: expected digit in exponent");
    json_bad("tru", "offset 0: unexpected character");
    json_bad("nul", "offset 0: unexpected character");
    json_bad("True", "offset 0: unexpected character");
    json_bad("NaN", "offset 0: unexpected character");
    json_bad("[] x", "offset 3: unexpected data after the JSON value");
    json_bad("{} {}", "offset 3: unexpected data after the JSON value");
    json_bad("\"abc", "offset 0: unterminated string");
    json_bad("\"abc\\", "offset 0: unterminated string");
    json_bad("[\"a\tb\"]", "offset 3: control character in string");
    json_bad("\"a\nb\"", "offset 2: control character in string");
    json_bad("\"a\\x\"", "offset 2: invalid escape in string");
    json_bad("\"\\u12\"", "offset 1: invalid \\u escape");
    json_bad("\"\\u12g4\"", "offset 1: invalid \\u escape");
    json_bad("\"ab\\ud800\"", "offset 3: unpaired high surrogate in \\u escape");
    json_bad("\"\\ud800\\u0041\"", "offset 1: unpaired high surrogate in \\u escape");
    json_bad("\"\\udc00\"", "offset 1: unpaired low surrogate in \\u escape");
    json_bad("\xef\xbb\xbf{}", "offset 0: unexpected character"); /* no BOM */
    /* A NUL byte inside the length is data, not an end. */
    const char nul[] = "[1]\0";
    const char *err;
    assert_null(sl_json_parse(arena, nul, 4, &err));
    assert_string_equal(err, "offset 3: unexpected data after the JSON value");
    /* Not NUL-terminated: only len bytes are read. */
    assert_non_null(sl_json_parse(arena, "[12]xyz", 4, &err));
    assert_null(sl_json_parse(arena, "123", 0, &err));
}

static void test_json_depth(void **state)
{
    char buf[2 * SL_VAL_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < SL_VAL_MAX_DEPTH; i++) buf[n++] = '[';
    for (int i = 0; i < SL_VAL_MAX_DEPTH; i++) buf[n++] = ']';
    const char *err;
    assert_non_null(sl_json_parse(arena, buf, n, &err));
    n = 0;
    for (int i = 0; i <= SL_VAL_MAX_DEPTH; i++) buf[n++] = '[';
    for (int i = 0; i <= SL_VAL_MAX_DEPTH; i++) buf[n++] = ']';
    assert_null(sl_json_parse(arena, buf, n, &err));
    assert_string_equal(err, "offset 64: nesting too deep");
    /* Objects count the same way; a deep document far beyond the limit stays an error. */
    sl_buf_t b = SL_BUF_INIT;
    for (int i = 0; i < 100000; i++) sl_buf_puts(&b, "{\"a\":");
    assert_null(sl_json_parse(arena, b.p, b.len, &err));
    assert_string_equal(err, "offset 320: nesting too deep");
    sl_buf_free(&b);
}

/* ---- CBOR: RFC 8949 Appendix A --------------------------------------------------------- */

static void expect_int(const char *hex, int64_t want)
{
    sl_val_t *v = cbor_ok(hex);
    assert_int_equal(v->type, SL_V_NUM);
    if (!v->u.num.is_int) fail_msg("%s: not an int", hex);
    if (v->u.num.i != want) fail_msg("%s: got %lld", hex, (long long)v->u.num.i);
    assert_string_equal(reencode(v, SL_ENC_CBOR), hex);
}

static void expect_double(const char *hex, double want, const char *reenc)
{
    sl_val_t *v = cbor_ok(hex);
    assert_int_equal(v->type, SL_V_NUM);
    assert_false(v->u.num.is_int);
    if (isnan(want)) assert_true(isnan(v->u.num.d));
    else if (v->u.num.d != want || signbit(v->u.num.d) != signbit(want))
        fail_msg("%s: got %.17g", hex, v->u.num.d);
    assert_string_equal(reencode(v, SL_ENC_CBOR), reenc ? reenc : hex);
}

static void test_cbor_rfc_numbers(void **state)
{
    expect_int("00", 0);
    expect_int("01", 1);
    expect_int("0a", 10);
    expect_int("17", 23);
    expect_int("1818", 24);
    expect_int("1819", 25);
    expect_int("1864", 100);
    expect_int("1903e8", 1000);
    expect_int("1a000f4240", 1000000);
    expect_int("1b000000e8d4a51000", 1000000000000);
    expect_int("20", -1);
    expect_int("29", -10);
    expect_int("3863", -100);
    expect_int("3903e7", -1000);
    /* Beyond int64: numbers, not ints, re-encoded as the nearest double. */
    sl_val_t *v = cbor_ok("1bffffffffffffffff");
    assert_false(v->u.num.is_int);
    assert_true(v->u.num.d == 18446744073709551615.0);
    v = cbor_ok("3bffffffffffffffff");
    assert_false(v->u.num.is_int);
    assert_true(v->u.num.d == -18446744073709551616.0);
    /* 2(h'010000000000000000'): the bignum tag is dropped, its byte string kept. */
    v = cbor_ok("c249010000000000000000");
    assert_int_equal(v->type, SL_V_BYTES);
    assert_int_equal(v->u.str.len, 9);

    expect_double("f90000", 0.0, NULL);
    expect_double("f98000", -0.0, NULL);
    expect_double("f93c00", 1.0, NULL);
    expect_double("fb3ff199999999999a", 1.1, NULL);
    expect_double("f93e00", 1.5, NULL);
    expect_double("f97bff", 65504.0, NULL);
    expect_double("fa47c35000", 100000.0, NULL);
    expect_double("fa7f7fffff", 3.4028234663852886e+38, NULL);
    expect_double("fb7e37e43c8800759c", 1.0e+300, NULL);
    expect_double("f90001", 5.960464477539063e-8, NULL);
    expect_double("f90400", 0.00006103515625, NULL);
    expect_double("f9c400", -4.0, NULL);
    expect_double("fbc010666666666666", -4.1, NULL);
    expect_double("f97c00", INFINITY, NULL);
    expect_double("f97e00", NAN, NULL);
    expect_double("f9fc00", -INFINITY, NULL);
    /* Longer forms of the same values decode alike and re-encode in the shortest form. */
    expect_double("fa7f800000", INFINITY, "f97c00");
    expect_double("fa7fc00000", NAN, "f97e00");
    expect_double("faff800000", -INFINITY, "f9fc00");
    expect_double("fb7ff0000000000000", INFINITY, "f97c00");
    expect_double("fb7ff8000000000000", NAN, "f97e00");
    expect_double("fbfff0000000000000", -INFINITY, "f9fc00");
    expect_double("fb3ff8000000000000", 1.5, "f93e00");
    expect_double("fa3f800000", 1.0, "f93c00");
}

static void test_cbor_rfc_simple_and_tags(void **state)
{
    assert_int_equal(cbor_ok("f4")->type, SL_V_BOOL);
    assert_false(cbor_ok("f4")->u.b);
    assert_true(cbor_ok("f5")->u.b);
    assert_int_equal(cbor_ok("f6")->type, SL_V_NULL);
    assert_int_equal(cbor_ok("f7")->type, SL_V_NULL); /* undefined */
    assert_int_equal(cbor_ok("f0")->type, SL_V_NULL); /* simple(16) */
    assert_int_equal(cbor_ok("f8ff")->type, SL_V_NULL); /* simple(255) */
    assert_string_equal(reencode(cbor_ok("f5"), SL_ENC_CBOR), "f5");
    assert_string_equal(reencode(cbor_ok("f6"), SL_ENC_CBOR), "f6");

    /* 0("2013-03-21T20:04:00Z"): tag dropped, text kept. */
    sl_val_t *v = cbor_ok("c074323031332d30332d32315432303a30343a30305a");
    assert_int_equal(v->type, SL_V_STR);
    assert_string_equal(v->u.str.p, "2013-03-21T20:04:00Z");
    /* 1(1363896240): an integer is taken as epoch milliseconds (the AWS convention). */
    v = cbor_ok("c11a514b67b0");
    assert_int_equal(v->type, SL_V_TIME);
    assert_int_equal(v->u.ms, 1363896240);
    assert_string_equal(reencode(v, SL_ENC_CBOR), "c11a514b67b0");
    /* 1(1363896240.5): a float is epoch seconds. */
    v = cbor_ok("c1fb41d452d9ec200000");
    assert_int_equal(v->type, SL_V_TIME);
    assert_int_equal(v->u.ms, 1363896240500);
    assert_string_equal(reencode(v, SL_ENC_CBOR), "c11b0000013d8e8d0974");
    assert_string_equal(reencode(v, SL_ENC_JSON), "1363896240.500");
    /* 1(-1) ms, and an AWS-style 1(1700000000123). */
    assert_int_equal(cbor_ok("c120")->u.ms, -1);
    assert_int_equal(cbor_ok("c11b0000018bcfe5687b")->u.ms, 1700000000123);
    /* 23(h'01020304'), 24(h'6449455446'), 32("http://www.example.com"). */
    v = cbor_ok("d74401020304");
    assert_int_equal(v->type, SL_V_BYTES);
    assert_memory_equal(v->u.str.p, "\x01\x02\x03\x04", 4);
    assert_int_equal(cbor_ok("d818456449455446")->u.str.len, 5);
    v = cbor_ok("d82076687474703a2f2f7777772e6578616d706c652e636f6d");
    assert_string_equal(v->u.str.p, "http://www.example.com");
    /* Tag 1 on something that is not a number. */
    cbor_bad("c16161", "offset 1: tag 1 content is not a number");
    cbor_bad("c1f97c00", "offset 1: tag 1 time out of range");
}

static void test_cbor_rfc_strings_and_containers(void **state)
{
    sl_val_t *v = cbor_ok("40");
    assert_int_equal(v->type, SL_V_BYTES);
    assert_int_equal(v->u.str.len, 0);
    v = cbor_ok("4401020304");
    assert_int_equal(v->u.str.len, 4);
    assert_string_equal(reencode(v, SL_ENC_CBOR), "4401020304");
    assert_string_equal(reencode(v, SL_ENC_JSON), "\"AQIDBA==\"");
    assert_string_equal(cbor_ok("60")->u.str.p, "");
    assert_string_equal(cbor_ok("6161")->u.str.p, "a");
    assert_string_equal(cbor_ok("6449455446")->u.str.p, "IETF");
    assert_string_equal(cbor_ok("62225c")->u.str.p, "\"\\");
    assert_string_equal(cbor_ok("62c3bc")->u.str.p, "\xc3\xbc");
    assert_string_equal(cbor_ok("63e6b0b4")->u.str.p, "\xe6\xb0\xb4");
    assert_string_equal(cbor_ok("64f0908591")->u.str.p, "\xf0\x90\x85\x91");
    assert_string_equal(reencode(cbor_ok("64f0908591"), SL_ENC_CBOR), "64f0908591");

    /* Containers: decoded, then re-encoded with indefinite lengths. */
    static const struct {
        const char *in, *json, *cbor;
    } cases[] = {
        {"80", "[]", "9fff"},
        {"83010203", "[1,2,3]", "9f010203ff"},
        {"8301820203820405", "[1,[2,3],[4,5]]", "9f019f0203ff9f0405ffff"},
        {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
         "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]",
         "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff"},
        {"a0", "{}", "bfff"},
        {"a26161016162820203", "{\"a\":1,\"b\":[2,3]}", "bf61610161629f0203ffff"},
        {"826161a161626163", "[\"a\",{\"b\":\"c\"}]", "9f6161bf61626163ffff"},
        {"a56161614161626142616361436164614461656145",
         "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"d\":\"D\",\"e\":\"E\"}",
         "bf6161614161626142616361436164614461656145ff"},
        {"5f42010243030405ff", "\"AQIDBAU=\"", "450102030405"},
        {"7f657374726561646d696e67ff", "\"streaming\"", "6973747265616d696e67"},
        {"9fff", "[]", "9fff"},
        {"9f018202039f0405ffff", "[1,[2,3],[4,5]]", "9f019f0203ff9f0405ffff"},
        {"9f01820203820405ff", "[1,[2,3],[4,5]]", "9f019f0203ff9f0405ffff"},
        {"83018202039f0405ff", "[1,[2,3],[4,5]]", "9f019f0203ff9f0405ffff"},
        {"83019f0203ff820405", "[1,[2,3],[4,5]]", "9f019f0203ff9f0405ffff"},
        {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
         "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]",
         "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff"},
        {"bf61610161629f0203ffff", "{\"a\":1,\"b\":[2,3]}", "bf61610161629f0203ffff"},
        {"826161bf61626163ff", "[\"a\",{\"b\":\"c\"}]", "9f6161bf61626163ffff"},
        {"bf6346756ef563416d7421ff", "{\"Fun\":true,\"Amt\":-2}", "bf6346756ef563416d7421ff"},
        /* Empty indefinite strings. */
        {"5fff", "\"\"", "40"},
        {"7fff", "\"\"", "60"},
        {"7f60616160626263ff", "\"abc\"", "63616263"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        v = cbor_ok(cases[i].in);
        const char *j = reencode(v, SL_ENC_JSON), *c = reencode(v, SL_ENC_CBOR);
        if (strcmp(j, cases[i].json) != 0) fail_msg("%s: json %s", cases[i].in, j);
        if (strcmp(c, cases[i].cbor) != 0) fail_msg("%s: cbor %s", cases[i].in, c);
        /* CBOR -> DOM -> CBOR -> DOM is lossless. */
        assert_true(sl_val_equal(v, cbor_ok(c)));
    }
    /* {1: 2, 3: 4}: well-formed, but only text keys map onto the tree. */
    cbor_bad("a201020304", "offset 1: map key is not a text string");
}

static void test_cbor_invalid(void **state)
{
    cbor_bad("", "offset 0: unexpected end of input");
    cbor_bad("18", "offset 0: truncated item head");
    cbor_bad("1b00000000000000", "offset 0: truncated item head");
    cbor_bad("1c", "offset 0: reserved additional information value");
    cbor_bad("1f", "offset 0: indefinite length not allowed");
    cbor_bad("3f", "offset 0: indefinite length not allowed");
    cbor_bad("df00", "offset 0: indefinite length not allowed");
    cbor_bad("ff", "offset 0: unexpected break");
    cbor_bad("8301ff02", "offset 2: unexpected break");
    cbor_bad("f801", "offset 0: simple value below 32");
    cbor_bad("0000", "offset 1: unexpected data after the CBOR item");
    cbor_bad("6461", "offset 0: string longer than the input");
    cbor_bad("5bffffffffffffffff00", "offset 0: string longer than the input");
    /* Huge declared counts fail before anything is allocated. */
    cbor_bad("9bffffffffffffffff", "offset 0: array longer than the input");
    cbor_bad("bbffffffffffffffff", "offset 0: map longer than the input");
    cbor_bad("9a7fffffff00", "offset 0: array longer than the input");
    cbor_bad("a2616101", "offset 0: map longer than the input");
    cbor_bad("a26161016162", "offset 6: unexpected end of input");
    /* Indefinite strings: chunks must be definite strings of the same type. */
    cbor_bad("5f6161ff", "offset 1: bad chunk in indefinite-length string");
    cbor_bad("5f5fffff", "offset 1: bad chunk in indefinite-length string");
    cbor_bad("7f01ff", "offset 1: bad chunk in indefinite-length string");
    cbor_bad("7f6161", "offset 3: unexpected end of input");
    cbor_bad("7f6461ff", "offset 1: string longer than the input");
    cbor_bad("9f01", "offset 2: unexpected end of input");
    cbor_bad("bf6161ff", "offset 3: unexpected break");
    /* Depth: 64 nested arrays are fine, 65 are not; tags count as a level. */
    char hex[2 * 200 + 1];
    size_t n = 0;
    for (int i = 0; i < SL_VAL_MAX_DEPTH; i++) n += (size_t)sprintf(hex + n, "81");
    sprintf(hex + n, "00");
    cbor_ok(hex);
    n = 0;
    for (int i = 0; i <= SL_VAL_MAX_DEPTH; i++) n += (size_t)sprintf(hex + n, "81");
    sprintf(hex + n, "00");
    cbor_bad(hex, "offset 64: nesting too deep");
    n = 0;
    for (int i = 0; i < 100; i++) n += (size_t)sprintf(hex + n, "c6");
    sprintf(hex + n, "00");
    cbor_bad(hex, "nesting too deep");
    /* Every strict prefix of a valid item is an error, never a crash. */
    const char *full = "bf6a53747265616d4e616d6563666f6f675265636f7264739fa2644461746143"
                       "0102036c506172746974696f6e4b657962706bffff";
    size_t len;
    unsigned char *p = unhex(full, &len);
    const char *err;
    assert_non_null(sl_cbor_parse(arena, p, len, &err));
    for (size_t k = 0; k < len; k++) {
        if (sl_cbor_parse(arena, p, k, &err)) fail_msg("prefix %zu parsed", k);
        assert_non_null(err);
    }
}

/* ---- base64 --------------------------------------------------------------------------- */

static void test_base64(void **state)
{
    static const char *vec[][2] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    unsigned char out[64];
    for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
        sl_buf_t b = SL_BUF_INIT;
        sl_base64_encode(&b, vec[i][0], strlen(vec[i][0]));
        assert_int_equal(b.len, sl_base64_encoded_len(strlen(vec[i][0])));
        assert_string_equal(b.len ? b.p : "", vec[i][1]);
        sl_buf_free(&b);
        long n = sl_base64_decode(vec[i][1], strlen(vec[i][1]), out);
        assert_int_equal(n, (long)strlen(vec[i][0]));
        assert_memory_equal(out, vec[i][0], (size_t)n);
        /* Unpadded input is accepted. */
        size_t tl = strlen(vec[i][1]);
        while (tl && vec[i][1][tl - 1] == '=') tl--;
        assert_int_equal(sl_base64_decode(vec[i][1], tl, out), (long)strlen(vec[i][0]));
    }
    /* Round trips of every length up to 300 over all byte values. */
    unsigned char data[300], back[300];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 151 + 7);
    for (size_t n = 0; n <= sizeof data; n++) {
        sl_buf_t b = SL_BUF_INIT;
        sl_base64_encode(&b, data, n);
        assert_int_equal(sl_base64_decode(b.p, b.len, back), (long)n);
        assert_memory_equal(back, data, n);
        sl_buf_free(&b);
    }
    /* Long inputs (the AVX2 path takes 32 characters at a time): every invalid byte value
     * at positions inside and between 32-character blocks is rejected, never decoded. The
     * output buffer is exactly len*3/4 bytes with a canary after it. */
    {
        unsigned char big[300], *dec = sl_malloc(300 + 8);
        for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 73 + 11);
        sl_buf_t b = SL_BUF_INIT;
        sl_base64_encode(&b, big, sizeof big);
        size_t room = b.len * 3 / 4;
        memset(dec + room, 0xA5, 8);
        assert_int_equal(sl_base64_decode(b.p, b.len, dec), (long)sizeof big);
        assert_memory_equal(dec, big, sizeof big);
        for (size_t k = 0; k < 8; k++) assert_int_equal(dec[room + k], 0xA5);
        static const size_t at[] = {0, 5, 31, 32, 33, 63, 64, 100, 200, 395};
        for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
            for (int c = 0; c < 256; c++) {
                if (c < 128 && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", c) && c)
                    continue;
                char keep = b.p[at[k]];
                b.p[at[k]] = (char)c;
                if (sl_base64_decode(b.p, b.len, dec) != -1) fail_msg("accepted byte %d at %zu", c, at[k]);
                b.p[at[k]] = keep;
            }
        }
        sl_buf_free(&b);
        sl_free(dec);
    }
    static const char *bad[] = {"Z",    "Zg=",   "Zg===", "=Zg=",  "Zm9v!",  " Zg==", "Zg==\n",
                                "Zm=v", "Zg==Zg==", "Zm9vY", "====", "Zm9-", "Zm9_", "Z===",
                                "Zm\x80v"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (sl_base64_decode(bad[i], strlen(bad[i]), out) != -1) fail_msg("accepted %s", bad[i]);
    }
    /* sl_val_blob: base64 text (JSON), byte strings (CBOR), absent, wrong type. */
    sl_val_t *v = json_ok("{\"Data\":\"aGVsbG8=\",\"Bad\":\"a\",\"Num\":1,\"Null\":null}");
    const unsigned char *d;
    size_t dl;
    assert_int_equal(sl_val_blob(arena, sl_val_get(v, "Data"), &d, &dl), 1);
    assert_int_equal(dl, 5);
    assert_memory_equal(d, "hello", 5);
    assert_int_equal(sl_val_blob(arena, sl_val_get(v, "Bad"), &d, &dl), -1);
    assert_int_equal(sl_val_blob(arena, sl_val_get(v, "Num"), &d, &dl), -1);
    assert_int_equal(sl_val_blob(arena, sl_val_get(v, "Null"), &d, &dl), 0);
    assert_int_equal(sl_val_blob(arena, sl_val_get(v, "Absent"), &d, &dl), 0);
    assert_int_equal(sl_val_blob(arena, cbor_ok("4568656c6c6f"), &d, &dl), 1);
    assert_int_equal(dl, 5);
    assert_memory_equal(d, "hello", 5);
}

/* ---- accessors ------------------------------------------------------------------------ */

static void test_time_ms(void **state)
{
    sl_val_t *v = json_ok("{\"i\":1700000000,\"f\":1700000000.123,\"n\":null,\"s\":\"1\","
                          "\"neg\":-1.5,\"big\":9223372036854775807,\"huge\":1e300}");
    int64_t ms;
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "i"), &ms), 1);
    assert_int_equal(ms, 1700000000000);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "f"), &ms), 1);
    assert_int_equal(ms, 1700000000123);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "neg"), &ms), 1);
    assert_int_equal(ms, -1500);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "n"), &ms), 0);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "absent"), &ms), 0);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "s"), &ms), -1);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "big"), &ms), -1);
    assert_int_equal(sl_val_time_ms(sl_val_get(v, "huge"), &ms), -1);
    assert_int_equal(sl_val_time_ms(cbor_ok("c11b0000018bcfe5687b"), &ms), 1);
    assert_int_equal(ms, 1700000000123);
}

/* ---- encoders ------------------------------------------------------------------------- */

/* Writes the same document through either backend. */
static void write_doc(sl_enc_t *e)
{
    sl_enc_obj_begin(e);
    sl_enc_key(e, "Str");
    sl_enc_str(e, "a\"b");
    sl_enc_key(e, "N");
    sl_enc_i64(e, -25);
    sl_enc_key(e, "Big");
    sl_enc_i64(e, INT64_MIN);
    sl_enc_key(e, "D");
    sl_enc_double(e, 0.5);
    sl_enc_key(e, "T");
    sl_enc_time_ms(e, 1700000000123);
    sl_enc_key(e, "B");
    sl_enc_blob(e, "\x00\xff", 2);
    sl_enc_key(e, "L");
    sl_enc_arr_begin(e);
    sl_enc_bool(e, true);
    sl_enc_bool(e, false);
    sl_enc_null(e);
    sl_enc_arr_begin(e);
    sl_enc_arr_end(e);
    sl_enc_obj_begin(e);
    sl_enc_obj_end(e);
    sl_enc_strn(e, "x\0y", 3);
    sl_enc_arr_end(e);
    sl_enc_obj_end(e);
}

static void test_enc_json(void **state)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_JSON, &b);
    write_doc(&e);
    assert_string_equal(b.p, "{\"Str\":\"a\\\"b\",\"N\":-25,\"Big\":-9223372036854775808,"
                             "\"D\":0.5,\"T\":1700000000.123,\"B\":\"AP8=\","
                             "\"L\":[true,false,null,[],{},\"x\\u0000y\"]}");
    assert_true(sl_val_equal(json_ok(b.p), json_ok(b.p)));

    /* Doubles: plain decimal, shortest round-tripping digits, never an exponent. */
    static const struct {
        double d;
        const char *want;
    } dbl[] = {
        {0.1, "0.1"},
        {-2.5, "-2.5"},
        {3.0, "3"},
        {-0.0, "-0"},
        {1e21, "1000000000000000000000"},
        {1e-7, "0.0000001"},
        {123456789.125, "123456789.125"},
        {1e22, "10000000000000000000000"},
        {0.30000000000000004, "0.30000000000000004"},
        {1700000000.123, "1700000000.123"},
        {NAN, "null"},
        {INFINITY, "null"},
    };
    for (size_t i = 0; i < sizeof dbl / sizeof *dbl; i++) {
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_JSON, &b);
        sl_enc_double(&e, dbl[i].d);
        assert_string_equal(b.p, dbl[i].want);
        if (isfinite(dbl[i].d)) {
            sl_val_t *v = json_ok(b.p);
            assert_true(v->u.num.d == dbl[i].d);
        }
    }
    /* The largest double: its 17 digits and 292 zeros. */
    char maxd[400] = "17976931348623157";
    memset(maxd + 17, '0', 292);
    maxd[17 + 292] = '\0';
    sl_buf_reset(&b);
    sl_enc_init(&e, SL_ENC_JSON, &b);
    sl_enc_double(&e, 1.7976931348623157e308);
    assert_string_equal(b.p, maxd);
    /* Every double read back must equal the one written: a sweep over magnitudes. */
    for (int k = -330; k <= 308; k += 7) {
        double d = 1.2345678901234567 * pow(10, k);
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_JSON, &b);
        sl_enc_double(&e, d);
        assert_null(strchr(b.p, 'e'));
        assert_true(json_ok(b.p)->u.num.d == d);
    }
    /* Times: always three decimals. */
    static const struct {
        int64_t ms;
        const char *want;
    } tm[] = {{0, "0.000"}, {1, "0.001"}, {-1, "-0.001"}, {-1500, "-1.500"}, {1700000000000, "1700000000.000"}};
    for (size_t i = 0; i < sizeof tm / sizeof *tm; i++) {
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_JSON, &b);
        sl_enc_time_ms(&e, tm[i].ms);
        assert_string_equal(b.p, tm[i].want);
    }
    /* sl_json_quote: quotes, backslash, control characters; UTF-8 and DEL kept. */
    sl_buf_reset(&b);
    sl_json_quote(&b, "\"\\\x01\x1f\x7f\xc3\xa9/\b\f\n\r\t", 13);
    assert_string_equal(b.p, "\"\\\"\\\\\\u0001\\u001f\x7f\xc3\xa9/\\b\\f\\n\\r\\t\"");
    sl_buf_free(&b);
}

static void test_enc_cbor(void **state)
{
    sl_buf_t b = SL_BUF_INIT;
    sl_enc_t e;
    sl_enc_init(&e, SL_ENC_CBOR, &b);
    write_doc(&e);
    assert_string_equal(tohex(b.p, b.len),
                        "bf"
                        "63537472" "63612262"         /* "Str": "a\"b" */
                        "614e" "3818"                 /* "N": -25 */
                        "63426967" "3b7fffffffffffffff" /* "Big": INT64_MIN */
                        "6144" "f93800"               /* "D": 0.5 */
                        "6154" "c11b0000018bcfe5687b" /* "T": 1(1700000000123) */
                        "6142" "4200ff"               /* "B": h'00ff' */
                        "614c" "9ff5f4f69fffbfff63780079ff" /* "L": [...] */
                        "ff");
    /* Integer heads at each size boundary, both signs. */
    static const struct {
        int64_t v;
        const char *hex;
    } ints[] = {{23, "17"},           {24, "1818"},         {255, "18ff"},
                {256, "190100"},      {65535, "19ffff"},    {65536, "1a00010000"},
                {4294967295, "1affffffff"}, {4294967296, "1b0000000100000000"},
                {INT64_MAX, "1b7fffffffffffffff"}, {-24, "37"}, {-25, "3818"},
                {-256, "38ff"},       {-257, "390100"}};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_CBOR, &b);
        sl_enc_i64(&e, ints[i].v);
        assert_string_equal(tohex(b.p, b.len), ints[i].hex);
        assert_int_equal(cbor_ok(ints[i].hex)->u.num.i, ints[i].v);
    }
    /* Floats: shortest exact form (half, single, double). */
    static const struct {
        double d;
        const char *hex;
    } fl[] = {{0.5, "f93800"},       {65504.0, "f97bff"},    {65505.0, "fa477fe100"},
              {1e-10, "fb3ddb7cdfd9d7bdbb"}, {0.1, "fb3fb999999999999a"},
              {6.103515625e-05, "f90400"}, {1.0 / (1 << 24), "f90001"}, {1.0 / (1 << 25), "fa33000000"}};
    for (size_t i = 0; i < sizeof fl / sizeof *fl; i++) {
        sl_buf_reset(&b);
        sl_enc_init(&e, SL_ENC_CBOR, &b);
        sl_enc_double(&e, fl[i].d);
        assert_string_equal(tohex(b.p, b.len), fl[i].hex);
        assert_true(cbor_ok(fl[i].hex)->u.num.d == fl[i].d);
    }
    sl_buf_free(&b);
}

/* ---- round trips ---------------------------------------------------------------------- */

static void test_roundtrip_json(void **state)
{
    /* Compact documents come back byte for byte. */
    static const char *docs[] = {
        "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"aGVsbG8=\",\"PartitionKey\":\"pk\"}]}",
        "[1,-2,0.5,-0.001,1.5,true,false,null,\"\\\"\\\\\\n\\u0001\",[],{},[[{}]]]",
        "{\"\\u0000k\":\"\xc3\xa9\xf0\x9f\x98\x80\",\"\":\"\"}",
        "123456789012345678",
        "18446744073709552000",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        sl_val_t *v = json_ok(docs[i]);
        const char *out = reencode(v, SL_ENC_JSON);
        assert_string_equal(out, docs[i]);
        assert_true(sl_val_equal(v, json_ok(out)));
    }
    /* Non-canonical input comes back compact and equal in value. */
    sl_val_t *v = json_ok(" { \"a\" : [ 1.0 , 1e2 , \"\\u00e9\\/\" ] } ");
    const char *out = reencode(v, SL_ENC_JSON);
    assert_string_equal(out, "{\"a\":[1,100,\"\xc3\xa9/\"]}");
    assert_true(sl_val_equal(v, json_ok(out)));
    /* JSON -> DOM -> CBOR -> DOM keeps every value. */
    v = json_ok(docs[1]);
    size_t n;
    const char *hex = reencode(v, SL_ENC_CBOR);
    unsigned char *p = unhex(hex, &n);
    const char *err;
    assert_true(sl_val_equal(v, sl_cbor_parse(arena, p, n, &err)));
}

static void test_roundtrip_cbor(void **state)
{
    /* A PutRecords-shaped request as the Java SDK writes it (definite lengths). */
    const char *hex = "a26a53747265616d4e616d6563666f6f675265636f72647381a26444617461430102"
                      "036c506172746974696f6e4b657962706b";
    sl_val_t *v = cbor_ok(hex);
    const char *data;
    size_t len;
    assert_non_null(data = sl_val_get_str(v, "StreamName", &len));
    assert_string_equal(data, "foo");
    sl_val_t *rec = sl_val_get(v, "Records")->u.arr.items[0];
    const unsigned char *blob;
    assert_int_equal(sl_val_blob(arena, sl_val_get(rec, "Data"), &blob, &len), 1);
    assert_int_equal(len, 3);
    const char *again = reencode(v, SL_ENC_CBOR);
    assert_string_equal(again, "bf6a53747265616d4e616d6563666f6f675265636f7264739fbf6444617461"
                               "430102036c506172746974696f6e4b657962706bffffff");
    /* Our own (indefinite-length) output is a fixed point. */
    assert_string_equal(reencode(cbor_ok(again), SL_ENC_CBOR), again);
    assert_true(sl_val_equal(v, cbor_ok(again)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cbor_rfc_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cbor_rfc_simple_and_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cbor_rfc_strings_and_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cbor_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_ms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enc_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enc_cbor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_cbor, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
