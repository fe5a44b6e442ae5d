/*
 * aggstat.c - the statistical and boolean aggregates of KDA: VAR_POP, VAR_SAMP,
 * STDDEV_POP, STDDEV_SAMP (numeric argument, DOUBLE result) and ANY, EVERY (BOOLEAN).
 *
 * All of them can be inverted, so sliding windows subtract expired rows instead of
 * recomputing. The variances use KDA's formula over running sums:
 *     VAR_POP  = (Σx² − (Σx)²/n) / n          VAR_SAMP = (Σx² − (Σx)²/n) / (n − 1)
 * clamped at 0 (rounding may leave a tiny negative); STDDEV_* are their square roots.
 * Over no rows every one is NULL; the _SAMP forms of one row are NULL too (n − 1 = 0).
 * ANY is TRUE when some value is TRUE, EVERY when all are; NULL inputs are ignored, as for
 * every aggregate (the window operators never step a NULL).
 */
#include "registry.h"

#include <math.h>
#include <stdio.h>

/* Running sums of the variances. */
typedef struct var_state {
    int64_t n;
    double sum, sumsq;
} var_state_t;

/* Running counts of ANY / EVERY. */
typedef struct bool_state {
    int64_t n, ntrue;
} bool_state_t;

/* Row `row` of a numeric vector as a double (DECIMAL unscaled). */
static inline double dval(const sl_vec_t *v, size_t row)
{
    if (sl_type_phys(v->type) == SL_PHYS_F64) return v->v.f[row];
    double d = (double)v->v.i[row];
    if (v->type.id == SL_T_DECIMAL && v->type.scale) d /= (double)sl_pow10(v->type.scale);
    return d;
}

/* VAR_* / STDDEV_*: a numeric argument, DOUBLE result. */
bool sl_rule_variance(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    sl_type_t a = call->args[0];
    if (!sl_type_is_numeric(a) && a.id != SL_T_NULL) {
        char nm[48];
        sl_type_format(a, nm, sizeof nm);
        snprintf(err, errlen, "expects a numeric argument, got %s", nm);
        return false;
    }
    *result = sl_type_make(SL_T_DOUBLE);
    return true;
}

/* ANY / EVERY: a BOOLEAN argument and result. */
bool sl_rule_any_every(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    sl_type_t a = call->args[0];
    if (a.id != SL_T_BOOLEAN && a.id != SL_T_NULL) {
        char nm[48];
        sl_type_format(a, nm, sizeof nm);
        snprintf(err, errlen, "expects a BOOLEAN argument, got %s", nm);
        return false;
    }
    *result = sl_type_make(SL_T_BOOLEAN);
    return true;
}

/* Every state starts as zeroed memory. */
static void zero_init(const sl_agg_ctx_t *c, void *st)
{
}

/* Adds x to the running sums. */
static void var_step(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    var_state_t *s = st;
    double x = dval(arg, row);
    s->n++;
    s->sum += x;
    s->sumsq += x * x;
}

/* Removes x from the running sums (a sliding frame's expired row). */
static void var_inverse(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    var_state_t *s = st;
    double x = dval(arg, row);
    s->n--;
    s->sum -= x;
    s->sumsq -= x * x;
    if (s->n == 0) s->sum = s->sumsq = 0; /* drop the rounding left by the subtractions */
}

/* Adds another partial state. */
static void var_merge(const sl_agg_ctx_t *c, void *st, const void *other)
{
    var_state_t *s = st;
    const var_state_t *o = other;
    s->n += o->n;
    s->sum += o->sum;
    s->sumsq += o->sumsq;
}

/* The variance of a state with `sample` (n − 1) or population (n) division; false when it
 * is NULL. */
static bool variance(const var_state_t *s, bool sample, double *v)
{
    if (s->n == 0 || (sample && s->n == 1)) return false;
    double ss = s->sumsq - s->sum * s->sum / (double)s->n;
    if (ss < 0) ss = 0;
    *v = ss / (double)(sample ? s->n - 1 : s->n);
    return true;
}

/* Writes a DOUBLE result, or NULL when !ok. */
static void put(sl_vec_t *out, size_t row, bool ok, double v)
{
    out->null[row] = !ok;
    if (ok) out->v.f[row] = v;
}

/* VAR_POP. */
static void var_pop_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    double v = 0;
    bool ok = variance(st, false, &v);
    put(out, row, ok, v);
}

/* VAR_SAMP. */
static void var_samp_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    double v = 0;
    bool ok = variance(st, true, &v);
    put(out, row, ok, v);
}

/* STDDEV_POP = sqrt(VAR_POP). */
static void stddev_pop_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    double v = 0;
    bool ok = variance(st, false, &v);
    put(out, row, ok, sqrt(v));
}

/* STDDEV_SAMP = sqrt(VAR_SAMP). */
static void stddev_samp_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    double v = 0;
    bool ok = variance(st, true, &v);
    put(out, row, ok, sqrt(v));
}

/* Counts a value and whether it is TRUE. */
static void bool_step(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    bool_state_t *s = st;
    s->n++;
    s->ntrue += arg->v.i[row] != 0;
}

/* Uncounts a value. */
static void bool_inverse(const sl_agg_ctx_t *c, void *st, const sl_vec_t *arg, size_t row)
{
    bool_state_t *s = st;
    s->n--;
    s->ntrue -= arg->v.i[row] != 0;
}

/* Adds another partial state. */
static void bool_merge(const sl_agg_ctx_t *c, void *st, const void *other)
{
    bool_state_t *s = st;
    const bool_state_t *o = other;
    s->n += o->n;
    s->ntrue += o->ntrue;
}

/* ANY: some value TRUE; NULL over no values. */
static void any_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    const bool_state_t *s = st;
    out->null[row] = s->n == 0;
    out->v.i[row] = s->ntrue > 0;
}

/* EVERY: all values TRUE; NULL over no values. */
static void every_final(const sl_agg_ctx_t *c, const void *st, sl_vec_t *out, size_t row)
{
    const bool_state_t *s = st;
    out->null[row] = s->n == 0;
    out->v.i[row] = s->ntrue == s->n;
}

/* The registry's operations (fnlist.h). */
const sl_agg_ops_t sl_agg_var_pop = {sizeof(var_state_t), zero_init,     var_step, var_inverse,
                                     var_merge,           var_pop_final, NULL, NULL};
const sl_agg_ops_t sl_agg_var_samp = {sizeof(var_state_t), zero_init,      var_step, var_inverse,
                                      var_merge,           var_samp_final, NULL, NULL};
const sl_agg_ops_t sl_agg_stddev_pop = {
    sizeof(var_state_t), zero_init, var_step, var_inverse, var_merge, stddev_pop_final, NULL, NULL};
const sl_agg_ops_t sl_agg_stddev_samp = {
    sizeof(var_state_t), zero_init, var_step, var_inverse, var_merge, stddev_samp_final, NULL, NULL};
const sl_agg_ops_t sl_agg_any = {sizeof(bool_state_t), zero_init, bool_step, bool_inverse,
                                 bool_merge,           any_final, NULL, NULL};
const sl_agg_ops_t sl_agg_every = {sizeof(bool_state_t), zero_init,   bool_step, bool_inverse,
                                   bool_merge,           every_final, NULL, NULL};
