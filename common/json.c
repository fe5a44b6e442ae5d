/*
 * json.c - the JSON decoder (RFC 8259) into the sl_val_t tree, and sl_json_quote(); see
 * val.h.
 *
 * A recursive-descent parser over a length-delimited buffer (the text need not be
 * NUL-terminated). It is on the API server's hot path (PutRecords bodies of ~75 KB, 2000
 * per second), so:
 *   - strings are scanned 16 bytes at a time (SSE2) or 8 (SWAR) for '"', '\\' and control
 *     characters; a string without escapes is one memcpy into the arena, allocated together
 *     with its node;
 *   - integers and short decimals are converted without strtod (exact fast paths);
 *   - container children go through the shared scratch stack of val_int.h, so every array
 *     and member list is one compact arena allocation.
 * Validation is complete: grammar, numbers, escapes (surrogate pairs combined into one
 * UTF-8 sequence, lone surrogates rejected), raw control characters in strings, depth.
 * UTF-8 in strings is copied as is, not validated.
 *
 * Errors: the first error stops the parse; its message ("offset N: ...") is formatted into
 * the arena by fail().
 */
#include "val.h"

#include "val_int.h"

#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct jparser {
    const char *start, *p, *end;
    int depth;
    const char *err;   /* set once, by fail() */
    sl_vbuild_t build;
} jparser_t;

/* Records the error "offset <at - start>: <msg>" unless one is already set; returns NULL so
 * callers can write `return fail(...)`. */
static sl_val_t *fail(jparser_t *j, const char *at, const char *msg)
{
    if (!j->err) {
        j->err = sl_arena_printf(j->build.arena, "offset %zu: %s", (size_t)(at - j->start), msg);
    }
    return NULL;
}

/* Skips JSON whitespace (space, tab, LF, CR). */
static inline void skip_ws(jparser_t *j)
{
    const char *p = j->p, *end = j->end;
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    j->p = p;
}

/* Returns a pointer to the first '"', '\\' or byte < 0x20 in [p, end), or end. */
static inline const char *scan_special(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* x <= 0x1f unsigned  <=>  max(x, 0x1f) == 0x1f */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(x, c1f), c1f));
        int mask = _mm_movemask_epi8(m);
        if (mask) return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#else
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t xq = w ^ (ones * '"'), xb = w ^ (ones * '\\');
        /* Exact "some byte is zero / below 0x20" tests (false positives only above a hit). */
        uint64_t t = ((xq - ones) & ~xq) | ((xb - ones) & ~xb) | ((w - ones * 0x20) & ~w);
        if (t & highs) break;
        p += 8;
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
    return p;
}

/* Value of one hex digit, or -1. */
static inline int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u" at p (p points at 'u'); returns the code unit or -1. */
static int read_u4(jparser_t *j, const char *p)
{
    if (j->end - p < 5) return -1;
    int v = 0;
    for (int i = 1; i <= 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v << 4 | h;
    }
    return v;
}

/* Appends code point cp as UTF-8 at o; returns the new end. */
static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/*
 * Parses the string whose opening quote is at j->p. On success returns its NUL-terminated
 * decoded copy and length, and leaves j->p after the closing quote. The copy is put
 * `before` bytes into a fresh arena allocation (so a value node can share the allocation;
 * the caller finds the allocation's start `before` bytes ahead of the string). Returns NULL
 * on error (the copy is then garbage in the arena, which dies with it).
 */
static char *parse_string(jparser_t *j, size_t before, size_t *len_out)
{
    const char *s = j->p + 1;
    const char *q = scan_special(s, j->end);
    if (q < j->end && *q == '"') {
        /* The common case: no escapes. */
        size_t n = (size_t)(q - s);
        char *mem = sl_arena_alloc(j->build.arena, before + n + 1);
        char *out = mem + before;
        memcpy(out, s, n);
        out[n] = '\0';
        *len_out = n;
        j->p = q + 1;
        return out;
    }
    /* Find the closing quote first: the raw length bounds the decoded length (every escape
     * decodes to fewer bytes than its text). */
    const char *e = q;
    for (;;) {
        if (e >= j->end) return (char *)fail(j, j->p, "unterminated string");
        if (*e == '"') break;
        if ((unsigned char)*e < 0x20) return (char *)fail(j, e, "control character in string");
        /* A backslash: skip it and the escaped character (validated below). */
        if (e + 1 >= j->end) return (char *)fail(j, j->p, "unterminated string");
        e = scan_special(e + 2, j->end);
    }
    char *mem = sl_arena_alloc(j->build.arena, before + (size_t)(e - s) + 1);
    char *out = mem + before, *o = out;
    const char *p = s;
    while (p < e) {
        const char *r = scan_special(p, e);
        memcpy(o, p, (size_t)(r - p));
        o += r - p;
        p = r;
        if (p >= e) break;
        /* *p is '\\' here: control characters were rejected in the first pass. */
        char c = p[1];
        switch (c) {
        case '"': *o++ = '"'; p += 2; break;
        case '\\': *o++ = '\\'; p += 2; break;
        case '/': *o++ = '/'; p += 2; break;
        case 'b': *o++ = '\b'; p += 2; break;
        case 'f': *o++ = '\f'; p += 2; break;
        case 'n': *o++ = '\n'; p += 2; break;
        case 'r': *o++ = '\r'; p += 2; break;
        case 't': *o++ = '\t'; p += 2; break;
        case 'u': {
            int u = read_u4(j, p + 1);
            if (u < 0) return (char *)fail(j, p, "invalid \\u escape");
            unsigned cp = (unsigned)u;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return (char *)fail(j, p, "unpaired low surrogate in \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                int lo = (p + 6 < e && p[6] == '\\' && p[7] == 'u') ? read_u4(j, p + 7) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return (char *)fail(j, p, "unpaired high surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned)lo - 0xdc00);
                p += 6;
            }
            o = put_utf8(o, cp);
            p += 6;
            break;
        }
        default: return (char *)fail(j, p, "invalid escape in string");
        }
    }
    *o = '\0';
    *len_out = (size_t)(o - out);
    j->p = e + 1;
    return out;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * Parses the number at j->p into v (grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
 * Integers that fit int64 are exact (is_int); decimals with at most 15 significant digits
 * and a decimal exponent within +-22 are one exact multiply or divide (so correctly
 * rounded); anything else goes to strtod in the C locale. A number whose magnitude
 * overflows a double is an error. Returns false on error.
 */
static bool parse_number(jparser_t *j, sl_val_t *v)
{
    const char *p = j->p, *end = j->end, *start = p;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (p >= end || (unsigned)(*p - '0') > 9) return fail(j, p, "invalid number"), false;
    uint64_t m = 0;
    int sig = 0;       /* significant digits accumulated into m */
    bool exact = true; /* m holds all digits (no overflow) */
    if (*p == '0') {
        p++;
    } else {
        while (p < end && (unsigned)(*p - '0') <= 9) {
            unsigned d = (unsigned)(*p - '0');
            if (m > (UINT64_MAX - d) / 10) exact = false;
            else {
                m = m * 10 + d;
                sig++;
            }
            p++;
        }
    }
    bool is_int = true;
    int frac_digits = 0;
    if (p < end && *p == '.') {
        is_int = false;
        p++;
        if (p >= end || (unsigned)(*p - '0') > 9)
            return fail(j, p, "expected digit after decimal point"), false;
        while (p < end && (unsigned)(*p - '0') <= 9) {
            unsigned d = (unsigned)(*p - '0');
            if (m == 0 && d == 0) {
                frac_digits++; /* leading zeros of the fraction: not significant */
            } else if (sig < 19) {
                m = m * 10 + d;
                sig++;
                frac_digits++;
            } else {
                exact = false;
            }
            p++;
        }
    }
    long exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_int = false;
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || (unsigned)(*p - '0') > 9)
            return fail(j, p, "expected digit in exponent"), false;
        while (p < end && (unsigned)(*p - '0') <= 9) {
            if (exp10 < 100000) exp10 = exp10 * 10 + (*p - '0');
            p++;
        }
        if (eneg) exp10 = -exp10;
    }
    j->p = p;
    v->type = SL_V_NUM;
    if (is_int && exact && (neg ? m <= (uint64_t)INT64_MAX + 1 : m <= (uint64_t)INT64_MAX)) {
        v->u.num.is_int = true;
        v->u.num.i = neg ? (int64_t)(0 - m) : (int64_t)m;
        v->u.num.d = neg ? -(double)m : (double)m; /* "-0" keeps its sign */
        return true;
    }
    v->u.num.is_int = false;
    v->u.num.i = 0;
    long e10 = exp10 - frac_digits;
    if (exact && sig <= 15 && e10 >= -22 && e10 <= 22) {
        double d = (double)m;
        d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
        v->u.num.d = neg ? -d : d;
        return true;
    }
    /* Slow path: strtod on a NUL-terminated copy. */
    size_t n = (size_t)(p - start);
    char small[64];
    char *copy = n < sizeof small ? small : sl_arena_alloc(j->build.arena, n + 1);
    memcpy(copy, start, n);
    copy[n] = '\0';
    double d = sl_val_strtod_c(copy, NULL);
    if (isinf(d)) return fail(j, start, "number out of range"), false;
    v->u.num.d = d;
    return true;
}

/* Parses one value at j->p (whitespace already skipped). Returns NULL on error. */
static sl_val_t *parse_value(jparser_t *j);

/* Parses an array; j->p is at '['. */
static sl_val_t *parse_array(jparser_t *j, sl_val_t *v)
{
    const char *open = j->p;
    if (++j->depth > SL_VAL_MAX_DEPTH) return fail(j, open, "nesting too deep");
    j->p++;
    size_t mark = j->build.n_items;
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
    } else {
        for (;;) {
            sl_val_t *item = parse_value(j);
            if (!item) return NULL;
            sl_vbuild_push_item(&j->build, item);
            skip_ws(j);
            if (j->p >= j->end) return fail(j, j->p, "unterminated array");
            char c = *j->p++;
            if (c == ']') break;
            if (c != ',') return fail(j, j->p - 1, "expected ',' or ']'");
            skip_ws(j);
        }
    }
    sl_vbuild_close_arr(&j->build, v, mark);
    j->depth--;
    return v;
}

/* Parses an object; j->p is at '{'. */
static sl_val_t *parse_object(jparser_t *j, sl_val_t *v)
{
    const char *open = j->p;
    if (++j->depth > SL_VAL_MAX_DEPTH) return fail(j, open, "nesting too deep");
    j->p++;
    size_t mark = j->build.n_members;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            if (j->p >= j->end || *j->p != '"') return fail(j, j->p, "expected string key");
            size_t klen;
            const char *key = parse_string(j, 0, &klen);
            if (!key) return NULL;
            skip_ws(j);
            if (j->p >= j->end || *j->p != ':') return fail(j, j->p, "expected ':'");
            j->p++;
            skip_ws(j);
            sl_val_t *item = parse_value(j);
            if (!item) return NULL;
            sl_vbuild_push_member(&j->build, key, klen, item);
            skip_ws(j);
            if (j->p >= j->end) return fail(j, j->p, "unterminated object");
            char c = *j->p++;
            if (c == '}') break;
            if (c != ',') return fail(j, j->p - 1, "expected ',' or '}'");
            skip_ws(j);
        }
    }
    sl_vbuild_close_obj(&j->build, v, mark);
    j->depth--;
    return v;
}

/* Matches the literal lit (of length n) at j->p. */
static bool match_lit(jparser_t *j, const char *lit, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0) return false;
    j->p += n;
    return true;
}

/* See the declaration above. */
static sl_val_t *parse_value(jparser_t *j)
{
    if (j->p >= j->end) return fail(j, j->p, "unexpected end of input");
    char c = *j->p;
    if (c == '"') {
        size_t n;
        char *s = parse_string(j, sizeof(sl_val_t), &n);
        if (!s) return NULL;
        sl_val_t *v = (sl_val_t *)(void *)(s - sizeof(sl_val_t));
        v->type = SL_V_STR;
        v->u.str.p = s;
        v->u.str.len = n;
        return v;
    }
    sl_val_t *v = sl_arena_alloc(j->build.arena, sizeof *v);
    switch (c) {
    case '{': return parse_object(j, v);
    case '[': return parse_array(j, v);
    case 't':
        if (!match_lit(j, "true", 4)) break;
        v->type = SL_V_BOOL;
        v->u.b = true;
        return v;
    case 'f':
        if (!match_lit(j, "false", 5)) break;
        v->type = SL_V_BOOL;
        v->u.b = false;
        return v;
    case 'n':
        if (!match_lit(j, "null", 4)) break;
        v->type = SL_V_NULL;
        return v;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number(j, v) ? v : NULL;
        break;
    }
    return fail(j, j->p, "unexpected character");
}

/* See val.h. */
sl_val_t *sl_json_parse(sl_arena_t *a, const char *text, size_t len, const char **err)
{
    jparser_t j;
    if (!text) text = ""; /* no arithmetic on NULL, even with len 0 */
    j.start = j.p = text;
    j.end = text + len;
    j.depth = 0;
    j.err = NULL;
    sl_vbuild_init(&j.build, a);
    skip_ws(&j);
    sl_val_t *root = parse_value(&j);
    if (root) {
        skip_ws(&j);
        if (j.p != j.end) root = fail(&j, j.p, "unexpected data after the JSON value");
    }
    sl_vbuild_done(&j.build);
    if (err) *err = root ? NULL : j.err;
    return root;
}

/* ---- sl_json_quote ---------------------------------------------------------------------- */

/* See val.h. Bytes >= 0x80 are copied unchanged (so valid UTF-8 stays as is); DEL too. */
void sl_json_quote(sl_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case 6 bytes per input byte, plus quotes: reserve once when cheap, else grow. */
    sl_buf_reserve(b, n + 2);
    b->p[b->len++] = '"';
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *r = scan_special(p, end);
        sl_buf_append(b, p, (size_t)(r - p));
        if (r >= end) break;
        unsigned char c = (unsigned char)*r;
        char esc[6];
        size_t en = 2;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            en = 6;
        }
        sl_buf_append(b, esc, en);
        p = r + 1;
    }
    sl_buf_putc(b, '"');
}
