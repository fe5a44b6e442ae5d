/*
 * numfn.c - the numeric functions of KDA: ABS, MOD, POWER, EXP, LN, LOG10 (FLOOR, CEIL
 * and STEP are in timefn.c).
 *
 * Any NULL argument gives NULL. Arguments outside a function's domain (LN of 0, MOD by 0,
 * POWER with a NaN or infinite result) are row errors: the row goes to error_stream, as a
 * division by zero does.
 */
#include "fnint.h"

#include <math.h>
#include <stdio.h>

/* "expects a numeric argument" unless argument k is numeric (or NULL). */
static bool want_num(const sl_fn_call_info_t *call, int k, const char *fn, char *err, size_t errlen)
{
    sl_type_t t = call->args[k];
    if (sl_type_is_numeric(t) || t.id == SL_T_NULL) return true;
    char nm[48];
    sl_type_format(t, nm, sizeof nm);
    snprintf(err, errlen, "%s expects a numeric argument, got %s", fn, nm);
    return false;
}

/* ABS(x): x's type. */
bool sl_rule_abs(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!want_num(call, 0, "ABS", err, errlen)) return false;
    *result = call->args[0].id == SL_T_NULL ? sl_type_make(SL_T_INTEGER) : call->args[0];
    return true;
}

/* MOD(m, n): exact numerics of scale 0; the result has n's type (KDA/Calcite). */
bool sl_rule_mod(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    for (int k = 0; k < 2; k++) {
        sl_type_t t = call->args[k];
        if (t.id != SL_T_NULL && !(sl_type_is_exact(t) && sl_type_scale(t) == 0)) {
            char nm[48];
            sl_type_format(t, nm, sizeof nm);
            snprintf(err, errlen, "MOD expects exact numerics of scale 0, got %s", nm);
            return false;
        }
    }
    *result = call->args[1].id == SL_T_NULL ? sl_type_make(SL_T_INTEGER) : call->args[1];
    result->not_null = 0;
    return true;
}

/* POWER/EXP/LN/LOG10: numeric arguments, DOUBLE result. */
bool sl_rule_math(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    for (int k = 0; k < call->nargs; k++)
        if (!want_num(call, k, "the function", err, errlen)) return false;
    *result = sl_type_make(SL_T_DOUBLE);
    return true;
}

/* Row i of a numeric vector as a double. */
static inline double dval(const sl_vec_t *v, size_t i)
{
    if (sl_type_phys(v->type) == SL_PHYS_F64) return v->v.f[i];
    double d = (double)v->v.i[i];
    if (v->type.id == SL_T_DECIMAL && v->type.scale) d /= (double)sl_pow10(v->type.scale);
    return d;
}

/* Sets out->null[i] from the arguments; true when the row is NULL. */
static inline bool any_null(const sl_vec_t *args, int nargs, sl_vec_t *out, size_t i)
{
    uint8_t z = 0;
    for (int k = 0; k < nargs; k++) z |= args[k].null[i];
    out->null[i] = z ? 1 : 0;
    return z != 0;
}

/* ABS: INT64_MIN (BIGINT) has no absolute value: a row error. */
void sl_kernel_abs(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    const sl_vec_t *a = &args[0];
    bool f = sl_type_phys(a->type) == SL_PHYS_F64;
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 1, out, i)) continue;
        if (f) {
            out->v.f[i] = fabs(a->v.f[i]);
        } else if (a->v.i[i] == INT64_MIN) {
            sl_fn_row_error(ctx, out, i, "ABS: numeric overflow");
        } else {
            int64_t v = a->v.i[i] < 0 ? -a->v.i[i] : a->v.i[i];
            /* ABS(-128) of a TINYINT and the like do not fit the type. */
            if ((a->type.id == SL_T_TINYINT && v > 127) ||
                (a->type.id == SL_T_SMALLINT && v > 32767) ||
                (a->type.id == SL_T_INTEGER && v > INT32_MAX))
                sl_fn_row_error(ctx, out, i, "ABS: numeric overflow");
            else
                out->v.i[i] = v;
        }
    }
}

/* MOD(m, n): the remainder with m's sign (m - n * trunc(m / n)); n = 0 is a row error. */
void sl_kernel_mod(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 2, out, i)) continue;
        int64_t m = args[0].v.i[i], d = args[1].v.i[i];
        if (d == 0) {
            sl_fn_row_error(ctx, out, i, "MOD: division by zero");
            continue;
        }
        out->v.i[i] = d == -1 ? 0 : m % d;
    }
}

/* Stores a DOUBLE result; NaN or infinity (out of the function's domain) is a row error. */
static inline void put_double(sl_fn_ctx_t *ctx, sl_vec_t *out, size_t i, double r, const char *msg)
{
    if (isnan(r) || isinf(r))
        sl_fn_row_error(ctx, out, i, msg);
    else
        out->v.f[i] = r;
}

/* POWER(x, y) = x^y. */
void sl_kernel_power(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 2, out, i)) continue;
        put_double(ctx, out, i, pow(dval(&args[0], i), dval(&args[1], i)),
                   "POWER: the result is not a finite number");
    }
}

/* EXP(x) = e^x. */
void sl_kernel_exp(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 1, out, i)) continue;
        put_double(ctx, out, i, exp(dval(&args[0], i)), "EXP: the result is not a finite number");
    }
}

/* LN(x), x > 0. */
void sl_kernel_ln(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 1, out, i)) continue;
        double x = dval(&args[0], i);
        if (!(x > 0))
            sl_fn_row_error(ctx, out, i, "LN: the argument must be positive");
        else
            out->v.f[i] = log(x);
    }
}

/* LOG10(x), x > 0. */
void sl_kernel_log10(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 1, out, i)) continue;
        double x = dval(&args[0], i);
        if (!(x > 0))
            sl_fn_row_error(ctx, out, i, "LOG10: the argument must be positive");
        else
            out->v.f[i] = log10(x);
    }
}
