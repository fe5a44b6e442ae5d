/*
 * agg.c - COUNT, SUM, AVG, MIN, MAX: the aggregates of tumbling, sliding and stagger
 * windows. COUNT, SUM and AVG can be inverted (sliding windows subtract expired rows);
 * MIN and MAX cannot (the sliding operator recomputes them when the extreme expires).
 */
#include "registry.h"

#include "alloc.h"

#include <math.h>
#include <string.h>

/* The state of SUM and AVG: an exact and an approximate running sum and a row count. */
typedef struct sum_state {
    int64_t i; /* exact sum (integers, DECIMAL scaled, intervals) */
    double f;  /* approximate sum (REAL, DOUBLE) */
    double c;  /* the rounding error f has dropped so far (compensated summation) */
    int64_t n; /* rows added and not removed */
} sum_state_t;

/*
 * Adds x to the compensated sum (f, c): Neumaier's variant of Kahan summation keeps the
 * low-order bits each addition rounds away in c, so f + c is the sum of the inputs to about
 * twice double precision. The result then hardly depends on the order of the additions:
 * partial sums merged across threads (and sliding windows subtracting expired rows) give
 * the same double as one sequential pass in all but contrived cases. Infinite or NaN sums
 * skip the compensation (it would turn inf into NaN).
 */
static inline void csum_add(sum_state_t *s, double x)
{
    double t = s->f + x;
    if (isfinite(t)) {
        if (fabs(s->f) >= fabs(x)) s->c += (s->f - t) + x;
        else s->c += (x - t) + s->f;
    }
    s->f = t;
}

/* The value of a compensated sum. */
static inline double csum_value(const sum_state_t *s) { return isfinite(s->f) ? s->f + s->c : s->f; }

/* The state of MIN and MAX. */
typedef struct minmax_state {
    int has;     /* a value was seen */
    int64_t i;   /* SL_PHYS_I64 extreme */
    double f;    /* SL_PHYS_F64 extreme */
    char *s;     /* SL_PHYS_STR extreme (owned, heap) */
    uint32_t len; /* its length */
} minmax_state_t;

/* COUNT: step adds one. */
static void count_step(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    (*(int64_t *)st)++;
}

/* COUNT: inverse removes one. */
static void count_inverse(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    (*(int64_t *)st)--;
}

/* COUNT: merge adds counts. */
static void count_merge(const sl_agg_ctx_t *c, void *st, const void *other)
{
    *(int64_t *)st += *(const int64_t *)other;
}

/* COUNT: final writes the count (never NULL). */
static void count_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    out->null[row] = 0;
    out->v.i[row] = *(const int64_t *)st;
}

/* SUM/AVG: nothing to set up beyond zeroed memory. */
static void zero_init(const sl_agg_ctx_t *c, void *st) {}

/* SUM/AVG step. */
static void sum_step(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    sum_state_t *s = st;
    if (sl_type_phys(arg->type) == SL_PHYS_F64)
        csum_add(s, arg->v.f[row]);
    else
        s->i += arg->v.i[row];
    s->n++;
}

/* SUM/AVG inverse. */
static void sum_inverse(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    sum_state_t *s = st;
    if (sl_type_phys(arg->type) == SL_PHYS_F64)
        csum_add(s, -arg->v.f[row]);
    else
        s->i -= arg->v.i[row];
    s->n--;
}

/* SUM/AVG merge. */
static void sum_merge(const sl_agg_ctx_t *c, void *st, const void *other)
{
    sum_state_t *s = st;
    const sum_state_t *o = other;
    s->i += o->i;
    csum_add(s, o->f);
    s->c += o->c;
    s->n += o->n;
}

/* Rescales an exact value from scale `from` to scale `to`. */
static int64_t rescale(int64_t v, int from, int to)
{
    if (to > from) return v * sl_pow10(to - from);
    if (to < from) return v / sl_pow10(from - to);
    return v;
}

/* SUM final: NULL over no rows. */
static void sum_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    const sum_state_t *s = st;
    out->null[row] = s->n == 0;
    if (sl_type_phys(c->result) == SL_PHYS_F64) {
        out->v.f[row] = sl_type_phys(c->arg) == SL_PHYS_F64 ? csum_value(s) : (double)s->i;
        if (c->result.id == SL_T_REAL) out->v.f[row] = (double)(float)out->v.f[row];
    } else
        out->v.i[row] = rescale(s->i, sl_type_scale(c->arg), sl_type_scale(c->result));
}

/* AVG final: exact types divide with truncation toward zero (as KDA's integer AVG). */
static void avg_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    const sum_state_t *s = st;
    out->null[row] = s->n == 0;
    if (!s->n) return;
    if (sl_type_phys(c->result) == SL_PHYS_F64) {
        double sum = sl_type_phys(c->arg) == SL_PHYS_F64 ? csum_value(s) : (double)s->i;
        if (c->arg.id == SL_T_DECIMAL) sum /= (double)sl_pow10(c->arg.scale);
        out->v.f[row] = sum / (double)s->n;
        if (c->result.id == SL_T_REAL) out->v.f[row] = (double)(float)out->v.f[row];
    } else {
        out->v.i[row] = rescale(s->i, sl_type_scale(c->arg), sl_type_scale(c->result)) / s->n;
    }
}

/* Compares two strings bytewise, shorter first on a tie. */
static int str_cmp(const char *a, uint32_t al, const char *b, uint32_t bl)
{
    uint32_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return al < bl ? -1 : al > bl;
}

/* Shared step of MIN (sign = -1) and MAX (sign = 1). */
static void minmax_step(const sl_agg_ctx_t *c, minmax_state_t *s, const sl_vec_t *arg,
                        size_t row, int sign)
{
    switch (sl_type_phys(arg->type)) {
    case SL_PHYS_I64: {
        int64_t v = arg->v.i[row];
        if (!s->has || (sign > 0 ? v > s->i : v < s->i)) s->i = v;
        break;
    }
    case SL_PHYS_F64: {
        double v = arg->v.f[row];
        if (!s->has || (sign > 0 ? v > s->f : v < s->f)) s->f = v;
        break;
    }
    case SL_PHYS_STR: {
        sl_str_t v = arg->v.s[row];
        if (!s->has || str_cmp(v.p, v.len, s->s, s->len) * sign > 0) {
            sl_free(s->s);
            s->s = sl_malloc(v.len ? v.len : 1);
            if (v.len) memcpy(s->s, v.p, v.len);
            s->len = v.len;
        }
        break;
    }
    }
    s->has = 1;
}

/* MIN step. */
static void min_step(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    minmax_step(c, st, arg, row, -1);
}

/* MAX step. */
static void max_step(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    minmax_step(c, st, arg, row, 1);
}

/* Shared merge of MIN/MAX: steps the other state's extreme as a one-row vector. */
static void minmax_merge(const sl_agg_ctx_t *c, void *st, const void *other, int sign)
{
    const minmax_state_t *o = other;
    if (!o->has) return;
    int64_t i = o->i;
    double f = o->f;
    sl_str_t s = {o->s, o->len};
    uint8_t nul = 0;
    sl_vec_t v;
    v.type = c->arg;
    v.null = &nul;
    if (sl_type_phys(c->arg) == SL_PHYS_I64) v.v.i = &i;
    else if (sl_type_phys(c->arg) == SL_PHYS_F64) v.v.f = &f;
    else v.v.s = &s;
    minmax_step(c, st, &v, 0, sign);
}

/* MIN merge. */
static void min_merge(const sl_agg_ctx_t *c, void *st, const void *other)
{
    minmax_merge(c, st, other, -1);
}

/* MAX merge. */
static void max_merge(const sl_agg_ctx_t *c, void *st, const void *other)
{
    minmax_merge(c, st, other, 1);
}

/* MIN/MAX final: the extreme, NULL over no rows. The string stays owned by the state and
 * must be copied by the caller if it outlives it. */
static void minmax_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    const minmax_state_t *s = st;
    out->null[row] = !s->has;
    if (!s->has) return;
    switch (sl_type_phys(c->result)) {
    case SL_PHYS_I64: out->v.i[row] = s->i; break;
    case SL_PHYS_F64: out->v.f[row] = s->f; break;
    case SL_PHYS_STR: out->v.s[row] = (sl_str_t){s->s, s->len}; break;
    }
}

/* MIN/MAX destroy: frees the string extreme. */
static void minmax_destroy(const sl_agg_ctx_t *c, void *st)
{
    minmax_state_t *s = st;
    sl_free(s->s);
    s->s = NULL;
}

/* ---- stepping many rows (step_rows): the same arithmetic as the steps above ---------- */

/* COUNT: one more per row kept. */
static void count_rows(const sl_agg_ctx_t *c, char *base, size_t stride, const uint32_t *gid,
                       const sl_vec_t *arg, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gid[i] != SL_AGG_SKIP && !(arg && arg->null[i])) (*(int64_t *)(base + gid[i] * stride))++;
}

/* SUM/AVG: the compensated double sum or the exact one, and the count. */
static void sum_rows(const sl_agg_ctx_t *c, char *base, size_t stride, const uint32_t *gid,
                     const sl_vec_t *arg, size_t n)
{
    bool f64 = sl_type_phys(arg->type) == SL_PHYS_F64;
    for (size_t i = 0; i < n; i++) {
        if (gid[i] == SL_AGG_SKIP || arg->null[i]) continue;
        sum_state_t *s = (sum_state_t *)(base + gid[i] * stride);
        if (f64) csum_add(s, arg->v.f[i]);
        else s->i += arg->v.i[i];
        s->n++;
    }
}

/* MIN/MAX: numbers compared inline, strings through minmax_step (they are copied). */
static void minmax_rows(const sl_agg_ctx_t *c, char *base, size_t stride, const uint32_t *gid,
                        const sl_vec_t *arg, size_t n, int sign)
{
    sl_phys_t ph = sl_type_phys(arg->type);
    for (size_t i = 0; i < n; i++) {
        if (gid[i] == SL_AGG_SKIP || arg->null[i]) continue;
        minmax_state_t *s = (minmax_state_t *)(base + gid[i] * stride);
        if (ph == SL_PHYS_F64) {
            double v = arg->v.f[i];
            if (!s->has || (sign > 0 ? v > s->f : v < s->f)) s->f = v;
            s->has = 1;
        } else if (ph == SL_PHYS_I64) {
            int64_t v = arg->v.i[i];
            if (!s->has || (sign > 0 ? v > s->i : v < s->i)) s->i = v;
            s->has = 1;
        } else {
            minmax_step(c, s, arg, i, sign);
        }
    }
}

/* MIN over many rows. */
static void min_rows(const sl_agg_ctx_t *c, char *base, size_t stride, const uint32_t *gid,
                     const sl_vec_t *arg, size_t n)
{
    minmax_rows(c, base, stride, gid, arg, n, -1);
}

/* MAX over many rows. */
static void max_rows(const sl_agg_ctx_t *c, char *base, size_t stride, const uint32_t *gid,
                     const sl_vec_t *arg, size_t n)
{
    minmax_rows(c, base, stride, gid, arg, n, 1);
}

const sl_agg_ops_t sl_agg_count = {sizeof(int64_t), zero_init, count_step, count_inverse,
                                   count_merge, count_final, NULL, count_rows};
const sl_agg_ops_t sl_agg_sum = {sizeof(sum_state_t), zero_init, sum_step, sum_inverse,
                                 sum_merge, sum_final, NULL, sum_rows};
const sl_agg_ops_t sl_agg_avg = {sizeof(sum_state_t), zero_init, sum_step, sum_inverse,
                                 sum_merge, avg_final, NULL, sum_rows};
const sl_agg_ops_t sl_agg_min = {sizeof(minmax_state_t), zero_init, min_step, NULL,
                                 min_merge, minmax_final, minmax_destroy, min_rows};
const sl_agg_ops_t sl_agg_max = {sizeof(minmax_state_t), zero_init, max_step, NULL,
                                 max_merge, minmax_final, minmax_destroy, max_rows};
