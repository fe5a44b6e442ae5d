/*
 * bytes.h - byte comparisons for the hot loops that compare short strings (group keys,
 * member names, the fixed parts of a dump line), where a call to memcmp costs more than
 * the comparison.
 */
#ifndef SL_BYTES_H
#define SL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memcmp(a, b, n) == 0, inline: words of 8 bytes with an overlapping last word, 4-byte
 * halves below 8, bytes below 4; memcmp itself beyond 64 bytes. Reads only the n bytes. */
static inline bool sl_mem_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    if (n > 64) return !memcmp(x, y, n);
    if (n >= 8) {
        uint64_t u, v;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&u, x + i, 8);
            memcpy(&v, y + i, 8);
            if (u != v) return false;
        }
        memcpy(&u, x + n - 8, 8);
        memcpy(&v, y + n - 8, 8);
        return u == v;
    }
    if (n >= 4) {
        uint32_t u0, u1, v0, v1;
        memcpy(&u0, x, 4);
        memcpy(&v0, y, 4);
        memcpy(&u1, x + n - 4, 4);
        memcpy(&v1, y + n - 4, 4);
        return u0 == v0 && u1 == v1;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return false;
    return true;
}

#endif
