/*
 * test_common_crc32c.c - unit tests for common/crc32c.h.
 *
 * Expected values come from RFC 3720 appendix B.4 (iSCSI CRC-32C examples) and the
 * "123456789" check value of the Castagnoli polynomial; the hardware path is compared with
 * the portable table path on random buffers of every length 0..300 at every alignment 0..7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crc32c.h"

#include <stdlib.h>
#include <string.h>

/* A small deterministic PRNG (xorshift64*) so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* A bitwise reference CRC-32C (one bit at a time, straight from the definition). */
static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

/* Both entry points must give the expected value. */
static void check_both(const void *p, size_t n, uint32_t want)
{
    assert_int_equal(sl_crc32c(0, p, n), want);
    assert_int_equal(sl_crc32c_portable(0, p, n), want);
}

static void test_check_value(void **state)
{
    check_both("123456789", 9, 0xE3069283u);
    check_both("", 0, 0x00000000u);
    check_both("a", 1, 0xC1D04330u);
}

/* RFC 3720 B.4: 32 bytes of zeros, of 0xFF, ascending and descending. */
static void test_rfc3720_vectors(void **state)
{
    unsigned char buf[32];
    memset(buf, 0, sizeof buf);
    check_both(buf, 32, 0x8A9136AAu);
    memset(buf, 0xFF, sizeof buf);
    check_both(buf, 32, 0x62A8AB43u);
    for (int i = 0; i < 32; i++) buf[i] = (unsigned char)i;
    check_both(buf, 32, 0x46DD794Eu);
    for (int i = 0; i < 32; i++) buf[i] = (unsigned char)(31 - i);
    check_both(buf, 32, 0x113FDB5Cu);
}

/* RFC 3720 B.4: an iSCSI Read (10) command PDU. */
static void test_rfc3720_iscsi_pdu(void **state)
{
    static const unsigned char pdu[48] = {
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    check_both(pdu, sizeof pdu, 0xD9963A56u);
}

/* Hardware, portable and bitwise agree on random data of every length at every alignment. */
static void test_paths_agree(void **state)
{
    unsigned char *buf = malloc(300 + 8);
    for (size_t len = 0; len <= 300; len++) {
        for (size_t off = 0; off < 8; off++) {
            for (size_t i = 0; i < len + 8; i++) buf[i] = (unsigned char)rng();
            uint32_t ref = crc_bitwise(buf + off, len);
            uint32_t hw = sl_crc32c(0, buf + off, len);
            uint32_t sw = sl_crc32c_portable(0, buf + off, len);
            if (hw != ref || sw != ref)
                fail_msg("len %zu off %zu: ref %08x hw %08x portable %08x", len, off, ref, hw,
                         sw);
        }
    }
    free(buf);
}

/* Extending a crc piece by piece equals one call over the whole, for every split point, on
 * both paths (and mixing them). */
static void test_incremental(void **state)
{
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)rng();
    uint32_t whole = sl_crc32c(0, buf, sizeof buf);
    assert_int_equal(whole, crc_bitwise(buf, sizeof buf));
    for (size_t cut = 0; cut <= sizeof buf; cut++) {
        assert_int_equal(sl_crc32c(sl_crc32c(0, buf, cut), buf + cut, sizeof buf - cut), whole);
        assert_int_equal(
            sl_crc32c_portable(sl_crc32c_portable(0, buf, cut), buf + cut, sizeof buf - cut),
            whole);
        assert_int_equal(sl_crc32c_portable(sl_crc32c(0, buf, cut), buf + cut, sizeof buf - cut),
                         whole);
    }
    /* Many small random pieces. */
    for (int round = 0; round < 50; round++) {
        uint32_t c = 0;
        size_t p = 0;
        while (p < sizeof buf) {
            size_t k = 1 + rng() % 17;
            if (k > sizeof buf - p) k = sizeof buf - p;
            c = (round & 1) ? sl_crc32c(c, buf + p, k) : sl_crc32c_portable(c, buf + p, k);
            p += k;
        }
        assert_int_equal(c, whole);
    }
    /* "1234" then "56789" gives the check value. */
    assert_int_equal(sl_crc32c(sl_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
}

/* A single flipped bit anywhere changes the checksum (what the shard log relies on). */
static void test_detects_bit_flips(void **state)
{
    unsigned char buf[64];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)rng();
    uint32_t c0 = sl_crc32c(0, buf, sizeof buf);
    for (size_t bit = 0; bit < sizeof buf * 8; bit++) {
        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        assert_int_not_equal(sl_crc32c(0, buf, sizeof buf), c0);
        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),    cmocka_unit_test(test_rfc3720_vectors),
        cmocka_unit_test(test_rfc3720_iscsi_pdu), cmocka_unit_test(test_paths_agree),
        cmocka_unit_test(test_incremental),    cmocka_unit_test(test_detects_bit_flips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
