/*
 * enc.c - the JSON and CBOR encoders of val.h.
 *
 * One set of calls, two backends chosen by e->kind. JSON needs separators: need_comma[d]
 * says whether the container open at depth d already holds a value, after_key that the next
 * value completes a member. CBOR needs none: maps and arrays are indefinite-length (0xbf /
 * 0x9f ... 0xff), so an encoder never has to know a count in advance.
 *
 * Numbers: JSON never uses exponent notation (see sl_val_fmt_double); CBOR integers use the
 * shortest head, CBOR floats the shortest of half/single/double that holds the value exactly
 * (RFC 8949 section 4.2.2, "preferred serialization").
 *
 * Nesting deeper than SL_VAL_MAX_DEPTH is a programming error (a decoded tree never is that
 * deep); it aborts rather than writing a corrupt document.
 */
#include "val.h"

#include "val_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* See val.h. */
void sl_enc_init(sl_enc_t *e, sl_enc_kind_t kind, sl_buf_t *out)
{
    e->kind = kind;
    e->out = out;
    e->depth = 0;
    e->need_comma[0] = false;
    e->after_key = false;
}

/* JSON: writes the separator that must precede a value at the current position. */
static inline void json_sep(sl_enc_t *e)
{
    if (e->after_key) {
        e->after_key = false;
    } else {
        if (e->need_comma[e->depth]) sl_buf_putc(e->out, ',');
        e->need_comma[e->depth] = true;
    }
}

/* CBOR: appends a head of major type major (0..7) with argument v in its shortest form. */
static void cbor_head(sl_buf_t *b, unsigned major, uint64_t v)
{
    unsigned char h[9];
    size_t n;
    unsigned char mt = (unsigned char)(major << 5);
    if (v < 24) {
        h[0] = mt | (unsigned char)v;
        n = 1;
    } else if (v <= 0xff) {
        h[0] = mt | 24;
        h[1] = (unsigned char)v;
        n = 2;
    } else if (v <= 0xffff) {
        h[0] = mt | 25;
        h[1] = (unsigned char)(v >> 8);
        h[2] = (unsigned char)v;
        n = 3;
    } else if (v <= 0xffffffffu) {
        h[0] = mt | 26;
        for (int i = 0; i < 4; i++) h[1 + i] = (unsigned char)(v >> (24 - 8 * i));
        n = 5;
    } else {
        h[0] = mt | 27;
        for (int i = 0; i < 8; i++) h[1 + i] = (unsigned char)(v >> (56 - 8 * i));
        n = 9;
    }
    sl_buf_append(b, h, n);
}

/* Opens a map or array at the current position; open is '{' or '['. */
static void enc_open(sl_enc_t *e, char open)
{
    if (e->depth >= SL_VAL_MAX_DEPTH) {
        fprintf(stderr, "sluice: sl_enc nesting deeper than %d\n", SL_VAL_MAX_DEPTH);
        abort();
    }
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        sl_buf_putc(e->out, open);
    } else {
        sl_buf_putc(e->out, (char)(open == '{' ? 0xbf : 0x9f));
    }
    e->depth++;
    e->need_comma[e->depth] = false;
    e->after_key = false;
}

/* Closes the innermost map or array; close is '}' or ']'. */
static void enc_close(sl_enc_t *e, char close)
{
    if (e->depth <= 0) {
        fprintf(stderr, "sluice: unbalanced sl_enc close\n");
        abort();
    }
    e->depth--;
    sl_buf_putc(e->out, e->kind == SL_ENC_JSON ? close : (char)0xff);
}

/* See val.h. */
void sl_enc_obj_begin(sl_enc_t *e) { enc_open(e, '{'); }
/* See val.h. */
void sl_enc_obj_end(sl_enc_t *e) { enc_close(e, '}'); }
/* See val.h. */
void sl_enc_arr_begin(sl_enc_t *e) { enc_open(e, '['); }
/* See val.h. */
void sl_enc_arr_end(sl_enc_t *e) { enc_close(e, ']'); }

/* Writes a member key of n bytes (any bytes; JSON escapes them). */
static void enc_keyn(sl_enc_t *e, const char *key, size_t n)
{
    if (e->kind == SL_ENC_JSON) {
        if (e->need_comma[e->depth]) sl_buf_putc(e->out, ',');
        e->need_comma[e->depth] = true;
        sl_json_quote(e->out, key, n);
        sl_buf_putc(e->out, ':');
        e->after_key = true;
    } else {
        cbor_head(e->out, 3, n);
        sl_buf_append(e->out, key, n);
    }
}

/* See val.h. */
void sl_enc_key(sl_enc_t *e, const char *key)
{
    enc_keyn(e, key, strlen(key));
}

/* See val.h. */
void sl_enc_strn(sl_enc_t *e, const char *s, size_t n)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        sl_json_quote(e->out, s, n);
    } else {
        cbor_head(e->out, 3, n);
        sl_buf_append(e->out, s, n);
    }
}

/* See val.h. */
void sl_enc_str(sl_enc_t *e, const char *s)
{
    sl_enc_strn(e, s, strlen(s));
}

/* See val.h. */
void sl_enc_i64(sl_enc_t *e, int64_t v)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        sl_buf_put_i64(e->out, v);
    } else if (v >= 0) {
        cbor_head(e->out, 0, (uint64_t)v);
    } else {
        cbor_head(e->out, 1, (uint64_t)(-(v + 1)));
    }
}

/* Returns the IEEE 754 half-precision bits of d when d converts to half exactly, else -1.
 * Covers zeros, subnormal and normal halves, infinities; NaN is handled by the caller. */
static int32_t to_half_exact(double d)
{
    uint32_t sign = signbit(d) ? 0x8000u : 0;
    double a = fabs(d);
    if (a == 0) return (int32_t)sign;
    if (isinf(a)) return (int32_t)(sign | 0x7c00u);
    int ex;
    double frac = frexp(a, &ex); /* a = frac * 2^ex, frac in [0.5, 1) */
    /* Normal halves: a = (1 + m/1024) * 2^(ex-1), ex-1 in [-14, 15]. */
    if (ex - 1 >= -14 && ex - 1 <= 15) {
        double m = (frac * 2 - 1) * 1024;
        if (m != floor(m)) return -1;
        return (int32_t)(sign | (uint32_t)(ex - 1 + 15) << 10 | (uint32_t)m);
    }
    /* Subnormal halves: a = m * 2^-24, m in [1, 1023]. */
    if (ex - 1 < -14) {
        double m = ldexp(a, 24);
        if (m != floor(m) || m < 1 || m > 1023) return -1;
        return (int32_t)(sign | (uint32_t)m);
    }
    return -1;
}

/* CBOR: appends d as the shortest float that holds it exactly. NaN is written as the
 * canonical half NaN 0xf97e00 (RFC 8949 section 4.2.2). */
static void cbor_double(sl_buf_t *b, double d)
{
    unsigned char h[9];
    if (isnan(d)) {
        h[0] = 0xf9;
        h[1] = 0x7e;
        h[2] = 0x00;
        sl_buf_append(b, h, 3);
        return;
    }
    int32_t half = to_half_exact(d);
    if (half >= 0) {
        h[0] = 0xf9;
        h[1] = (unsigned char)(half >> 8);
        h[2] = (unsigned char)half;
        sl_buf_append(b, h, 3);
        return;
    }
    float f = (float)d;
    if ((double)f == d) {
        uint32_t u;
        memcpy(&u, &f, 4);
        h[0] = 0xfa;
        for (int i = 0; i < 4; i++) h[1 + i] = (unsigned char)(u >> (24 - 8 * i));
        sl_buf_append(b, h, 5);
        return;
    }
    uint64_t u;
    memcpy(&u, &d, 8);
    h[0] = 0xfb;
    for (int i = 0; i < 8; i++) h[1 + i] = (unsigned char)(u >> (56 - 8 * i));
    sl_buf_append(b, h, 9);
}

/* See val.h. JSON: plain decimal, shortest digits that read back as v; a non-finite v has no
 * JSON form and is written as null. CBOR: see cbor_double(). */
void sl_enc_double(sl_enc_t *e, double v)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        if (!isfinite(v)) {
            sl_buf_append(e->out, "null", 4);
            return;
        }
        char tmp[SL_VAL_DBL_MAX];
        size_t n = sl_val_fmt_double(tmp, v);
        sl_buf_append(e->out, tmp, n);
    } else {
        cbor_double(e->out, v);
    }
}

/* See val.h. */
void sl_enc_bool(sl_enc_t *e, bool v)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        if (v) sl_buf_append(e->out, "true", 4);
        else sl_buf_append(e->out, "false", 5);
    } else {
        sl_buf_putc(e->out, (char)(v ? 0xf5 : 0xf4));
    }
}

/* See val.h. */
void sl_enc_null(sl_enc_t *e)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        sl_buf_append(e->out, "null", 4);
    } else {
        sl_buf_putc(e->out, (char)0xf6);
    }
}

/* See val.h. */
void sl_enc_blob(sl_enc_t *e, const void *data, size_t n)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        sl_buf_putc(e->out, '"');
        sl_base64_encode(e->out, data, n);
        sl_buf_putc(e->out, '"');
    } else {
        cbor_head(e->out, 2, n);
        sl_buf_append(e->out, data, n);
    }
}

/* See val.h. JSON: always three decimals, so negative times read "-0.001" for -1 ms. */
void sl_enc_time_ms(sl_enc_t *e, int64_t ms)
{
    if (e->kind == SL_ENC_JSON) {
        json_sep(e);
        uint64_t a = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
        if (ms < 0) sl_buf_putc(e->out, '-');
        sl_buf_put_u64(e->out, a / 1000);
        char frac[4] = {'.', (char)('0' + a % 1000 / 100), (char)('0' + a % 100 / 10),
                        (char)('0' + a % 10)};
        sl_buf_append(e->out, frac, 4);
    } else {
        sl_buf_putc(e->out, (char)0xc1);
        sl_enc_i64(e, ms);
    }
}

/* See val.h. Numbers keep their kind (is_int as an integer, else a double); an SL_V_BYTES
 * value becomes base64 text in JSON. */
void sl_enc_val(sl_enc_t *e, const sl_val_t *v)
{
    switch (v->type) {
    case SL_V_NULL: sl_enc_null(e); break;
    case SL_V_BOOL: sl_enc_bool(e, v->u.b); break;
    case SL_V_NUM:
        if (v->u.num.is_int) sl_enc_i64(e, v->u.num.i);
        else sl_enc_double(e, v->u.num.d);
        break;
    case SL_V_STR: sl_enc_strn(e, v->u.str.p, v->u.str.len); break;
    case SL_V_BYTES: sl_enc_blob(e, v->u.str.p, v->u.str.len); break;
    case SL_V_TIME: sl_enc_time_ms(e, v->u.ms); break;
    case SL_V_ARR:
        sl_enc_arr_begin(e);
        for (size_t i = 0; i < v->u.arr.n; i++) sl_enc_val(e, v->u.arr.items[i]);
        sl_enc_arr_end(e);
        break;
    case SL_V_OBJ:
        sl_enc_obj_begin(e);
        for (size_t i = 0; i < v->u.obj.n; i++) {
            const sl_member_t *m = &v->u.obj.members[i];
            enc_keyn(e, m->key, m->key_len);
            sl_enc_val(e, m->val);
        }
        sl_enc_obj_end(e);
        break;
    }
}
