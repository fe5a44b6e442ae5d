/*
 * val.c - the document model of val.h: accessors, the container builder shared by the
 * JSON and CBOR decoders, and number formatting. See val.h and val_int.h.
 *
 * The decoders live in json.c and cbor.c, base64 in base64.c, the encoders in enc.c.
 */
#include "val.h"

#include "alloc.h"
#include "val_int.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- container builder ------------------------------------------------------------- */

/* See val_int.h. */
void sl_vbuild_init(sl_vbuild_t *b, sl_arena_t *a)
{
    b->arena = a;
    b->items = b->items_inline;
    b->n_items = 0;
    b->cap_items = SL_VBUILD_INLINE_ITEMS;
    b->members = b->members_inline;
    b->n_members = 0;
    b->cap_members = SL_VBUILD_INLINE_MEMBERS;
}

/* See val_int.h. */
void sl_vbuild_done(sl_vbuild_t *b)
{
    if (b->items != b->items_inline) sl_free(b->items);
    if (b->members != b->members_inline) sl_free(b->members);
    b->items = b->items_inline;
    b->members = b->members_inline;
}

/* See val_int.h: doubles the item stack, moving it to the heap on first growth. */
void sl_vbuild_grow_items(sl_vbuild_t *b)
{
    size_t cap = b->cap_items * 2;
    if (b->items == b->items_inline) {
        sl_val_t **p = sl_malloc(cap * sizeof *p);
        memcpy(p, b->items, b->n_items * sizeof *p);
        b->items = p;
    } else {
        b->items = sl_realloc(b->items, cap * sizeof *b->items);
    }
    b->cap_items = cap;
}

/* See val_int.h: doubles the member stack, moving it to the heap on first growth. */
void sl_vbuild_grow_members(sl_vbuild_t *b)
{
    size_t cap = b->cap_members * 2;
    if (b->members == b->members_inline) {
        sl_member_t *p = sl_malloc(cap * sizeof *p);
        memcpy(p, b->members, b->n_members * sizeof *p);
        b->members = p;
    } else {
        b->members = sl_realloc(b->members, cap * sizeof *b->members);
    }
    b->cap_members = cap;
}

/* See val_int.h. An empty container gets a NULL array. */
void sl_vbuild_close_arr(sl_vbuild_t *b, sl_val_t *v, size_t mark)
{
    size_t n = b->n_items - mark;
    v->type = SL_V_ARR;
    v->u.arr.n = n;
    v->u.arr.items = NULL;
    if (n) {
        v->u.arr.items = sl_arena_alloc(b->arena, n * sizeof(sl_val_t *));
        memcpy(v->u.arr.items, b->items + mark, n * sizeof(sl_val_t *));
    }
    b->n_items = mark;
}

/* See val_int.h. An empty object gets a NULL member array. */
void sl_vbuild_close_obj(sl_vbuild_t *b, sl_val_t *v, size_t mark)
{
    size_t n = b->n_members - mark;
    v->type = SL_V_OBJ;
    v->u.obj.n = n;
    v->u.obj.members = NULL;
    if (n) {
        v->u.obj.members = sl_arena_alloc(b->arena, n * sizeof(sl_member_t));
        memcpy(v->u.obj.members, b->members + mark, n * sizeof(sl_member_t));
    }
    b->n_members = mark;
}

/* ---- numbers ------------------------------------------------------------------------ */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

/* pthread_once body: creates the "C" numeric locale used by sl_val_strtod_c(). */
static void c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* See val_int.h. Falls back to plain strtod() if the locale could not be created. */
double sl_val_strtod_c(const char *s, char **end)
{
    pthread_once(&c_locale_once, c_locale_init);
    if (c_locale) return strtod_l(s, end, c_locale);
    return strtod(s, end);
}

/* See val_int.h. d must be finite. The digits come from "%.*e"; only digits, the sign and
 * the exponent are read from it, so the locale's decimal point does not matter. */
size_t sl_val_fmt_double(char *out, double d)
{
    char tmp[48];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        /* Rebuild a C-locale string to check the round trip. */
        char chk[48];
        size_t k = 0;
        for (const char *s = tmp; *s && k < sizeof chk - 1; s++) {
            if ((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == 'e') {
                chk[k++] = *s;
            } else {
                chk[k++] = '.';
            }
        }
        chk[k] = '\0';
        if (prec == 17 || sl_val_strtod_c(chk, NULL) == d) break;
    }
    /* Split tmp into sign, significant digits and decimal exponent. */
    const char *s = tmp;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    char digits[24];
    int nd = 0;
    while (*s && *s != 'e') {
        if (*s >= '0' && *s <= '9' && nd < (int)sizeof digits) digits[nd++] = *s;
        s++;
    }
    int exp10 = 0;
    if (*s == 'e') exp10 = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--; /* trailing zeros of the mantissa */

    size_t o = 0;
    if (neg) out[o++] = '-';
    if (nd == 1 && digits[0] == '0') {
        out[o++] = '0';
    } else if (exp10 >= nd - 1) {
        /* An integer: all digits, then zeros. */
        memcpy(out + o, digits, (size_t)nd);
        o += (size_t)nd;
        for (int i = 0; i < exp10 - (nd - 1); i++) out[o++] = '0';
    } else if (exp10 < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -exp10 - 1; i++) out[o++] = '0';
        memcpy(out + o, digits, (size_t)nd);
        o += (size_t)nd;
    } else {
        memcpy(out + o, digits, (size_t)exp10 + 1);
        o += (size_t)exp10 + 1;
        out[o++] = '.';
        memcpy(out + o, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
        o += (size_t)(nd - exp10 - 1);
    }
    out[o] = '\0';
    return o;
}

/* ---- accessors ---------------------------------------------------------------------- */

/* See val.h. Scans from the end so that the last of duplicate keys wins. */
sl_val_t *sl_val_get(const sl_val_t *obj, const char *key)
{
    if (!obj || obj->type != SL_V_OBJ) return NULL;
    size_t klen = strlen(key);
    for (size_t i = obj->u.obj.n; i-- > 0;) {
        const sl_member_t *m = &obj->u.obj.members[i];
        if (m->key_len == klen && memcmp(m->key, key, klen) == 0) return m->val;
    }
    return NULL;
}

/* See val.h. */
const char *sl_val_get_str(const sl_val_t *obj, const char *key, size_t *len)
{
    const sl_val_t *v = sl_val_get(obj, key);
    if (!v || v->type != SL_V_STR) return NULL;
    if (len) *len = v->u.str.len;
    return v->u.str.p;
}

/* See val.h. Only integers (is_int) qualify; 1.0 written as "1.0" does not. */
bool sl_val_get_i64(const sl_val_t *obj, const char *key, int64_t *out)
{
    const sl_val_t *v = sl_val_get(obj, key);
    if (!v || v->type != SL_V_NUM || !v->u.num.is_int) return false;
    *out = v->u.num.i;
    return true;
}

/* See val.h. */
bool sl_val_get_bool(const sl_val_t *obj, const char *key, bool *out)
{
    const sl_val_t *v = sl_val_get(obj, key);
    if (!v || v->type != SL_V_BOOL) return false;
    *out = v->u.b;
    return true;
}

/* See val.h. A null value counts as absent. */
int sl_val_blob(sl_arena_t *a, const sl_val_t *v, const unsigned char **data, size_t *len)
{
    if (!v || v->type == SL_V_NULL) return 0;
    if (v->type == SL_V_BYTES) {
        *data = (const unsigned char *)v->u.str.p;
        *len = v->u.str.len;
        return 1;
    }
    if (v->type != SL_V_STR) return -1;
    unsigned char *out = sl_arena_alloc(a, v->u.str.len / 4 * 3 + 3);
    long n = sl_base64_decode(v->u.str.p, v->u.str.len, out);
    if (n < 0) return -1;
    *data = out;
    *len = (size_t)n;
    return 1;
}

/* See val.h. Fractions of seconds are rounded to the nearest millisecond; values whose
 * milliseconds do not fit int64 are -1 (of another type, as far as the caller can tell). */
int sl_val_time_ms(const sl_val_t *v, int64_t *ms)
{
    if (!v || v->type == SL_V_NULL) return 0;
    if (v->type == SL_V_TIME) {
        *ms = v->u.ms;
        return 1;
    }
    if (v->type != SL_V_NUM) return -1;
    if (v->u.num.is_int) {
        int64_t s = v->u.num.i;
        if (s > INT64_MAX / 1000 || s < INT64_MIN / 1000) return -1;
        *ms = s * 1000;
        return 1;
    }
    double x = round(v->u.num.d * 1000.0);
    if (!(x >= -9.2e18 && x <= 9.2e18)) return -1; /* also rejects NaN */
    *ms = (int64_t)x;
    return 1;
}

/* See val.h. */
bool sl_val_equal(const sl_val_t *a, const sl_val_t *b)
{
    if (!a || !b) return a == b;
    if (a->type != b->type) return false;
    switch (a->type) {
    case SL_V_NULL: return true;
    case SL_V_BOOL: return a->u.b == b->u.b;
    case SL_V_NUM:
        if (a->u.num.is_int && b->u.num.is_int) return a->u.num.i == b->u.num.i;
        if (isnan(a->u.num.d) && isnan(b->u.num.d)) return true;
        return a->u.num.d == b->u.num.d;
    case SL_V_STR:
    case SL_V_BYTES:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.p, b->u.str.p, a->u.str.len) == 0;
    case SL_V_TIME: return a->u.ms == b->u.ms;
    case SL_V_ARR:
        if (a->u.arr.n != b->u.arr.n) return false;
        for (size_t i = 0; i < a->u.arr.n; i++)
            if (!sl_val_equal(a->u.arr.items[i], b->u.arr.items[i])) return false;
        return true;
    case SL_V_OBJ:
        if (a->u.obj.n != b->u.obj.n) return false;
        for (size_t i = 0; i < a->u.obj.n; i++) {
            const sl_member_t *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
            if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0) return false;
            if (!sl_val_equal(x->val, y->val)) return false;
        }
        return true;
    }
    return false;
}

/* See val.h. */
const char *sl_vtype_name(sl_vtype_t t)
{
    switch (t) {
    case SL_V_NULL: return "null";
    case SL_V_BOOL: return "bool";
    case SL_V_NUM: return "number";
    case SL_V_STR: return "string";
    case SL_V_BYTES: return "bytes";
    case SL_V_ARR: return "array";
    case SL_V_OBJ: return "object";
    case SL_V_TIME: return "time";
    }
    return "?";
}
