/*
 * base64.c - RFC 4648 base64 (standard alphabet) for Kinesis blobs; see val.h.
 *
 * Both directions are table-driven and work on whole 3-byte / 4-character groups in the
 * main loop; only the last group is handled byte by byte. Decoding validates: any
 * character outside the alphabet, misplaced '=' or an impossible length is an error.
 * Unpadded input (length % 4 == 2 or 3) is accepted, as AWS does. Non-zero bits in the
 * unused low bits of the last character are ignored (as Java and Python decoders do).
 */
#include "val.h"

#include "simd.h"

#include <stdint.h>
#include <string.h>

#if SL_B64_AVX2
#include <immintrin.h>
#endif

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of each byte as a base64 digit, or 255 for anything else ('=' included). */
static const uint8_t b64_value[256] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255, 255, 255,  63,
     52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255, 255, 255, 255,
    255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
     15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255, 255,
    255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
     41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

/* See val.h. */
size_t sl_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* See val.h. Writes straight into b's storage after one reserve. */
void sl_base64_encode(sl_buf_t *b, const void *data, size_t n)
{
    size_t olen = sl_base64_encoded_len(n);
    sl_buf_reserve(b, olen);
    const unsigned char *s = data;
    char *o = b->p + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        o[0] = b64_alphabet[w >> 18];
        o[1] = b64_alphabet[(w >> 12) & 63];
        o[2] = b64_alphabet[(w >> 6) & 63];
        o[3] = b64_alphabet[w & 63];
        o += 4;
    }
    if (n - i == 1) {
        uint32_t w = (uint32_t)s[i] << 16;
        o[0] = b64_alphabet[w >> 18];
        o[1] = b64_alphabet[(w >> 12) & 63];
        o[2] = '=';
        o[3] = '=';
        o += 4;
    } else if (n - i == 2) {
        uint32_t w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        o[0] = b64_alphabet[w >> 18];
        o[1] = b64_alphabet[(w >> 12) & 63];
        o[2] = b64_alphabet[(w >> 6) & 63];
        o[3] = '=';
        o += 4;
    }
    b->len += olen;
    b->p[b->len] = '\0';
}

#if SL_B64_AVX2
/*
 * AVX2 bulk decoding of 32 characters at a time, as long as all of them are alphabet
 * characters (no '=' can occur: the caller passes only the full groups before the last
 * one; n is a multiple of 4). Returns the number of characters consumed; the scalar loop
 * resumes there and reports any invalid character itself.
 *
 * Method: a byte is split into its high and low nibble. Validation: each high nibble has a
 * class bit (LUT_HI: 0x02 for 0x2_, 0x04 digits, 0x08 'A'-'O' and 'a'-'o', 0x10 'P'-'Z'
 * and 'p'-'z', 0x01 for the rows with no alphabet character); LUT_LO holds, per low nibble,
 * the classes for which that nibble is NOT in the alphabet ('+' 0x2B and '/' 0x2F the only
 * ones in row 2, 0-9 in row 3, 1-F in rows 4 and 6, 0-A in rows 5 and 7). A byte is valid
 * when the two lookups share no bit. The sextet is the byte plus an offset chosen by the
 * high nibble (LUT_OFF; '/' shares row 2 with '+', so its index is moved down by one). Four
 * sextets a b c d of a 32-bit lane are packed into a<<18 | b<<12 | c<<6 | d with two
 * multiply-adds, and a byte shuffle takes bytes 2, 1, 0 of each lane: 24 output bytes per
 * 32 input characters. The tables were checked against the alphabet for all 256 bytes, and
 * tests/unit/test_common_val.c rejects every invalid byte inside and between blocks.
 */
__attribute__((target("avx2"))) static size_t b64_decode_avx2(const unsigned char *s, size_t n,
                                                                unsigned char *o)
{
#define LANES(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)
    const __m256i lut_hi = LANES(0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x08, 0x10, 0x01, 0x01, 0x01,
                                 0x01, 0x01, 0x01, 0x01, 0x01);
    const __m256i lut_lo = LANES(0x0B, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x07,
                                 0x15, 0x17, 0x17, 0x17, 0x15);
    const __m256i lut_off = LANES(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i shuf = LANES(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
#undef LANES
    const __m256i nib = _mm256_set1_epi8(0x0F), slash = _mm256_set1_epi8('/');
    const __m256i w1 = _mm256_set1_epi32(0x01400140), w2 = _mm256_set1_epi32(0x00011000);
    const __m256i perm = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    size_t i = 0;
    unsigned char pad[32], outpad[32];
    for (; i < n; i += 32, o += 24) {
        const unsigned char *src = s + i;
        size_t rest = n - i;
        if (rest < 32) {
            /* The last partial block (a multiple of 4 characters): through a copy padded
             * with 'A', keeping only its own bytes. */
            if (rest < 8) break;
            memset(pad, 'A', sizeof pad);
            memcpy(pad, src, rest);
            src = pad;
        }
        __m256i in = _mm256_loadu_si256((const __m256i *)src);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), nib);
        __m256i lo = _mm256_and_si256(in, nib);
        __m256i bad = _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi));
        if (!_mm256_testz_si256(bad, bad)) break;
        __m256i idx = _mm256_add_epi8(hi, _mm256_cmpeq_epi8(in, slash));
        __m256i v = _mm256_add_epi8(in, _mm256_shuffle_epi8(lut_off, idx));
        v = _mm256_maddubs_epi16(v, w1);
        v = _mm256_madd_epi16(v, w2);
        v = _mm256_shuffle_epi8(v, shuf);
        v = _mm256_permutevar8x32_epi32(v, perm);
        unsigned char *dst = rest < 32 ? outpad : o;
        _mm_storeu_si128((__m128i *)dst, _mm256_castsi256_si128(v));
        _mm_storel_epi64((__m128i *)(dst + 16), _mm256_extracti128_si256(v, 1));
        if (rest < 32) {
            memcpy(o, outpad, rest / 4 * 3);
            return n;
        }
    }
    return i;
}
#endif

/* See val.h. The main loop decodes full groups that cannot hold padding (all but the last
 * group); an invalid character shows up as the 0xff value's high bits in the OR of the four
 * lookups. The last group may be 2, 3 or 4 characters, with '=' padding only there. */
long sl_base64_decode(const char *text, size_t len, unsigned char *out)
{
    const unsigned char *s = (const unsigned char *)text;
    if (len % 4 == 1) return -1;
    /* Strip padding: at most two '=', and only to complete a 4-character group. */
    if (len % 4 == 0 && len >= 4) {
        if (s[len - 1] == '=') {
            len--;
            if (s[len - 1] == '=') len--;
        }
    }
    size_t full = len / 4 * 4; /* characters in complete unpadded groups */
    if (full == len && len > 0) full -= 4; /* keep the last group for the tail code */
    unsigned char *o = out;
    size_t i = 0;
#if SL_B64_AVX2
    if (full >= 8 && sl_have_avx2()) {
        size_t done = b64_decode_avx2(s, full, o);
        i = done;
        o += done / 4 * 3;
    }
#endif
    for (; i < full; i += 4) {
        uint32_t a = b64_value[s[i]], b = b64_value[s[i + 1]], c = b64_value[s[i + 2]],
                 d = b64_value[s[i + 3]];
        if ((a | b | c | d) & 0x80) return -1;
        uint32_t w = a << 18 | b << 12 | c << 6 | d;
        o[0] = (unsigned char)(w >> 16);
        o[1] = (unsigned char)(w >> 8);
        o[2] = (unsigned char)w;
        o += 3;
    }
    size_t rest = len - i;
    if (rest == 0) return o - out;
    if (rest == 1) return -1; /* e.g. "A===" */
    uint32_t w = 0;
    for (size_t k = 0; k < rest; k++) {
        uint32_t v = b64_value[s[i + k]];
        if (v & 0x80) return -1;
        w |= v << (18 - 6 * k);
    }
    o[0] = (unsigned char)(w >> 16);
    if (rest >= 3) o[1] = (unsigned char)(w >> 8);
    if (rest == 4) o[2] = (unsigned char)w;
    o += rest - 1;
    return o - out;
}
