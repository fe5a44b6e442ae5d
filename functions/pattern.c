/*
 * pattern.c - LIKE and SIMILAR TO patterns; see pattern.h.
 *
 * LIKE is matched by a small loop over the pattern compiled into ops (a literal byte, one
 * character, any run), backtracking to the last '%' only: linear for one '%', O(n*m) at
 * worst. SIMILAR TO is translated into the Java-style syntax of regex.c and run by the C
 * library's regexec, anchored at both ends.
 */
#include "pattern.h"

#include "alloc.h"
#include "fnint.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One op of a compiled LIKE pattern. */
enum { LK_CHAR, LK_ONE, LK_ANY };
typedef struct like_op {
    uint8_t kind;    /* LK_* */
    uint8_t len;     /* LK_CHAR: its bytes (1-4) */
    uint8_t byte[4]; /* LK_CHAR: the character to match */
} like_op_t;

struct sl_fn_pattern {
    sl_pattern_kind_t kind;
    like_op_t *ops; /* LIKE */
    size_t nops;
    sl_fn_regex_t rx; /* SIMILAR TO */
};

/* Bytes in the UTF-8 sequence that starts with lead byte c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/*
 * Bytes of the character at s[i] (i < n): a UTF-8 sequence whose continuation bytes are all
 * there, else 1 (a stray or truncated byte is a character of its own). Every matcher steps
 * with this, so a string splits into characters one way only, wherever a scan starts.
 */
static size_t char_at(const char *s, size_t i, size_t n)
{
    size_t k = utf8_len((unsigned char)s[i]);
    if (i + k > n) return 1;
    for (size_t j = 1; j < k; j++)
        if (((unsigned char)s[i + j] & 0xC0) != 0x80) return 1;
    return k;
}

/* True when s[0, n) is exactly one UTF-8 character. */
static bool one_char(const char *s, size_t n)
{
    return n > 0 && char_at(s, 0, n) == n;
}

static sl_fn_pattern_t *like_compile(const char *p, size_t n, const char *esc, size_t esc_len,
                                     char *err, size_t errlen)
{
    sl_fn_pattern_t *pt = SL_NEW(sl_fn_pattern_t);
    pt->kind = SL_PATTERN_LIKE;
    pt->ops = SL_NEWN(like_op_t, n ? n : 1);
    size_t chars = 0; /* characters of p read, for the message */
    for (size_t i = 0; i < n;) {
        size_t k = char_at(p, i, n);
        chars++;
        if (esc && k == esc_len && !memcmp(p + i, esc, esc_len)) {
            i += k;
            k = i < n ? char_at(p, i, n) : 0;
            bool ok = k && (p[i] == '%' || p[i] == '_' ||
                            (k == esc_len && !memcmp(p + i, esc, esc_len)));
            if (!ok) {
                snprintf(err, errlen,
                         "LIKE: invalid escape sequence in the pattern at character %zu: the "
                         "escape character must be followed by %%, _ or itself",
                         chars);
                sl_fn_pattern_free(pt);
                return NULL;
            }
            chars++;
        } else if (p[i] == '%') {
            /* %% is one % */
            if (!pt->nops || pt->ops[pt->nops - 1].kind != LK_ANY)
                pt->ops[pt->nops++] = (like_op_t){.kind = LK_ANY};
            i++;
            continue;
        } else if (p[i] == '_') {
            pt->ops[pt->nops++] = (like_op_t){.kind = LK_ONE};
            i++;
            continue;
        }
        like_op_t op = {.kind = LK_CHAR, .len = (uint8_t)k};
        memcpy(op.byte, p + i, k);
        pt->ops[pt->nops++] = op;
        i += k;
    }
    return pt;
}

/*
 * The classic wildcard loop: match ops left to right; on a mismatch go back to the last
 * LK_ANY and let it take one more character. Earlier LK_ANYs never need to move (the
 * text between two of them only has to occur somewhere), so this is exact. It works on
 * characters (char_at, in the pattern as in the string), so every position it reaches is
 * a character boundary and the string splits into characters one way only.
 */
static bool like_match(const like_op_t *op, size_t nops, const char *s, size_t n)
{
    size_t si = 0, pi = 0, star = SIZE_MAX, mark = 0;
    while (si < n) {
        if (pi < nops && op[pi].kind == LK_ANY) {
            star = pi++;
            mark = si;
        } else if (pi < nops && op[pi].kind == LK_ONE) {
            si += char_at(s, si, n);
            pi++;
        } else if (pi < nops && op[pi].kind == LK_CHAR && char_at(s, si, n) == op[pi].len &&
                   !memcmp(s + si, op[pi].byte, op[pi].len)) {
            si += op[pi].len;
            pi++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            mark += char_at(s, mark, n);
            si = mark;
        } else {
            return false;
        }
    }
    while (pi < nops && op[pi].kind == LK_ANY) pi++;
    return pi == nops;
}

/* Appends s to the growing string *out. */
static void put(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *out = sl_realloc(*out, *cap);
    }
    memcpy(*out + *len, s, n);
    *len += n;
    (*out)[*len] = '\0';
}

/* One character (a UTF-8 sequence) in the byte-wise POSIX matcher of the C locale. */
static const char any_char[] = "(?:[^\x80-\xff]|[\xc0-\xff][\x80-\xbf]*)";

bool sl_fn_similar_translate(const char *p, size_t n, int esc, char **out, size_t *len,
                             size_t *cap, char *err, size_t errlen)
{
    bool in_br = false;
    size_t br_start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        char tmp[3] = {(char)c, 0, 0};
        if (c == '\0') {
            /* regex.c and regcomp read C strings: a NUL would cut the pattern short. */
            snprintf(err, errlen, "SIMILAR TO: the pattern contains a NUL character");
            return false;
        }
        if (esc >= 0 && c == (unsigned char)esc) {
            if (++i >= n) {
                snprintf(err, errlen, "SIMILAR TO: the pattern ends with the escape character");
                return false;
            }
            c = (unsigned char)p[i];
            if (in_br) {
                if (c == ']' || c == '^' || c == '-' || c == '\\') {
                    snprintf(err, errlen,
                             "SIMILAR TO: an escaped '%c' inside [...] is not supported", c);
                    return false;
                }
                tmp[0] = (char)c;
            } else if (isalnum(c) || c >= 0x80) {
                tmp[0] = (char)c;
            } else {
                tmp[0] = '\\', tmp[1] = (char)c;
            }
            put(out, len, cap, tmp, strlen(tmp));
            continue;
        }
        if (in_br) {
            /* A bracket expression is POSIX's: copied, its closing ] ends it. */
            if (c == '\\') {
                snprintf(err, errlen, "SIMILAR TO: a backslash inside [...] is not supported");
                return false;
            }
            if (c == ']' && i > br_start) in_br = false;
            put(out, len, cap, tmp, 1);
            continue;
        }
        switch (c) {
        case '%': put(out, len, cap, ".*", 2); break;
        case '_': put(out, len, cap, any_char, sizeof any_char - 1); break;
        case '.':
        case '\\':
        case '^':
        case '$':
            tmp[0] = '\\', tmp[1] = (char)c;
            put(out, len, cap, tmp, 2);
            break;
        case '[':
            in_br = true;
            put(out, len, cap, "[", 1);
            /* A leading ^ and then a leading ] belong to the bracket. */
            if (i + 1 < n && p[i + 1] == '^') put(out, len, cap, "^", 1), i++;
            br_start = i + 1; /* a ] here is a member, not the end */
            break;
        default: put(out, len, cap, tmp, 1);
        }
    }
    if (in_br) {
        snprintf(err, errlen, "SIMILAR TO: the pattern leaves a [ unclosed");
        return false;
    }
    return true;
}

static sl_fn_pattern_t *similar_compile(const char *p, size_t n, const char *esc, char *err,
                                        size_t errlen)
{
    char *java = NULL;
    size_t len = 0, cap = 0;
    if (!sl_fn_similar_translate(p, n, esc ? (unsigned char)esc[0] : -1, &java, &len, &cap, err,
                                 errlen)) {
        sl_free(java);
        return NULL;
    }
    sl_fn_pattern_t *pt = SL_NEW(sl_fn_pattern_t);
    pt->kind = SL_PATTERN_SIMILAR;
    char rerr[160];
    bool ok = sl_fn_regex_compile(&pt->rx, java ? java : "", len, SL_RX_START | SL_RX_END, rerr,
                                  sizeof rerr);
    sl_free(java);
    if (!ok) {
        /* regex.c words its messages for Java regexes; say which pattern it was. */
        snprintf(err, errlen, "SIMILAR TO: invalid pattern (%s)", rerr);
        sl_free(pt);
        return NULL;
    }
    return pt;
}

sl_fn_pattern_t *sl_fn_pattern_compile(sl_pattern_kind_t kind, const char *p, size_t n,
                                       const char *esc, size_t esc_len, char *err, size_t errlen,
                                       bool *bad_escape)
{
    /* LIKE's escape is one character; SIMILAR TO's one byte (regex.c matches bytes). */
    bool esc_ok = !esc || (kind == SL_PATTERN_LIKE ? one_char(esc, esc_len) : esc_len == 1);
    if (bad_escape) *bad_escape = !esc_ok;
    if (!esc_ok) {
        snprintf(err, errlen, "%s ... ESCAPE needs exactly one escape character, got '%.*s'",
                 kind == SL_PATTERN_LIKE ? "LIKE" : "SIMILAR TO",
                 (int)(esc_len > 16 ? 16 : esc_len), esc);
        return NULL;
    }
    return kind == SL_PATTERN_LIKE ? like_compile(p, n, esc, esc_len, err, errlen)
                                   : similar_compile(p, n, esc, err, errlen);
}

bool sl_fn_pattern_match(const sl_fn_pattern_t *pt, const char *s, size_t n)
{
    if (pt->kind == SL_PATTERN_LIKE) return like_match(pt->ops, pt->nops, s, n);
    /* regexec wants a C string (regex.c's contract; sanitizers' interceptors read it up
     * to its NUL even with REG_STARTEND), and a vector's string is not terminated: short
     * ones are copied to the stack, long ones to the heap. */
    char small[256], *z = n < sizeof small ? small : sl_malloc(n + 1);
    memcpy(z, s, n);
    z[n] = '\0';
    regmatch_t m[1];
    bool r = sl_fn_regex_exec(&pt->rx, z, 0, n, false, m, 1);
    if (z != small) sl_free(z);
    return r;
}

void sl_fn_pattern_free(sl_fn_pattern_t *pt)
{
    if (!pt) return;
    if (pt->kind == SL_PATTERN_SIMILAR) sl_fn_regex_free(&pt->rx);
    sl_free(pt->ops);
    sl_free(pt);
}
