/*
 * cbor.c - the CBOR decoder (RFC 8949) into the sl_val_t tree; see val.h.
 *
 * Accepts every well-formed data item: major types 0-7, definite and indefinite lengths
 * (indefinite byte/text strings are concatenated from their chunks), half/single/double
 * floats, tags, simple values. The mapping onto the tree:
 *   - integers that fit int64 are is_int numbers; larger ones (up to 2^64, or down to
 *     -2^64) are non-int numbers holding the nearest double;
 *   - tag 1 becomes SL_V_TIME: integer content is epoch milliseconds (what the AWS Java SDK
 *     sends), float content epoch seconds; other content is an error. Other tags are
 *     dropped and their content kept;
 *   - false/true are SL_V_BOOL; null, undefined and the unassigned simple values (0-19,
 *     32-255) are SL_V_NULL;
 *   - map keys must be text strings (all the AWS protocols need); anything else is an error.
 * Trailing bytes after the item are an error, as for JSON.
 *
 * Hostile input: every declared length is checked against the bytes left before anything
 * is read or allocated; declared element counts never size an allocation (children go
 * through the scratch stack of val_int.h, and a declared count larger than the bytes left
 * fails at once since each item takes at least one byte). Containers and tags count
 * toward SL_VAL_MAX_DEPTH.
 */
#include "val.h"

#include "val_int.h"

#include <math.h>
#include <string.h>

typedef struct cparser {
    const unsigned char *start, *p, *end;
    int depth;
    const char *err;  /* set once, by fail() */
    sl_vbuild_t build;
} cparser_t;

/* Records "offset <at - start>: <msg>" unless an error is already set; returns NULL. */
static sl_val_t *fail(cparser_t *c, const unsigned char *at, const char *msg)
{
    if (!c->err) {
        c->err = sl_arena_printf(c->build.arena, "offset %zu: %s", (size_t)(at - c->start), msg);
    }
    return NULL;
}

/* Reads n (1, 2, 4, 8) big-endian bytes at p. The caller has checked they exist. */
static inline uint64_t read_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/*
 * Reads the head of the item at c->p: the major type, the additional information (ai) and,
 * when ai is 24-27, its argument; leaves c->p after the head. *arg is ai itself for
 * ai < 24 and 0 for ai 31 (indefinite / break). Fails on truncation and on the reserved
 * ai values 28-30.
 */
static bool read_head(cparser_t *c, unsigned *major, unsigned *ai, uint64_t *arg)
{
    const unsigned char *at = c->p;
    if (c->p >= c->end) return fail(c, at, "unexpected end of input"), false;
    unsigned char ib = *c->p++;
    *major = ib >> 5;
    *ai = ib & 31;
    if (*ai < 24) {
        *arg = *ai;
    } else if (*ai <= 27) {
        int n = 1 << (*ai - 24);
        if (c->end - c->p < n) return fail(c, at, "truncated item head"), false;
        *arg = read_be(c->p, n);
        c->p += n;
    } else if (*ai == 31) {
        *arg = 0;
    } else {
        return fail(c, at, "reserved additional information value"), false;
    }
    return true;
}

/* Converts IEEE 754 half-precision bits to a double. */
static double half_to_double(unsigned h)
{
    unsigned ex = (h >> 10) & 31, m = h & 0x3ff;
    double v;
    if (ex == 0) v = ldexp((double)m, -24);
    else if (ex == 31) v = m ? NAN : INFINITY;
    else v = ldexp((double)(m + 1024), (int)ex - 25);
    return (h & 0x8000) ? -v : v;
}

/* Decodes the item at c->p. Returns NULL on error. */
static sl_val_t *parse_item(cparser_t *c);

/*
 * Decodes a byte (major 2) or text (major 3) string whose head has been read; at is the
 * head's position. Definite: one copy. Indefinite: a first pass over the chunks validates
 * them (each a definite string of the same major type) and sums their lengths, a second
 * copies them; the total is bounded by the input, so nothing is allocated from an
 * unchecked length.
 */
static sl_val_t *parse_string(cparser_t *c, const unsigned char *at, unsigned major,
                              unsigned ai, uint64_t arg)
{
    size_t total;
    const unsigned char *first = c->p;
    if (ai != 31) {
        if (arg > (uint64_t)(c->end - c->p)) return fail(c, at, "string longer than the input");
        total = (size_t)arg;
        c->p += total;
    } else {
        total = 0;
        for (;;) {
            const unsigned char *chunk = c->p;
            unsigned cm, cai;
            uint64_t clen;
            if (!read_head(c, &cm, &cai, &clen)) return NULL;
            if (cm == 7 && cai == 31) break;
            if (cm != major || cai == 31)
                return fail(c, chunk, "bad chunk in indefinite-length string");
            if (clen > (uint64_t)(c->end - c->p))
                return fail(c, chunk, "string longer than the input");
            total += (size_t)clen;
            c->p += clen;
        }
    }
    char *mem = sl_arena_alloc(c->build.arena, sizeof(sl_val_t) + total + 1);
    sl_val_t *v = (sl_val_t *)(void *)mem;
    char *s = mem + sizeof(sl_val_t);
    if (ai != 31) {
        memcpy(s, first, total);
    } else {
        /* Second pass: the chunks were validated above, so the heads are well-formed. */
        const unsigned char *p = first;
        size_t o = 0;
        while (*p != 0xff) {
            unsigned cai = *p & 31;
            uint64_t clen = cai < 24 ? cai : read_be(p + 1, 1 << (cai - 24));
            p += cai < 24 ? 1 : 1 + (1 << (cai - 24));
            memcpy(s + o, p, (size_t)clen);
            o += (size_t)clen;
            p += clen;
        }
    }
    s[total] = '\0';
    v->type = major == 2 ? SL_V_BYTES : SL_V_STR;
    v->u.str.p = s;
    v->u.str.len = total;
    return v;
}

/* True when c->p is at a break byte (0xff); consumes it. */
static inline bool take_break(cparser_t *c)
{
    if (c->p < c->end && *c->p == 0xff) {
        c->p++;
        return true;
    }
    return false;
}

/* Decodes an array (major 4) whose head has been read: arg items, or up to a break. */
static sl_val_t *parse_array(cparser_t *c, const unsigned char *at, unsigned ai, uint64_t arg)
{
    if (ai != 31 && arg > (uint64_t)(c->end - c->p)) return fail(c, at, "array longer than the input");
    if (++c->depth > SL_VAL_MAX_DEPTH) return fail(c, at, "nesting too deep");
    sl_val_t *v = sl_arena_alloc(c->build.arena, sizeof *v);
    size_t mark = c->build.n_items;
    for (uint64_t i = 0; ai == 31 || i < arg; i++) {
        if (ai == 31 && take_break(c)) break;
        sl_val_t *item = parse_item(c);
        if (!item) return NULL;
        sl_vbuild_push_item(&c->build, item);
    }
    sl_vbuild_close_arr(&c->build, v, mark);
    c->depth--;
    return v;
}

/* Decodes a map (major 5) whose head has been read: arg pairs, or up to a break. */
static sl_val_t *parse_map(cparser_t *c, const unsigned char *at, unsigned ai, uint64_t arg)
{
    if (ai != 31 && arg > (uint64_t)(c->end - c->p) / 2)
        return fail(c, at, "map longer than the input");
    if (++c->depth > SL_VAL_MAX_DEPTH) return fail(c, at, "nesting too deep");
    sl_val_t *v = sl_arena_alloc(c->build.arena, sizeof *v);
    size_t mark = c->build.n_members;
    for (uint64_t i = 0; ai == 31 || i < arg; i++) {
        if (ai == 31 && take_break(c)) break;
        const unsigned char *kat = c->p;
        sl_val_t *key = parse_item(c);
        if (!key) return NULL;
        if (key->type != SL_V_STR) return fail(c, kat, "map key is not a text string");
        sl_val_t *val = parse_item(c);
        if (!val) return NULL;
        sl_vbuild_push_member(&c->build, key->u.str.p, key->u.str.len, val);
    }
    sl_vbuild_close_obj(&c->build, v, mark);
    c->depth--;
    return v;
}

/* Turns the content of tag 1 into an SL_V_TIME in place: integers are milliseconds, floats
 * seconds (rounded to the nearest millisecond). Fails on other content or out of range. */
static sl_val_t *make_time(cparser_t *c, const unsigned char *at, sl_val_t *v)
{
    if (v->type != SL_V_NUM) return fail(c, at, "tag 1 content is not a number");
    int64_t ms;
    if (v->u.num.is_int) {
        ms = v->u.num.i;
    } else {
        double x = round(v->u.num.d * 1000.0);
        if (!(x >= -9.2e18 && x <= 9.2e18)) return fail(c, at, "tag 1 time out of range");
        ms = (int64_t)x;
    }
    v->type = SL_V_TIME;
    v->u.ms = ms;
    return v;
}

/* See the declaration above. */
static sl_val_t *parse_item(cparser_t *c)
{
    const unsigned char *at = c->p;
    unsigned major, ai;
    uint64_t arg;
    if (!read_head(c, &major, &ai, &arg)) return NULL;
    if (ai == 31 && (major <= 1 || major == 6)) {
        return fail(c, at, "indefinite length not allowed for this major type");
    }
    switch (major) {
    case 0:
    case 1: {
        sl_val_t *v = sl_arena_alloc(c->build.arena, sizeof *v);
        v->type = SL_V_NUM;
        if (arg <= (uint64_t)INT64_MAX) {
            v->u.num.is_int = true;
            v->u.num.i = major == 0 ? (int64_t)arg : -1 - (int64_t)arg;
            v->u.num.d = (double)v->u.num.i;
        } else {
            v->u.num.is_int = false;
            v->u.num.i = 0;
            v->u.num.d = major == 0 ? (double)arg : -1.0 - (double)arg;
        }
        return v;
    }
    case 2:
    case 3: return parse_string(c, at, major, ai, arg);
    case 4: return parse_array(c, at, ai, arg);
    case 5: return parse_map(c, at, ai, arg);
    case 6: {
        if (++c->depth > SL_VAL_MAX_DEPTH) return fail(c, at, "nesting too deep");
        const unsigned char *content = c->p;
        sl_val_t *v = parse_item(c);
        c->depth--;
        if (!v) return NULL;
        return arg == 1 ? make_time(c, content, v) : v;
    }
    default: break;
    }
    /* Major 7: simple values and floats. */
    if (ai == 31) return fail(c, at, "unexpected break");
    sl_val_t *v = sl_arena_alloc(c->build.arena, sizeof *v);
    switch (ai) {
    case 20:
    case 21:
        v->type = SL_V_BOOL;
        v->u.b = ai == 21;
        return v;
    case 24:
        if (arg < 32) return fail(c, at, "simple value below 32 in two-byte form");
        v->type = SL_V_NULL;
        return v;
    case 25:
    case 26:
    case 27: {
        double d;
        if (ai == 25) {
            d = half_to_double((unsigned)arg);
        } else if (ai == 26) {
            uint32_t u = (uint32_t)arg;
            float f;
            memcpy(&f, &u, 4);
            d = f;
        } else {
            memcpy(&d, &arg, 8);
        }
        v->type = SL_V_NUM;
        v->u.num.is_int = false;
        v->u.num.i = 0;
        v->u.num.d = d;
        return v;
    }
    default:
        /* 0-19 unassigned, 22 null, 23 undefined. */
        v->type = SL_V_NULL;
        return v;
    }
}

/* See val.h. */
sl_val_t *sl_cbor_parse(sl_arena_t *a, const void *data, size_t len, const char **err)
{
    cparser_t c;
    if (!data) data = ""; /* no arithmetic on NULL, even with len 0 */
    c.start = c.p = data;
    c.end = c.start + len;
    c.depth = 0;
    c.err = NULL;
    sl_vbuild_init(&c.build, a);
    sl_val_t *root = parse_item(&c);
    if (root && c.p != c.end) root = fail(&c, c.p, "unexpected data after the CBOR item");
    sl_vbuild_done(&c.build);
    if (err) *err = root ? NULL : c.err;
    return root;
}
