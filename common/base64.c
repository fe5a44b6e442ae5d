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
