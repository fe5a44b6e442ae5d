/*
 * hashkey.c - MD5 and 128-bit decimal conversion; see hashkey.h.
 *
 * MD5 is written from RFC 1321 (section 3): 64 rounds over 512-bit blocks with the sine
 * table T[i] = floor(2^32 * |sin(i + 1)|) and per-round shift amounts. It is here, not taken
 * from OpenSSL, because partition keys are short and hashing one sits on the PutRecords
 * path: a direct routine avoids EVP's per-call setup.
 */
#include "hashkey.h"

#include <string.h>

static const uint32_t md5_t[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
    0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
    0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
    0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
    0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
    0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391};

static const unsigned char md5_s[64] = {7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,
                                        12, 17, 22, 5,  9,  14, 20, 5,  9,  14, 20, 5,  9,
                                        14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16,
                                        23, 4,  11, 16, 23, 4,  11, 16, 23, 6,  10, 15, 21,
                                        6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

/* Processes one 64-byte block into the state h[4]. */
static void md5_block(uint32_t h[4], const unsigned char *blk)
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)blk[i * 4] | (uint32_t)blk[i * 4 + 1] << 8 |
               (uint32_t)blk[i * 4 + 2] << 16 | (uint32_t)blk[i * 4 + 3] << 24;
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) & 15;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) & 15;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) & 15;
        }
        uint32_t x = a + f + md5_t[i] + m[g];
        a = d;
        d = c;
        c = b;
        b = b + ((x << md5_s[i]) | (x >> (32 - md5_s[i])));
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

void sl_md5(const void *data, size_t n, unsigned char out[16])
{
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    const unsigned char *p = data;
    size_t left = n;
    while (left >= 64) {
        md5_block(h, p);
        p += 64;
        left -= 64;
    }
    /* Padding: 0x80, zeros to 56 mod 64, then the bit length little-endian. */
    unsigned char tail[128];
    memset(tail, 0, sizeof tail);
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tlen = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++) tail[tlen - 8 + i] = (unsigned char)(bits >> (8 * i));
    md5_block(h, tail);
    if (tlen == 128) md5_block(h, tail + 64);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) out[i * 4 + k] = (unsigned char)(h[i] >> (8 * k));
}

sl_u128_t sl_hashkey_of(const char *partition_key, size_t n)
{
    unsigned char d[16];
    sl_md5(partition_key, n, d);
    sl_u128_t v = 0;
    for (int i = 0; i < 16; i++) v = (v << 8) | d[i];
    return v;
}

bool sl_u128_parse(const char *s, size_t n, sl_u128_t *out)
{
    if (n == 0 || n > 39) return false;
    if (s[0] == '0' && n > 1) return false;
    sl_u128_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (SL_U128_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int sl_u128_format(sl_u128_t v, char out[40])
{
    char tmp[40];
    int i = 40;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    int len = 40 - i;
    memcpy(out, tmp + i, (size_t)len);
    out[len] = '\0';
    return len;
}
