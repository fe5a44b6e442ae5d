/*
 * timefn.c - FLOOR, CEIL and STEP: the scalar functions tumbling windows are keyed by.
 */
#include "registry.h"

#include <math.h>

/* FLOOR(ts TO unit); see registry.h. */
int64_t sl_fn_floor_ts(int64_t ms, int unit)
{
    int64_t w;
    switch (unit) {
    case SL_FN_UNIT_SECOND: w = 1000; break;
    case SL_FN_UNIT_MINUTE: w = 60000; break;
    case SL_FN_UNIT_HOUR: w = 3600000; break;
    case SL_FN_UNIT_DAY: w = 86400000; break;
    case SL_FN_UNIT_MONTH:
    case SL_FN_UNIT_YEAR: {
        int64_t days = sl_fn_step(ms, 86400000) / 86400000, y;
        unsigned m, d;
        sl_civil_from_days(days, &y, &m, &d);
        return sl_days_from_civil(y, unit == SL_FN_UNIT_YEAR ? 1 : m, 1) * 86400000;
    }
    default: return ms;
    }
    return sl_fn_step(ms, w);
}

/* The end of the period holding ms; see registry.h. */
int64_t sl_fn_next_ts(int64_t ms, int unit)
{
    int64_t f = sl_fn_floor_ts(ms, unit);
    switch (unit) {
    case SL_FN_UNIT_SECOND: return f + 1000;
    case SL_FN_UNIT_MINUTE: return f + 60000;
    case SL_FN_UNIT_HOUR: return f + 3600000;
    case SL_FN_UNIT_DAY: return f + 86400000;
    case SL_FN_UNIT_MONTH:
    case SL_FN_UNIT_YEAR: {
        int64_t y;
        unsigned m, d;
        sl_civil_from_days(f / 86400000, &y, &m, &d);
        if (unit == SL_FN_UNIT_YEAR) return sl_days_from_civil(y + 1, 1, 1) * 86400000;
        return (m == 12 ? sl_days_from_civil(y + 1, 1, 1) : sl_days_from_civil(y, m + 1, 1)) *
               86400000;
    }
    default: return ms + 1;
    }
}

/* CEIL(ts TO unit); see registry.h. */
int64_t sl_fn_ceil_ts(int64_t ms, int unit)
{
    int64_t f = sl_fn_floor_ts(ms, unit);
    return f == ms ? ms : sl_fn_next_ts(ms, unit);
}

/* Shared body of FLOOR and CEIL over one vector. */
static void floor_ceil(sl_fn_ctx_t *ctx, const sl_vec_t *a, sl_vec_t *out, size_t n, bool ceil_)
{
    int unit = ctx->call ? ctx->call->unit : 0;
    for (size_t i = 0; i < n; i++) out->null[i] = a->null[i];
    if (sl_type_phys(a->type) == SL_PHYS_F64) {
        for (size_t i = 0; i < n; i++) out->v.f[i] = ceil_ ? ceil(a->v.f[i]) : floor(a->v.f[i]);
        return;
    }
    if (unit) {
        if (a->type.id == SL_T_DATE) {
            for (size_t i = 0; i < n; i++) {
                int64_t ms = a->v.i[i] * 86400000;
                ms = ceil_ ? sl_fn_ceil_ts(ms, unit) : sl_fn_floor_ts(ms, unit);
                out->v.i[i] = sl_fn_step(ms, 86400000) / 86400000;
            }
        } else {
            for (size_t i = 0; i < n; i++)
                out->v.i[i] = ceil_ ? sl_fn_ceil_ts(a->v.i[i], unit) : sl_fn_floor_ts(a->v.i[i], unit);
        }
        return;
    }
    if (a->type.id == SL_T_DECIMAL && a->type.scale > 0) {
        int64_t p = sl_pow10(a->type.scale);
        for (size_t i = 0; i < n; i++) {
            int64_t q = sl_fn_step(a->v.i[i], p) / p;
            if (ceil_ && q * p != a->v.i[i]) q++;
            out->v.i[i] = q;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) out->v.i[i] = a->v.i[i];
}

/* FLOOR(x) and FLOOR(x TO unit). */
void sl_kernel_floor(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    floor_ceil(ctx, &args[0], out, n, false);
}

/* CEIL(x) and CEIL(x TO unit). */
void sl_kernel_ceil(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    floor_ceil(ctx, &args[0], out, n, true);
}

/* STEP(x BY width): a width <= 0 is a row error. */
void sl_kernel_step(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    const sl_vec_t *a = &args[0], *w = &args[1];
    for (size_t i = 0; i < n; i++) {
        out->null[i] = a->null[i] | w->null[i];
        if (out->null[i]) continue;
        if (w->v.i[i] <= 0) {
            ctx->err[i] = 1;
            if (!ctx->err_msg) ctx->err_msg = "STEP width must be positive";
            out->null[i] = 1;
            continue;
        }
        out->v.i[i] = sl_fn_step(a->v.i[i], w->v.i[i]);
    }
}
