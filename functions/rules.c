/*
 * rules.c - type rules shared by registry entries; see registry.h.
 */
#include "registry.h"

#include <stdio.h>

/* Writes "expects a numeric argument, got T" style messages. */
static bool type_err(char *err, size_t errlen, const char *what, sl_type_t got)
{
    char name[48];
    sl_type_format(got, name, sizeof name);
    snprintf(err, errlen, "%s, got %s", what, name);
    return false;
}

/* Result = first argument's type. */
bool sl_rule_same_as_arg0(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen)
{
    *result = call->nargs ? call->args[0] : sl_type_make(SL_T_NULL);
    result->not_null = 0;
    return true;
}

/* COUNT: BIGINT, never NULL. */
bool sl_rule_bigint(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (call->nargs == 0 && !call->count_star) {
        snprintf(err, errlen, "COUNT needs an argument or *");
        return false;
    }
    *result = sl_type_make(SL_T_BIGINT);
    result->not_null = 1;
    return true;
}

/* Numeric in, DOUBLE out. */
bool sl_rule_numeric_to_double(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                               size_t errlen)
{
    if (!sl_type_is_numeric(call->args[0]) && call->args[0].id != SL_T_NULL)
        return type_err(err, errlen, "expects a numeric argument", call->args[0]);
    *result = sl_type_make(SL_T_DOUBLE);
    return true;
}

/* SUM; see registry.h. */
bool sl_rule_sum(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    sl_type_t a = call->args[0];
    if (sl_type_is_integer(a) || a.id == SL_T_NULL) {
        *result = sl_type_make(SL_T_BIGINT);
    } else if (a.id == SL_T_DECIMAL) {
        *result = a;
        result->prec = SL_DECIMAL_MAX_PREC;
    } else if (a.id == SL_T_REAL || a.id == SL_T_DOUBLE) {
        *result = sl_type_make((sl_tid_t)a.id);
    } else if (a.id == SL_T_INTERVAL_DS) {
        *result = a;
    } else {
        return type_err(err, errlen, "SUM expects a numeric argument", a);
    }
    result->not_null = 0;
    return true;
}

/* AVG; see registry.h. */
bool sl_rule_avg(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    sl_type_t a = call->args[0];
    if (sl_type_is_exact(a)) {
        *result = a;
    } else if (a.id == SL_T_REAL || a.id == SL_T_DOUBLE || a.id == SL_T_NULL) {
        *result = sl_type_make(a.id == SL_T_REAL ? SL_T_REAL : SL_T_DOUBLE);
    } else {
        return type_err(err, errlen, "AVG expects a numeric argument", a);
    }
    result->not_null = 0;
    return true;
}

/* MIN/MAX; see registry.h. */
bool sl_rule_minmax(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                    size_t errlen)
{
    sl_type_t a = call->args[0];
    if (a.id == SL_T_BOOLEAN || sl_type_is_interval(a) || sl_type_is_numeric(a) ||
        sl_type_is_string(a) || sl_type_is_datetime(a) || sl_type_is_binary(a) ||
        a.id == SL_T_NULL) {
        *result = a;
        result->not_null = 0;
        return true;
    }
    return type_err(err, errlen, "MIN/MAX expects a comparable argument", a);
}

/* FLOOR/CEIL; see registry.h. */
bool sl_rule_floor_ceil(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                        size_t errlen)
{
    sl_type_t a = call->args[0];
    if (call->unit) {
        if (a.id != SL_T_TIMESTAMP && a.id != SL_T_DATE && a.id != SL_T_TIME)
            return type_err(err, errlen, "FLOOR/CEIL ... TO expects a datetime", a);
        *result = a;
        return true;
    }
    if (!sl_type_is_numeric(a) && a.id != SL_T_NULL)
        return type_err(err, errlen, "FLOOR/CEIL expects a numeric argument", a);
    *result = a;
    if (a.id == SL_T_DECIMAL) result->scale = 0;
    return true;
}

/* STEP; see registry.h. */
bool sl_rule_step(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    sl_type_t a = call->args[0], w = call->args[1];
    if (a.id == SL_T_TIMESTAMP && w.id == SL_T_INTERVAL_DS) {
        *result = a;
        return true;
    }
    if (sl_type_is_integer(a) && sl_type_is_integer(w)) {
        *result = a;
        return true;
    }
    char an[48], wn[48];
    sl_type_format(a, an, sizeof an);
    sl_type_format(w, wn, sizeof wn);
    snprintf(err, errlen,
             "STEP expects (TIMESTAMP BY day-time INTERVAL) or (integer BY integer), got (%s BY %s)",
             an, wn);
    return false;
}

/*
 * The frame functions (LAG, FIRST_VALUE, LAST_VALUE, NTH_VALUE) read a value of another row
 * of a sliding window's frame, so their result has the type of that value and is NULL when
 * the row is missing. Their constant arguments (LAG's offset, NTH_VALUE's n) are checked
 * by the planner, which must see the literal; here only their types.
 */

/* FIRST_VALUE(x), LAST_VALUE(x): x's type, nullable. */
bool sl_rule_frame_value(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                         size_t errlen)
{
    if (call->flags & (SL_FN_FROM_FIRST | SL_FN_FROM_LAST)) {
        snprintf(err, errlen, "FROM FIRST / FROM LAST is only allowed with NTH_VALUE");
        return false;
    }
    return sl_rule_same_as_arg0(call, result, err, errlen);
}

/* LAG(x [, n [, default]]): x's type, nullable; n an integer; default of a type x's
 * values can take (the result is then their common type). */
bool sl_rule_lag(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (!sl_rule_frame_value(call, result, err, errlen)) return false;
    if (call->nargs >= 2 && !sl_type_is_integer(call->args[1]) && call->args[1].id != SL_T_NULL) {
        snprintf(err, errlen, "the offset must be an integer");
        return false;
    }
    if (call->nargs == 3 && !sl_type_common(call->args[0], call->args[2], result)) {
        snprintf(err, errlen, "the default must have the type of the value");
        return false;
    }
    result->not_null = 0;
    return true;
}

/* NTH_VALUE(x, n) [FROM FIRST | FROM LAST]: x's type, nullable; n an integer. */
bool sl_rule_nth_value(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                       size_t errlen)
{
    if (!sl_type_is_integer(call->args[1])) {
        snprintf(err, errlen, "n must be an integer");
        return false;
    }
    return sl_rule_same_as_arg0(call, result, err, errlen);
}

/* EXP_AVG(x, half_life): x numeric, half_life a day-time INTERVAL (the planner checks it is
 * a positive literal); DOUBLE, NULL when the frame holds no non-NULL x. */
bool sl_rule_exp_avg(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    if (call->flags & (SL_FN_IGNORE_NULLS | SL_FN_RESPECT_NULLS | SL_FN_FROM_FIRST | SL_FN_FROM_LAST)) {
        snprintf(err, errlen, "IGNORE NULLS / RESPECT NULLS / FROM FIRST / FROM LAST do not apply");
        return false;
    }
    if (!sl_type_is_numeric(call->args[0]) && call->args[0].id != SL_T_NULL) {
        snprintf(err, errlen, "the value must be numeric");
        return false;
    }
    if (call->args[1].id != SL_T_INTERVAL_DS) {
        snprintf(err, errlen, "the half-life must be a day-time INTERVAL");
        return false;
    }
    *result = sl_type_make(SL_T_DOUBLE);
    return true;
}
