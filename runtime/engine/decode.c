/*
 * decode.c - JSON (with JSONPath mappings) and CSV record decoders; see decode.h.
 */
#include "decode.h"

#include "alloc.h"
#include "buf.h"
#include "bytes.h"
#include "expr.h"
#include "simd.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* How the flat fast path stores a column's value inline (else through store_value). */
enum { FK_OTHER, FK_STRING, FK_DOUBLE, FK_BIGINT };

/* The flat fast path's memory of the previous record's shape: member m's `"name":` bytes
 * (n = 0: unknown, or the name was too long or followed by a blank) and its mapping. */
#define SHAPE_MAX 32
typedef struct shape_ent {
    const struct pnode *kid; /* the mapping of that name, or NULL (not mapped) */
    uint8_t n;               /* bytes in text */
    char text[31];
} shape_ent_t;

/* A node of the trie of JSONPath mappings: one object member name per level. */
typedef struct pnode {
    char *key;            /* member name (owned); NULL for the root */
    uint32_t keylen;
    uint64_t key8;        /* the name's first 8 bytes, zero-padded (fast matching) */
    int col;              /* column captured here, or -1 */
    bool whole_array;     /* `[0:]` at the end: capture the array as text */
    bool flatten;         /* `[0:]` followed by more: children apply to each element */
    int nkids;
    struct pnode **kids;  /* owned */
} pnode_t;

/* The decoder. */
struct sl_decoder {
    sl_record_format_t format;
    int ncols;            /* schema columns (APPROXIMATE_ARRIVAL_TIME comes after) */
    sl_type_t *types;
    char **names;
    pnode_t *root;        /* JSON mappings */
    pnode_t *flat;        /* the flattened array's node, or NULL */
    char row_delim, col_delim;
    /* per-record scratch */
    const char *flat_p;   /* span of the flattened array in the record */
    size_t flat_n;
    bool flat_seen;
    char errbuf[256];
    uint8_t *set;         /* per column: a value was captured for the current row */
    uint8_t *wanted;      /* per column: decode it (else leave it NULL) */
    sl_arena_t *unesc;    /* unused: unescaped strings go to the batch arena */
    bool flat_only;       /* every mapping is `$.name`: the flat-object fast path applies */
    bool no_fast;         /* fast path turned off (sl_decoder_fast_path) */
    uint8_t *kind;        /* per column: how the fast path stores it (FK_*) */
    shape_ent_t shape[SHAPE_MAX]; /* the member names of the last flat record, in order */
};

/* Frees a trie. */
static void pnode_free(pnode_t *n)
{
    if (!n) return;
    for (int i = 0; i < n->nkids; i++) pnode_free(n->kids[i]);
    sl_free(n->kids);
    sl_free(n->key);
    sl_free(n);
}

/* Finds or adds the child of n named key. */
static pnode_t *pnode_child(pnode_t *n, const char *key, size_t len)
{
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->keylen == len && !memcmp(n->kids[i]->key, key, len)) return n->kids[i];
    pnode_t *c = SL_NEW(pnode_t);
    c->key = sl_strndup(key, len);
    c->keylen = (uint32_t)len;
    memcpy(&c->key8, key, len < 8 ? len : 8);
    c->col = -1;
    n->kids = sl_realloc(n->kids, sizeof(pnode_t *) * (size_t)(n->nkids + 1));
    n->kids[n->nkids++] = c;
    return c;
}

/* Adds one mapping to the trie; false with a message when unsupported. */
static bool add_path(sl_decoder_t *d, const char *path, int col, char *err, size_t errlen)
{
    if (path[0] != '$') {
        snprintf(err, errlen, "mapping '%s' must start with '$'", path);
        return false;
    }
    const char *p = path + 1;
    pnode_t *n = d->root;
    bool in_flat = false;
    while (*p) {
        if (*p == '.') {
            p++;
            const char *s = p;
            while (*p && *p != '.' && *p != '[') p++;
            if (p == s) {
                snprintf(err, errlen, "mapping '%s': empty member name", path);
                return false;
            }
            n = pnode_child(n, s, (size_t)(p - s));
        } else if (*p == '[' && !strncmp(p, "[0:]", 4)) {
            p += 4;
            if (!*p) {
                n->whole_array = true;
                break;
            }
            if (in_flat || (d->flat && d->flat != n)) {
                snprintf(err, errlen, "mapping '%s': only one flattened array per schema", path);
                return false;
            }
            n->flatten = true;
            d->flat = n;
            in_flat = true;
        } else if (*p == '[' && p[1] == '\'') {
            const char *s = p + 2, *e = strchr(s, '\'');
            if (!e || e[1] != ']') {
                snprintf(err, errlen, "mapping '%s': bad ['name'] member", path);
                return false;
            }
            n = pnode_child(n, s, (size_t)(e - s));
            p = e + 2;
        } else {
            snprintf(err, errlen, "mapping '%s': unsupported JSONPath (use $.a.b, $.a[0:], $.a[0:].b)", path);
            return false;
        }
    }
    if (n->col >= 0 && n->col != col) {
        snprintf(err, errlen, "mapping '%s' is used by two columns", path);
        return false;
    }
    n->col = col;
    return true;
}

/* New decoder; see decode.h. */
sl_decoder_t *sl_decoder_new(const sl_record_schema_t *schema, const sl_pcol_t *cols, int ncols,
                             char **err)
{
    sl_decoder_t *d = SL_NEW(sl_decoder_t);
    d->format = schema->format;
    d->ncols = (int)schema->ncols;
    d->types = SL_NEWN(sl_type_t, d->ncols ? d->ncols : 1);
    d->names = SL_NEWN(char *, d->ncols ? d->ncols : 1);
    d->set = sl_calloc((size_t)(d->ncols ? d->ncols : 1), 1);
    d->wanted = sl_malloc((size_t)(d->ncols ? d->ncols : 1));
    memset(d->wanted, 1, (size_t)(d->ncols ? d->ncols : 1));
    for (int i = 0; i < d->ncols && i < ncols; i++) {
        d->types[i] = cols[i].type;
        d->names[i] = cols[i].name;
    }
    d->root = SL_NEW(pnode_t);
    d->root->col = -1;
    d->row_delim = schema->row_delim && schema->row_delim[0] ? schema->row_delim[0] : '\n';
    d->col_delim = schema->col_delim && schema->col_delim[0] ? schema->col_delim[0] : ',';
    if (d->format == SL_FORMAT_JSON) {
        char msg[256];
        for (int i = 0; i < d->ncols; i++) {
            char *def = NULL;
            const char *m = schema->cols[i].mapping;
            if (!m) m = def = sl_asprintf("$.%s", schema->cols[i].name);
            bool ok = add_path(d, m, i, msg, sizeof msg);
            sl_free(def);
            if (!ok) {
                *err = sl_strdup(msg);
                sl_decoder_free(d);
                return NULL;
            }
        }
        d->kind = sl_calloc((size_t)(d->ncols ? d->ncols : 1), 1);
        for (int i = 0; i < d->ncols; i++)
            d->kind[i] = sl_type_is_string(d->types[i]) ? FK_STRING
                         : d->types[i].id == SL_T_DOUBLE ? FK_DOUBLE
                         : d->types[i].id == SL_T_BIGINT ? FK_BIGINT : FK_OTHER;
        d->flat_only = !d->flat && d->root->nkids > 0 && d->ncols <= 64;
        for (int i = 0; i < d->root->nkids; i++) {
            const pnode_t *k = d->root->kids[i];
            if (k->col < 0 || k->nkids || k->flatten || k->whole_array) d->flat_only = false;
        }
    }
    return d;
}

/* Frees a decoder; see decode.h. */
void sl_decoder_free(sl_decoder_t *d)
{
    if (!d) return;
    pnode_free(d->root);
    sl_free(d->types);
    sl_free(d->names);
    sl_free(d->set);
    sl_free(d->wanted);
    sl_free(d->kind);
    sl_free(d);
}

/* Fast path switch; see decode.h. */
void sl_decoder_fast_path(sl_decoder_t *d, bool on) { d->no_fast = !on; }

/* Restricts decoding; see decode.h. */
void sl_decoder_want(sl_decoder_t *d, const uint8_t *wanted)
{
    for (int i = 0; i < d->ncols; i++) d->wanted[i] = wanted ? wanted[i] : 1;
}

/* ---- a small JSON scanner over the record bytes ------------------------------------- */

/* Scanner state: the record and a position. */
typedef struct scan {
    const char *p, *end;
    const char *err;
} scan_t;

/* Skips blanks. */
static inline void ws(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

/* Skips a string starting at '"'; sets *esc when it holds backslashes. */
static bool skip_string(scan_t *s, bool *esc)
{
    /* One pass over the (usually short) string: a byte loop beats two memchr calls. */
    const char *p = s->p + 1, *end = s->end;
    bool e = false;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            s->p = p + 1;
            *esc = e;
            return true;
        }
        if (c == '\\') {
            e = true;
            p++;
        }
        p++;
    }
    s->p = end;
    *esc = e;
    s->err = "unterminated string";
    return false;
}

/* Skips any value. */
static bool skip_value(scan_t *s, int depth)
{
    ws(s);
    if (s->p >= s->end) {
        s->err = "unexpected end of record";
        return false;
    }
    if (depth > 64) {
        s->err = "nested too deeply";
        return false;
    }
    char c = *s->p;
    if (c == '"') {
        bool esc;
        return skip_string(s, &esc);
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        s->p++;
        ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                ws(s);
                if (s->p >= s->end || *s->p != '"') {
                    s->err = "expected a member name";
                    return false;
                }
                bool esc;
                if (!skip_string(s, &esc)) return false;
                ws(s);
                if (s->p >= s->end || *s->p != ':') {
                    s->err = "expected ':'";
                    return false;
                }
                s->p++;
            }
            if (!skip_value(s, depth + 1)) return false;
            ws(s);
            if (s->p < s->end && *s->p == ',') {
                s->p++;
                continue;
            }
            if (s->p < s->end && *s->p == close) {
                s->p++;
                return true;
            }
            s->err = c == '{' ? "expected ',' or '}'" : "expected ',' or ']'";
            return false;
        }
    }
    const char *st = s->p;
    while (s->p < s->end) {
        unsigned char ch = (unsigned char)*s->p;
        if (!((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch == '-' ||
              ch == '+' || ch == '.'))
            break;
        s->p++;
    }
    if (s->p == st) {
        s->err = "unexpected character";
        return false;
    }
    return true;
}

/* The value of the hex digits among the 4 bytes at p, up to the first that is not one
 * (the caller guarantees 4 readable bytes); *all (may be NULL): all four were. */
static unsigned hex4(const char *p, bool *all)
{
    unsigned v = 0;
    int k = 0;
    for (; k < 4; k++) {
        char c = p[k];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned)((c | 0x20) - 'a' + 10) : 16;
        if (d == 16) break;
        v = v * 16 + d;
    }
    if (all) *all = k == 4;
    return v;
}

/* Decodes JSON escapes of a string body into the arena. */
static sl_str_t unescape(const char *p, size_t n, sl_arena_t *a)
{
    char *o = sl_arena_alloc(a, n + 1), *w = o;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\' || i + 1 >= n) {
            *w++ = p[i];
            continue;
        }
        char c = p[++i];
        switch (c) {
        case 'n': *w++ = '\n'; break;
        case 't': *w++ = '\t'; break;
        case 'r': *w++ = '\r'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'u': {
            /* Four hex digits (fewer when a non-hex byte comes first: their value), read
             * within the string's n bytes; a high surrogate followed by \uDC00-\uDFFF
             * makes one code point. */
            unsigned cp = 0;
            if (i + 4 < n) {
                cp = hex4(p + i + 1, NULL);
                i += 4;
            }
            bool full = false;
            unsigned lo = i + 6 < n && p[i + 1] == '\\' && p[i + 2] == 'u' ? hex4(p + i + 3, &full) : 0;
            if (cp >= 0xD800 && cp < 0xDC00 && full && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            if (cp < 0x80) *w++ = (char)cp;
            else if (cp < 0x800) {
                *w++ = (char)(0xC0 | (cp >> 6));
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *w++ = (char)(0xE0 | (cp >> 12));
                *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *w++ = (char)(0xF0 | (cp >> 18));
                *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: *w++ = c;
        }
    }
    return (sl_str_t){o, (uint32_t)(w - o)};
}

/*
 * Scans a plain decimal at p (n bytes at most): an optional '-', digits and, when dot_ok, an
 * optional '.' with more digits. Returns the bytes scanned, sign included, and sets *mant
 * (every digit as one integer; it wraps past 19 digits, which callers refuse by *digits),
 * *digits (how many) and *frac (how many after the point).
 */
static inline size_t scan_decimal(const char *p, size_t n, bool dot_ok, uint64_t *mant, size_t *digits,
                                  size_t *frac)
{
    size_t i = n && p[0] == '-';
    uint64_t m = 0;
    size_t st = i;
    while (i < n && (unsigned)(p[i] - '0') < 10) m = m * 10 + (uint64_t)(p[i++] - '0');
    *digits = i - st;
    *frac = 0;
    if (dot_ok && i < n && p[i] == '.') {
        size_t fs = ++i;
        while (i < n && (unsigned)(p[i] - '0') < 10) m = m * 10 + (uint64_t)(p[i++] - '0');
        *frac = i - fs;
        *digits += *frac;
    }
    *mant = m;
    return i;
}

/* The double a scanned decimal of at most 15 digits denotes: the mantissa is exact as a
 * double, and one division by an exact power of ten rounds once. */
static inline double decimal_double(uint64_t mant, size_t frac, bool neg)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    double d = (double)mant;
    if (frac) d /= p10[frac];
    return neg ? -d : d;
}

/* Fast decimal-to-double for plain numbers (<= 15 significant digits, no exponent);
 * false when the text needs strtod. */
static bool fast_double(const char *p, size_t n, double *out)
{
    uint64_t mant;
    size_t digits, frac;
    if (scan_decimal(p, n, true, &mant, &digits, &frac) != n || !digits || digits > 15) return false;
    *out = decimal_double(mant, frac, p[0] == '-');
    return true;
}

/*
 * Stores one scanned scalar JSON value into column col of row r: [st, st + n) is the whole
 * token, quotes included for a string (esc: the string holds backslashes). Returns NULL, or
 * the conversion error (in d->errbuf).
 */
static const char *store_value(sl_decoder_t *d, int col, sl_batch_t *b, size_t r, const char *st,
                               size_t n, bool esc)
{
    sl_vec_t *v = &b->cols[col];
    sl_type_t t = d->types[col];
    v->null[r] = 0;
    if (st[0] == '"') {
        const char *body = st + 1;
        sl_str_t str = {body, (uint32_t)(n - 2)};
        if (esc) str = unescape(body, n - 2, b->arena);
        if (sl_type_is_string(t)) {
            if (t.len > 0 && str.len > (uint32_t)t.len) {
                uint32_t len = (uint32_t)t.len;
                while (len > 0 && ((unsigned char)str.p[len] & 0xC0) == 0x80) len--;
                str.len = len;
            }
            v->v.s[r] = str;
            return NULL;
        }
        if (t.id == SL_T_BOOLEAN) {
            v->v.i[r] = str.len == 4 && !strncasecmp(str.p, "true", 4);
            return NULL;
        }
        if (!sl_value_parse(v, r, str.p, str.len, b->arena)) goto convert;
        return NULL;
    }
    if (n == 4 && !memcmp(st, "null", 4)) {
        v->null[r] = 1;
        return NULL;
    }
    bool is_bool = (n == 4 && !memcmp(st, "true", 4)) || (n == 5 && !memcmp(st, "false", 5));
    if (is_bool) {
        int64_t bv = st[0] == 't';
        if (t.id == SL_T_BOOLEAN || sl_type_is_exact(t)) {
            v->v.i[r] = sl_type_is_exact(t) ? bv * sl_pow10(sl_type_scale(t)) : bv;
            return NULL;
        }
        if (t.id == SL_T_REAL || t.id == SL_T_DOUBLE) {
            v->v.f[r] = (double)bv;
            return NULL;
        }
        if (sl_type_is_string(t)) {
            v->v.s[r] = (sl_str_t){st, (uint32_t)n};
            return NULL;
        }
        goto convert;
    }
    /* A number. */
    if (t.id == SL_T_DOUBLE || t.id == SL_T_REAL) {
        double x;
        if (fast_double(st, n, &x)) {
            v->v.f[r] = t.id == SL_T_REAL ? (double)(float)x : x;
            return NULL;
        }
    } else if (t.id == SL_T_BIGINT || t.id == SL_T_INTEGER) {
        int64_t x = 0;
        size_t i = st[0] == '-';
        bool ok = i < n && n - i <= 18;
        for (size_t k = i; ok && k < n; k++) {
            if (st[k] < '0' || st[k] > '9') ok = false;
            else x = x * 10 + (st[k] - '0');
        }
        if (ok) {
            v->v.i[r] = st[0] == '-' ? -x : x;
            if (t.id == SL_T_INTEGER && (v->v.i[r] > INT32_MAX || v->v.i[r] < INT32_MIN)) goto convert;
            return NULL;
        }
    } else if (t.id == SL_T_BOOLEAN) {
        double x;
        if (fast_double(st, n, &x)) {
            v->v.i[r] = x != 0;
            return NULL;
        }
    } else if (sl_type_is_string(t)) {
        v->v.s[r] = (sl_str_t){st, (uint32_t)n};
        return NULL;
    } else if (sl_type_is_datetime(t) || sl_type_is_binary(t)) {
        goto convert;
    }
    if (sl_value_parse(v, r, st, n, b->arena)) return NULL;
convert: {
    char tn[48];
    sl_type_format(t, tn, sizeof tn);
    snprintf(d->errbuf, sizeof d->errbuf, "column %s (%s): cannot convert %.*s", d->names[col], tn,
             (int)(n > 64 ? 64 : n), st);
    return d->errbuf;
}
}

/* Stores the JSON value at s->p into column col of row r. */
static bool capture(sl_decoder_t *d, scan_t *s, int col, sl_batch_t *b, size_t r)
{
    ws(s);
    const char *st = s->p;
    if (s->p >= s->end) {
        s->err = "unexpected end of record";
        return false;
    }
    char c = *s->p;
    bool esc = false;
    if (c == '{' || c == '[') {
        if (!skip_value(s, 0)) return false;
        sl_vec_t *v = &b->cols[col];
        sl_type_t t = d->types[col];
        v->null[r] = 0;
        size_t n = (size_t)(s->p - st);
        if (!sl_type_is_string(t)) {
            char tn[48];
            sl_type_format(t, tn, sizeof tn);
            snprintf(d->errbuf, sizeof d->errbuf, "column %s (%s): cannot convert %.*s", d->names[col],
                     tn, (int)(n > 64 ? 64 : n), st);
            s->err = d->errbuf;
            return false;
        }
        if (t.len > 0 && n > (size_t)t.len) n = (size_t)t.len;
        v->v.s[r] = (sl_str_t){st, (uint32_t)n};
        return true;
    }
    if (c == '"' ? !skip_string(s, &esc) : !skip_value(s, 0)) return false;
    const char *err = store_value(d, col, b, r, st, (size_t)(s->p - st), esc);
    if (err) {
        s->err = err;
        return false;
    }
    return true;
}

/* Walks an object value against trie node n, capturing into row r. */
static bool walk(sl_decoder_t *d, scan_t *s, pnode_t *n, sl_batch_t *b, size_t r, bool top, int depth)
{
    ws(s);
    if (s->p >= s->end) {
        s->err = "unexpected end of record";
        return false;
    }
    if (n->col >= 0 && !n->flatten) {
        if (!d->wanted[n->col]) return skip_value(s, depth);
        d->set[n->col] = 1;
        return capture(d, s, n->col, b, r);
    }
    if (n->flatten && top) {
        /* Remember the array for the per-element pass. */
        const char *st = s->p;
        if (!skip_value(s, depth)) return false;
        if (*st == '[') {
            d->flat_p = st;
            d->flat_n = (size_t)(s->p - st);
            d->flat_seen = true;
        }
        return true;
    }
    if (*s->p != '{' || !n->nkids) return skip_value(s, depth);
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return true;
    }
    for (;;) {
        ws(s);
        if (s->p >= s->end || *s->p != '"') {
            s->err = "expected a member name";
            return false;
        }
        const char *ks = s->p + 1;
        bool esc;
        if (s->p + 1 >= s->end) {
            s->err = "unexpected end of record";
            return false;
        }
        if (!skip_string(s, &esc)) return false;
        size_t kl = (size_t)(s->p - ks - 1);
        ws(s);
        if (s->p >= s->end || *s->p != ':') {
            s->err = "expected ':'";
            return false;
        }
        s->p++;
        pnode_t *child = NULL;
        for (int i = 0; i < n->nkids; i++) {
            const pnode_t *k = n->kids[i];
            if (k->keylen != kl || k->key[0] != ks[0]) continue;
            size_t j = 1;
            while (j < kl && k->key[j] == ks[j]) j++;
            if (j == kl) {
                child = n->kids[i];
                break;
            }
        }
        bool ok = child ? walk(d, s, child, b, r, top, depth + 1) : skip_value(s, depth + 1);
        if (!ok) return false;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            return true;
        }
        s->err = "expected ',' or '}'";
        return false;
    }
}

/* Marks the columns under trie node n (inside the flattened array) as NULL in row r. */
static void null_under(pnode_t *n, sl_batch_t *b, size_t r)
{
    if (n->col >= 0) b->cols[n->col].null[r] = 1;
    for (int i = 0; i < n->nkids; i++) null_under(n->kids[i], b, r);
}

/* Copies row `from` to row `to` for columns outside the flattened array. */
static void copy_outer(sl_decoder_t *d, pnode_t *n, bool inside, sl_batch_t *b, size_t from, size_t to)
{
    if (n->col >= 0 && !inside) sl_vec_copy_row(&b->cols[n->col], to, &b->cols[n->col], from, NULL);
    for (int i = 0; i < n->nkids; i++) copy_outer(d, n->kids[i], inside || n->flatten, b, from, to);
}

/*
 * The fast path for the common record: a flat object whose mapped members are scalars, with
 * no backslash anywhere, at most FLAT_MAX bytes. One pass over quote and backslash bit masks
 * (common/simd.h) finds every string's end without looking at its bytes; member names are
 * matched against the mappings trying the member after the last match first (producers
 * write members in a fixed order). Returns true when the record decoded into row r; false
 * when anything is unusual (an escape, a nested value, a syntax error, a conversion error):
 * the caller then decodes the record with the full scanner, which gives the same result for
 * every record this path accepts and the exact error message for the others.
 */
#define FLAT_MAX 4096

/* JSON's blanks. */
static const uint8_t blank_char[256] = {[' '] = 1, ['\n'] = 1, ['\r'] = 1, ['\t'] = 1};


/* The bytes of a scalar token (number, true, false, null), as skip_value accepts them:
 * letters, digits, '-', '+', '.'. */
static const uint8_t scalar_char[256] = {
    ['-'] = 1, ['+'] = 1, ['.'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};
static bool decode_json_flat(sl_decoder_t *d, const char *data, size_t len, sl_batch_t *b, size_t r,
                             uint64_t *setm)
{
    uint64_t qm[FLAT_MAX / 64], bm[FLAT_MAX / 64];
    if (len > FLAT_MAX) return false;
    sl_mask2(data, len, '"', '\\', qm, bm);
    size_t words = (len + 63) / 64;
    for (size_t w = 0; w < words; w++)
        if (bm[w]) return false;
    const pnode_t *root = d->root;
    int nk = root->nkids, hint = 0;
    size_t i = 0;
#define FWS()                                                                                      \
    while (i < len && blank_char[(unsigned char)data[i]]) i++
    /* The next quote at or after position `from`, or len. */
#define NEXTQ(from, out)                                                                           \
    do {                                                                                           \
        size_t f_ = (from), w_ = f_ >> 6;                                                          \
        uint64_t m_ = w_ < words ? qm[w_] & (~UINT64_C(0) << (f_ & 63)) : 0;                       \
        while (!m_ && ++w_ < words) m_ = qm[w_];                                                   \
        (out) = m_ ? (w_ << 6) + (size_t)__builtin_ctzll(m_) : len;                                \
    } while (0)
    FWS();
    if (i >= len || data[i] != '{') return false;
    i++;
    FWS();
    if (i < len && data[i] == '}') {
        i++;
        goto done;
    }
    for (int m = 0;; m++) {
        if (i >= len || data[i] != '"') return false;
        const pnode_t *kid = NULL;
        shape_ent_t *se = m < SHAPE_MAX ? &d->shape[m] : NULL;
        if (se && se->n && len - i >= se->n && sl_mem_eq(data + i, se->text, se->n)) {
            /* The member the previous record had here: `"name":` matched in one compare
             * (no backslash in the record, so its quotes are the name's). */
            kid = se->kid;
            i += se->n;
            FWS();
            if (i >= len) return false;
        } else {
            size_t ks = i, ke;
            NEXTQ(i + 1, ke);
            if (ke >= len) return false;
            const char *key = data + i + 1;
            size_t kl = ke - i - 1;
            i = ke + 1;
            FWS();
            if (i >= len || data[i] != ':') return false;
            bool tight = i == ke + 1; /* `"name":` with no blank: remembered for the next record */
            i++;
            FWS();
            if (i >= len) return false;
            /* The mapping of this member, if any: names of up to 8 bytes compare as one word. */
            uint64_t k8 = 0;
            if (kl <= 8) {
                if ((size_t)(key - data) + 8 <= len) {
                    memcpy(&k8, key, 8);
                    if (kl < 8) k8 &= (UINT64_C(1) << (8 * kl)) - 1;
                } else {
                    memcpy(&k8, key, kl);
                }
            }
            for (int t = 0; t < nk; t++) {
                int x = hint + t < nk ? hint + t : hint + t - nk;
                const pnode_t *k = root->kids[x];
                if (k->keylen == kl && (kl <= 8 ? k->key8 == k8 : !memcmp(k->key, key, kl))) {
                    kid = k;
                    hint = x + 1 < nk ? x + 1 : 0;
                    break;
                }
            }
            if (se) {
                se->n = 0;
                if (tight && ke + 2 - ks <= sizeof se->text) {
                    se->n = (uint8_t)(ke + 2 - ks);
                    memcpy(se->text, data + ks, se->n);
                    se->kid = kid;
                }
            }
        }
        /* The value's token. */
        size_t vs = i;
        char c = data[i];
        if (kid && d->wanted[kid->col] && (d->kind[kid->col] == FK_DOUBLE || d->kind[kid->col] == FK_BIGINT) &&
            ((unsigned)(c - '0') < 10 || c == '-')) {
            /* A number into DOUBLE or BIGINT, scanned and converted in one pass; anything
             * beyond plain digits (an exponent, too many digits) takes the general way. */
            bool dbl = d->kind[kid->col] == FK_DOUBLE;
            uint64_t mant;
            size_t digits, frac;
            size_t j = i + scan_decimal(data + i, len - i, dbl, &mant, &digits, &frac);
            if (digits && digits <= (dbl ? 15u : 18u) && (j >= len || !scalar_char[(unsigned char)data[j]])) {
                sl_vec_t *v = &b->cols[kid->col];
                if (dbl) v->v.f[r] = decimal_double(mant, frac, c == '-');
                else v->v.i[r] = c == '-' ? -(int64_t)mant : (int64_t)mant;
                v->null[r] = 0;
                *setm |= UINT64_C(1) << kid->col;
                i = j;
                goto next_member;
            }
        }
        if (c == '"') {
            size_t ve;
            NEXTQ(i + 1, ve);
            if (ve >= len) return false;
            i = ve + 1;
        } else if (c == '{' || c == '[') {
            return false;
        } else {
            while (i < len && scalar_char[(unsigned char)data[i]]) i++;
            if (i == vs) return false;
        }
        if (kid && d->wanted[kid->col]) {
            /* A string that fits its column inline, exactly as store_value would store it
             * (plain numbers were taken above); the rest through store_value. */
            int col = kid->col;
            const char *tok = data + vs;
            size_t tl = i - vs;
            if (d->kind[col] == FK_STRING && tok[0] == '"' &&
                (d->types[col].len <= 0 || tl - 2 <= (size_t)d->types[col].len)) {
                b->cols[col].v.s[r] = (sl_str_t){tok + 1, (uint32_t)(tl - 2)};
                b->cols[col].null[r] = 0;
            } else if (store_value(d, col, b, r, tok, tl, false)) {
                return false;
            }
            *setm |= UINT64_C(1) << col;
        }
    next_member:
        FWS();
        if (i < len && data[i] == ',') {
            i++;
            FWS();
            continue;
        }
        if (i < len && data[i] == '}') {
            i++;
            break;
        }
        return false;
    }
done:
    FWS();
    return i == len;
#undef FWS
#undef NEXTQ
}

/* Decodes one JSON record. */
static int decode_json(sl_decoder_t *d, const char *data, size_t len, sl_batch_t *b, const char **err)
{
    size_t r = b->n;
    scan_t s = {data, data + len, NULL};
    d->flat_seen = false;
    if (d->flat_only && !d->no_fast) {
        uint64_t setm = 0; /* columns captured (flat_only holds for at most 64 columns) */
        if (decode_json_flat(d, data, len, b, r, &setm)) {
            for (int c = 0; c < d->ncols; c++)
                if (!(setm >> c & 1)) b->cols[c].null[r] = 1;
            return 1;
        }
    }
    memset(d->set, 0, (size_t)d->ncols);
    ws(&s);
    if (s.p >= s.end || *s.p != '{') {
        *err = s.p >= s.end ? "malformed JSON: empty record" : "malformed JSON: the record is not an object";
        return SL_DECODE_ERROR;
    }
    if (!walk(d, &s, d->root, b, r, true, 0)) goto bad;
    ws(&s);
    if (s.p != s.end) {
        s.err = "trailing characters after the document";
        goto bad;
    }
    for (int c = 0; c < d->ncols; c++)
        if (!d->set[c]) b->cols[c].null[r] = 1;
    if (!d->flat) return 1;
    /* One row per element of the flattened array (one NULL row when empty or missing). */
    size_t rows = 0;
    if (d->flat_seen) {
        scan_t a = {d->flat_p + 1, d->flat_p + d->flat_n, NULL};
        ws(&a);
        if (a.p < a.end && *a.p == ']') goto empty;
        for (;;) {
            if (r + rows >= b->cap) return SL_DECODE_FULL;
            if (rows) copy_outer(d, d->root, false, b, r, r + rows);
            null_under(d->flat, b, r + rows);
            pnode_t tmp = *d->flat;
            tmp.flatten = false;
            tmp.col = -1;
            if (!walk(d, &a, &tmp, b, r + rows, false, 1)) {
                s.err = a.err;
                goto bad;
            }
            rows++;
            ws(&a);
            if (a.p < a.end && *a.p == ',') {
                a.p++;
                continue;
            }
            break;
        }
        return (int)rows;
    }
empty:
    null_under(d->flat, b, r);
    return 1;
bad:
    if (s.err != d->errbuf) {
        snprintf(d->errbuf, sizeof d->errbuf, "malformed JSON at offset %zu: %s",
                 (size_t)(s.p - data), s.err ? s.err : "syntax error");
    }
    *err = d->errbuf;
    return SL_DECODE_ERROR;
}

/* Decodes one CSV row (one line without its delimiter) into row r. */
static bool csv_row(sl_decoder_t *d, const char *p, size_t n, sl_batch_t *b, size_t r, const char **err)
{
    size_t i = 0;
    for (int c = 0; c < d->ncols; c++) {
        sl_vec_t *v = &b->cols[c];
        if (i > n) {
            v->null[r] = 1;
            continue;
        }
        const char *fs;
        size_t fl;
        bool quoted = false;
        if (i < n && p[i] == '"') {
            quoted = true;
            size_t j = i + 1;
            bool dq = false;
            while (j < n) {
                if (p[j] == '"') {
                    if (j + 1 < n && p[j + 1] == '"') {
                        dq = true;
                        j += 2;
                        continue;
                    }
                    break;
                }
                j++;
            }
            fs = p + i + 1;
            fl = j - i - 1;
            if (dq) {
                char *o = sl_arena_alloc(b->arena, fl + 1);
                size_t w = 0;
                for (size_t k = 0; k < fl; k++) {
                    o[w++] = fs[k];
                    if (fs[k] == '"') k++;
                }
                fs = o;
                fl = w;
            }
            i = j + 1;
            while (i < n && p[i] != d->col_delim) i++;
        } else {
            size_t j = i;
            while (j < n && p[j] != d->col_delim) j++;
            fs = p + i;
            fl = j - i;
            i = j;
        }
        i++;
        sl_type_t t = d->types[c];
        if (!d->wanted[c] || (!fl && !quoted && !sl_type_is_string(t))) {
            v->null[r] = 1;
            continue;
        }
        if (!sl_value_parse(v, r, fs, fl, NULL)) {
            char tn[48];
            sl_type_format(t, tn, sizeof tn);
            snprintf(d->errbuf, sizeof d->errbuf, "column %s (%s): cannot convert '%.*s'",
                     d->names[c], tn, (int)(fl > 64 ? 64 : fl), fs);
            *err = d->errbuf;
            return false;
        }
    }
    return true;
}

/* Decodes one CSV record (possibly several rows). */
static int decode_csv(sl_decoder_t *d, const char *data, size_t len, sl_batch_t *b, const char **err)
{
    size_t rows = 0, i = 0;
    while (i < len) {
        const char *nl = memchr(data + i, d->row_delim, len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        size_t ln = e - i;
        if (ln && data[i + ln - 1] == '\r' && d->row_delim == '\n') ln--;
        if (ln) {
            if (b->n + rows >= b->cap) return SL_DECODE_FULL;
            if (!csv_row(d, data + i, ln, b, b->n + rows, err)) return SL_DECODE_ERROR;
            rows++;
        }
        i = e + 1;
    }
    if (!rows) {
        *err = "empty CSV record";
        return SL_DECODE_ERROR;
    }
    return (int)rows;
}

/* Decodes a record; see decode.h. */
int sl_decoder_decode(sl_decoder_t *d, const char *data, size_t len, sl_batch_t *b,
                      int64_t rowtime, int64_t arrival, const char **err)
{
    if (b->n >= b->cap) return SL_DECODE_FULL;
    int rows = d->format == SL_FORMAT_JSON ? decode_json(d, data, len, b, err)
                                           : decode_csv(d, data, len, b, err);
    if (rows <= 0) return rows;
    sl_vec_t *at = &b->cols[d->ncols];
    for (int k = 0; k < rows; k++) {
        b->rowtime[b->n + (size_t)k] = rowtime;
        at->v.i[b->n + (size_t)k] = arrival;
        at->null[b->n + (size_t)k] = 0;
    }
    b->n += (size_t)rows;
    return rows;
}
