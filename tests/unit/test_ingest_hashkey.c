/*
 * test_ingest_hashkey.c - unit tests for ingest/hashkey.h: MD5, partition key -> hash key,
 * and the decimal form of 128-bit hash keys.
 *
 * MD5 is checked differentially against OpenSSL's EVP MD5 and against the RFC 1321 test
 * suite; the hash key of "p" is the value Kinesis documents routing by.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hashkey.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x0123456789ABCDEFull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* MD5 by OpenSSL. */
static void ref_md5(const void *p, size_t n, unsigned char out[16])
{
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(p, n, out, &len, EVP_md5(), NULL), 1);
    assert_int_equal(len, 16);
}

static void hex(const unsigned char d[16], char out[33])
{
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* RFC 1321 appendix A.5. */
static void test_md5_rfc1321(void **state)
{
    static const char *const cases[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890"
         "1234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char d[16];
        char h[33];
        sl_md5(cases[i][0], strlen(cases[i][0]), d);
        hex(d, h);
        assert_string_equal(h, cases[i][1]);
    }
}

/* Random inputs of every length 0..200 (which covers the padding boundaries 55/56, 63/64,
 * 119/120 and multi-block inputs), several per length, against OpenSSL. */
static void test_md5_vs_openssl(void **state)
{
    unsigned char buf[256];
    for (size_t len = 0; len <= 200; len++) {
        for (int round = 0; round < 8; round++) {
            for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)rng();
            unsigned char got[16], want[16];
            sl_md5(buf, len, got);
            ref_md5(buf, len, want);
            if (memcmp(got, want, 16)) {
                char g[33], w[33];
                hex(got, g);
                hex(want, w);
                fail_msg("len %zu: sl_md5 %s, OpenSSL %s", len, g, w);
            }
        }
    }
    /* The boundaries again with all-0xFF bytes (every bit of the tail set). */
    static const size_t edges[] = {55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129};
    memset(buf, 0xFF, sizeof buf);
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        unsigned char got[16], want[16];
        sl_md5(buf, edges[i], got);
        ref_md5(buf, edges[i], want);
        assert_memory_equal(got, want, 16);
    }
    /* A long input (many blocks). */
    size_t big = 100000;
    unsigned char *p = malloc(big);
    for (size_t i = 0; i < big; i++) p[i] = (unsigned char)rng();
    unsigned char got[16], want[16];
    sl_md5(p, big, got);
    ref_md5(p, big, want);
    assert_memory_equal(got, want, 16);
    free(p);
}

/* The hash key is the MD5 read big-endian: MD5("p") = 83878c91171338902e0fe0fb97a8c47a. */
static void test_hashkey_of(void **state)
{
    sl_u128_t h = sl_hashkey_of("p", 1);
    char s[40];
    sl_u128_format(h, s);
    assert_string_equal(s, "174832678556295648811075566251100652666");
    assert_true((uint64_t)(h >> 64) == 0x83878c9117133890ull);
    assert_true((uint64_t)h == 0x2e0fe0fb97a8c47aull);
    /* Differential: every random key's hash key equals OpenSSL's digest read big-endian. */
    for (int round = 0; round < 200; round++) {
        char key[64];
        size_t n = 1 + rng() % 60;
        for (size_t i = 0; i < n; i++) key[i] = (char)(' ' + rng() % 95);
        unsigned char d[16];
        ref_md5(key, n, d);
        sl_u128_t want = 0;
        for (int i = 0; i < 16; i++) want = want << 8 | d[i];
        assert_true(sl_hashkey_of(key, n) == want);
    }
}

static bool parse(const char *s, sl_u128_t *v)
{
    return sl_u128_parse(s, strlen(s), v);
}

static void test_u128_parse_format(void **state)
{
    sl_u128_t v;
    char out[40];
    assert_true(parse("0", &v));
    assert_true(v == 0);
    assert_int_equal(sl_u128_format(0, out), 1);
    assert_string_equal(out, "0");

    /* 2^128 - 1 is the largest key. */
    assert_true(parse("340282366920938463463374607431768211455", &v));
    assert_true(v == SL_U128_MAX);
    assert_int_equal(sl_u128_format(SL_U128_MAX, out), 39);
    assert_string_equal(out, "340282366920938463463374607431768211455");

    /* 2^64 and 2^64 - 1 (the carry across the two halves). */
    assert_true(parse("18446744073709551616", &v));
    assert_true(v == (sl_u128_t)1 << 64);
    assert_true(parse("18446744073709551615", &v));
    assert_true(v == (sl_u128_t)UINT64_MAX);

    /* Round trips of random values of every magnitude, and of powers of ten +/- 1. */
    for (int round = 0; round < 2000; round++) {
        sl_u128_t x = (sl_u128_t)rng() << 64 | rng();
        x >>= rng() % 128;
        int len = sl_u128_format(x, out);
        assert_int_equal(len, (int)strlen(out));
        sl_u128_t y = 0;
        assert_true(sl_u128_parse(out, (size_t)len, &y));
        assert_true(x == y);
    }
    sl_u128_t p10 = 1;
    for (int e = 0; e <= 38; e++) {
        for (int d = -1; d <= 1; d++) {
            sl_u128_t x = p10 + (sl_u128_t)(__int128)d;
            if (e == 0 && d == -1) x = 0;
            int len = sl_u128_format(x, out);
            sl_u128_t y = 7;
            assert_true(sl_u128_parse(out, (size_t)len, &y));
            assert_true(x == y);
        }
        char want[41];
        want[0] = '1';
        memset(want + 1, '0', (size_t)e);
        want[e + 1] = '\0';
        sl_u128_format(p10, out);
        assert_string_equal(out, want);
        if (e < 38) p10 *= 10;
    }

    /* Only the first n bytes are read. */
    assert_true(sl_u128_parse("12345", 3, &v));
    assert_true(v == 123);
}

static void test_u128_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "340282366920938463463374607431768211456",  /* 2^128 */
        "340282366920938463463374607431768211460",
        "999999999999999999999999999999999999999",  /* 39 nines */
        "1000000000000000000000000000000000000000", /* 40 digits */
        "00", "01", "007", "-1", "+1", " 1", "1 ", "1a", "a", "12.5", "0x10", "1e5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_u128_t v = 42;
        if (sl_u128_parse(bad[i], strlen(bad[i]), &v)) fail_msg("accepted \"%s\"", bad[i]);
    }
    /* An embedded NUL inside n is not a digit. */
    sl_u128_t v;
    assert_false(sl_u128_parse("1\0002", 3, &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_rfc1321),       cmocka_unit_test(test_md5_vs_openssl),
        cmocka_unit_test(test_hashkey_of),        cmocka_unit_test(test_u128_parse_format),
        cmocka_unit_test(test_u128_parse_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
