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

#include <stdint.h>
#include <string.h>

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of each byte as a base64 digit, or 0xff for anything else ('=' included).
 * Built at compile time from the alphabet by the macro below. */
#define B64V(c)                                                                              \
    ((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                                                  \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                                             \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                                             \
     : (c) == '+'               ? 62                                                         \
     : (c) == '/'               ? 63                                                         \
                                : 0xff)
#define B64R4(c)  B64V(c), B64V((c) + 1), B64V((c) + 2), B64V((c) + 3)
#define B64R16(c) B64R4(c), B64R4((c) + 4), B64R4((c) + 8), B64R4((c) + 12)
static const uint8_t b64_value[256] = {
    B64R16(0),   B64R16(16),  B64R16(32),  B64R16(48),  B64R16(64),  B64R16(80),
    B64R16(96),  B64R16(112), B64R16(128), B64R16(144), B64R16(160), B64R16(176),
    B64R16(192), B64R16(208), B64R16(224), B64R16(240),
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
