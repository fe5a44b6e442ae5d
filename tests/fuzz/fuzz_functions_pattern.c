/*
 * fuzz_functions_pattern.c - libFuzzer target for functions/pattern.h (LIKE and SIMILAR TO
 * patterns come from SQL text and from rows).
 *
 * Input: byte 0 picks the escape (bit 0: none or '!'), then the pattern, a NUL, the string.
 * Checks, besides the sanitizers:
 *   - LIKE agrees with a naive recursive matcher written here from the definition;
 *   - for a pattern of letters, digits, '%' and '_' only, SIMILAR TO agrees with LIKE
 *     (the two define those characters alike);
 *   - compiling and matching never crash, whatever the bytes.
 */
#include "pattern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The character at s[i] as pattern.h defines it: a complete UTF-8 sequence, else a byte. */
static size_t clen_at(const char *s, size_t i, size_t n)
{
    unsigned char c = (unsigned char)s[i];
    size_t k = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + k > n) return 1;
    for (size_t j = 1; j < k; j++)
        if (((unsigned char)s[i + j] & 0xC0) != 0x80) return 1;
    return k;
}

/* SQL's rule for LIKE ... ESCAPE: the escape character is followed by %, _ or itself. */
static bool escapes_valid(const char *p, size_t pn, char esc)
{
    for (size_t i = 0; esc && i < pn; i++)
        if (p[i] == esc) {
            if (i + 1 >= pn || (p[i + 1] != '%' && p[i + 1] != '_' && p[i + 1] != esc))
                return false;
            i++;
        }
    return true;
}

/* memo[pi][si] of naive(): 0 unknown, 1 false, 2 true (pattern and string <= 24 bytes). */
static uint8_t memo[26][26];

/* LIKE by definition, on a pattern with valid escapes: p[pi..] against s[si..]; esc is
 * '!' or 0. Characters are UTF-8 sequences. Memoized, so patterns of many '%' stay
 * polynomial. */
static bool naive(const char *p, size_t pn, size_t pi, const char *s, size_t sn, size_t si,
                  char esc)
{
    if (pi == pn) return si == sn;
    if (memo[pi][si]) return memo[pi][si] == 2;
    size_t key = pi;
    bool r;
    char c = p[pi];
    size_t pk = clen_at(p, pi, pn); /* the pattern's character */
    if (esc && c == esc) {
        pi++;
        pk = clen_at(p, pi, pn);
        c = 0; /* a literal, below */
    }
    if (c == '%') {
        r = false;
        for (size_t k = si; !r; k += clen_at(s, k, sn)) {
            r = naive(p, pn, pi + 1, s, sn, k, esc);
            if (k >= sn) break;
        }
    } else if (si >= sn) {
        r = false;
    } else if (c == '_') {
        r = naive(p, pn, pi + 1, s, sn, si + clen_at(s, si, sn), esc);
    } else {
        size_t sk = clen_at(s, si, sn);
        r = sk == pk && !memcmp(s + si, p + pi, pk) && naive(p, pn, pi + pk, s, sn, si + sk, esc);
    }
    memo[key][si] = r ? 2 : 1;
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256) return 0;
    const char *esc = (data[0] & 1) ? "!" : NULL;
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(body, '\0', n);
    size_t pn = nul ? (size_t)(nul - body) : n;
    const char *s = nul ? nul + 1 : "";
    size_t sn = nul ? n - pn - 1 : 0;
    char err[200];

    sl_fn_pattern_t *like =
        sl_fn_pattern_compile(SL_PATTERN_LIKE, body, pn, esc, esc ? 1 : 0, err, sizeof err, NULL);
    bool valid = escapes_valid(body, pn, esc ? '!' : 0);
    if (valid != (like != NULL)) abort(); /* compiles exactly when the escapes are valid */
    bool lm = false;
    if (like) {
        lm = sl_fn_pattern_match(like, s, sn);
        if (pn <= 24 && sn <= 24) {
            memset(memo, 0, sizeof memo);
            if (lm != naive(body, pn, 0, s, sn, 0, esc ? '!' : 0)) abort();
        }
    }

    sl_fn_pattern_t *sim = sl_fn_pattern_compile(SL_PATTERN_SIMILAR, body, pn, esc, esc ? 1 : 0,
                                                 err, sizeof err, NULL);
    if (sim) {
        bool sm = sl_fn_pattern_match(sim, s, sn);
        bool plain = !esc;
        for (size_t i = 0; i < pn && plain; i++) {
            unsigned char c = (unsigned char)body[i];
            plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '%' || c == '_';
        }
        /* ASCII strings only: regexec runs in the C locale, where a stray byte is a
         * character for both matchers but UTF-8 sequences are split differently when
         * they are malformed. */
        for (size_t i = 0; i < sn && plain; i++) plain = (unsigned char)s[i] < 0x80 && s[i];
        if (plain && like && sm != lm) abort();
    }
    sl_fn_pattern_free(like);
    sl_fn_pattern_free(sim);
    return 0;
}
