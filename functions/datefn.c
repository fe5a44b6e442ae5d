/*
 * datefn.c - the date/time functions of KDA: CURRENT_DATE, CURRENT_TIME,
 * CURRENT_TIMESTAMP, LOCALTIME, LOCALTIMESTAMP, CURRENT_ROW_TIMESTAMP, EXTRACT, TSDIFF,
 * TO_TIMESTAMP, UNIX_TIMESTAMP, CHAR_TO_TIMESTAMP / _DATE / _TIME and TIMESTAMP_ / DATE_ /
 * TIME_TO_CHAR.
 *
 * Everything is UTC, so the LOCAL* forms equal the CURRENT_* ones. CURRENT_* are fixed
 * when the query starts (ctx->now_ms); CURRENT_ROW_TIMESTAMP is the clock when the row is
 * computed (ctx->now_row_ms). Format strings are Java SimpleDateFormat (datefmt.c). A
 * string that does not match its format is a row error (KDA emits no row for it).
 */
#include "fnint.h"

#include <stdio.h>
#include <string.h>

/* ---- type rules ----------------------------------------------------------------------- */

/* Writes "<fn> expects <what>, got <type>" and returns false. */
static bool type_err(char *err, size_t errlen, const char *fn, const char *what, sl_type_t t)
{
    char nm[48];
    sl_type_format(t, nm, sizeof nm);
    snprintf(err, errlen, "%s expects %s, got %s", fn, what, nm);
    return false;
}

/* CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_ROW_TIMESTAMP: TIMESTAMP NOT NULL. */
bool sl_rule_now_timestamp(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                           size_t errlen)
{
    *result = sl_type_make(SL_T_TIMESTAMP);
    result->not_null = 1;
    return true;
}

/* CURRENT_DATE: DATE NOT NULL. */
bool sl_rule_now_date(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    *result = sl_type_make(SL_T_DATE);
    result->not_null = 1;
    return true;
}

/* CURRENT_TIME, LOCALTIME: TIME NOT NULL. */
bool sl_rule_now_time(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    *result = sl_type_make(SL_T_TIME);
    result->not_null = 1;
    return true;
}

/* EXTRACT(unit FROM x): BIGINT; SECOND gives DECIMAL(5,3) (seconds with milliseconds). */
bool sl_rule_extract(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    sl_type_t t = call->args[0];
    int u = call->unit;
    if (!sl_type_is_datetime(t) && !sl_type_is_interval(t) && t.id != SL_T_NULL)
        return type_err(err, errlen, "EXTRACT", "a datetime or an interval", t);
    bool ym = u == SL_FN_UNIT_YEAR || u == SL_FN_UNIT_MONTH;
    if ((t.id == SL_T_DATE && !ym && u != SL_FN_UNIT_DAY) ||
        (t.id == SL_T_TIME && (ym || u == SL_FN_UNIT_DAY)) || (t.id == SL_T_INTERVAL_YM && !ym) ||
        (t.id == SL_T_INTERVAL_DS && ym)) {
        char nm[48];
        sl_type_format(t, nm, sizeof nm);
        snprintf(err, errlen, "EXTRACT: a %s has no such field", nm);
        return false;
    }
    if (u == SL_FN_UNIT_SECOND) {
        *result = sl_type_make(SL_T_DECIMAL);
        result->prec = 5;
        result->scale = 3;
    } else {
        *result = sl_type_make(SL_T_BIGINT);
    }
    result->not_null = t.not_null;
    return true;
}

/* TSDIFF(start, end): BIGINT ms; TIMESTAMP or BIGINT epoch-ms arguments. */
bool sl_rule_tsdiff(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)
{
    for (int k = 0; k < 2; k++) {
        sl_type_t t = call->args[k];
        if (t.id != SL_T_TIMESTAMP && !sl_type_is_integer(t) && t.id != SL_T_NULL)
            return type_err(err, errlen, "TSDIFF", "TIMESTAMP or BIGINT epoch milliseconds", t);
    }
    *result = sl_type_make(SL_T_BIGINT);
    return true;
}

/* TO_TIMESTAMP(bigint ms): TIMESTAMP. */
bool sl_rule_to_timestamp(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen)
{
    sl_type_t t = call->args[0];
    if (!sl_type_is_integer(t) && t.id != SL_T_NULL)
        return type_err(err, errlen, "TO_TIMESTAMP", "BIGINT epoch milliseconds", t);
    *result = sl_type_make(SL_T_TIMESTAMP);
    return true;
}

/* UNIX_TIMESTAMP(ts): BIGINT. */
bool sl_rule_unix_timestamp(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                            size_t errlen)
{
    sl_type_t t = call->args[0];
    if (t.id != SL_T_TIMESTAMP && t.id != SL_T_NULL)
        return type_err(err, errlen, "UNIX_TIMESTAMP", "a TIMESTAMP", t);
    *result = sl_type_make(SL_T_BIGINT);
    return true;
}

/* A format given as a constant (the first argument) is checked when the query is planned.
 * True when it is not a constant string or is a valid format; else false with err set. */
static bool const_format_ok(const sl_fn_call_info_t *call, char *err, size_t errlen)
{
    return !(call->consts && call->consts[0].is_const && call->consts[0].is_str) ||
           sl_datefmt_check(call->consts[0].s, call->consts[0].slen, err, errlen);
}

/* CHAR_TO_TIMESTAMP / _DATE / _TIME (format, text): both strings. */
static bool rule_char_to(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen,
                         const char *fn, sl_tid_t id)
{
    for (int k = 0; k < 2; k++)
        if (!sl_type_is_string(call->args[k]) && call->args[k].id != SL_T_NULL)
            return type_err(err, errlen, fn, "character strings", call->args[k]);
    if (!const_format_ok(call, err, errlen)) return false;
    *result = sl_type_make(id);
    return true;
}

/* CHAR_TO_TIMESTAMP(format, text): TIMESTAMP. */
bool sl_rule_char_to_timestamp(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                               size_t errlen)
{
    return rule_char_to(call, result, err, errlen, "CHAR_TO_TIMESTAMP", SL_T_TIMESTAMP);
}

/* CHAR_TO_DATE(format, text): DATE. */
bool sl_rule_char_to_date(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen)
{
    return rule_char_to(call, result, err, errlen, "CHAR_TO_DATE", SL_T_DATE);
}

/* CHAR_TO_TIME(format, text): TIME. */
bool sl_rule_char_to_time(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen)
{
    return rule_char_to(call, result, err, errlen, "CHAR_TO_TIME", SL_T_TIME);
}

/* TIMESTAMP_TO_CHAR / DATE_TO_CHAR / TIME_TO_CHAR (format, value): VARCHAR, never NULL
 * for a NULL value (KDA writes "null"). */
static bool rule_to_char(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen,
                         const char *fn, sl_tid_t id)
{
    if (!sl_type_is_string(call->args[0]) && call->args[0].id != SL_T_NULL)
        return type_err(err, errlen, fn, "a character string format", call->args[0]);
    if (call->args[1].id != id && call->args[1].id != SL_T_NULL)
        return type_err(err, errlen, fn, sl_tid_name(id), call->args[1]);
    if (!const_format_ok(call, err, errlen)) return false;
    *result = sl_type_make(SL_T_VARCHAR);
    result->len = 256;
    return true;
}

/* TIMESTAMP_TO_CHAR(format, ts): VARCHAR(256). */
bool sl_rule_timestamp_to_char(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                               size_t errlen)
{
    return rule_to_char(call, result, err, errlen, "TIMESTAMP_TO_CHAR", SL_T_TIMESTAMP);
}

/* DATE_TO_CHAR(format, date): VARCHAR(256). */
bool sl_rule_date_to_char(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen)
{
    return rule_to_char(call, result, err, errlen, "DATE_TO_CHAR", SL_T_DATE);
}

/* TIME_TO_CHAR(format, time): VARCHAR(256). */
bool sl_rule_time_to_char(const sl_fn_call_info_t *call, sl_type_t *result, char *err,
                          size_t errlen)
{
    return rule_to_char(call, result, err, errlen, "TIME_TO_CHAR", SL_T_TIME);
}

/* ---- kernels -------------------------------------------------------------------------- */

/* Sets out->null[i] from the arguments; true when the row is NULL. */
static inline bool any_null(const sl_vec_t *args, int nargs, sl_vec_t *out, size_t i)
{
    uint8_t z = 0;
    for (int k = 0; k < nargs; k++) z |= args[k].null[i];
    out->null[i] = z ? 1 : 0;
    return z != 0;
}

/* Fills a vector with one value. */
static void fill(sl_vec_t *out, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++) {
        out->null[i] = 0;
        out->v.i[i] = v;
    }
}

/* CURRENT_TIMESTAMP, LOCALTIMESTAMP: the query start, every row. */
void sl_kernel_current_timestamp(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                                 size_t n)
{
    fill(out, n, ctx->now_ms);
}

/* CURRENT_ROW_TIMESTAMP: the clock of this evaluation. */
void sl_kernel_current_row_timestamp(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs,
                                     sl_vec_t *out, size_t n)
{
    fill(out, n, ctx->now_row_ms);
}

/* CURRENT_DATE: the day of the query start (UTC). */
void sl_kernel_current_date(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                            size_t n)
{
    fill(out, n, sl_fn_step(ctx->now_ms, 86400000) / 86400000);
}

/* CURRENT_TIME, LOCALTIME: the time of day of the query start (UTC). */
void sl_kernel_current_time(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                            size_t n)
{
    fill(out, n, ctx->now_ms - sl_fn_step(ctx->now_ms, 86400000));
}

/*
 * EXTRACT(unit FROM x). Datetimes give their calendar field (UTC); day-time intervals give
 * the field of their normalized form (DAY = whole days, HOUR = 0..23 ..., with the
 * interval's sign); year-month intervals YEAR = months / 12, MONTH = months % 12.
 */
void sl_kernel_extract(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    const sl_vec_t *a = &args[0];
    int u = ctx->call ? ctx->call->unit : 0;
    sl_tid_t id = (sl_tid_t)a->type.id;
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 1, out, i)) continue;
        int64_t v = a->v.i[i], r = 0;
        if (id == SL_T_INTERVAL_YM) {
            r = u == SL_FN_UNIT_YEAR ? v / 12 : v % 12;
        } else if (id == SL_T_INTERVAL_DS) {
            int64_t av = v < 0 ? -v : v, sign = v < 0 ? -1 : 1;
            switch (u) {
            case SL_FN_UNIT_DAY:
                r = av / 86400000;
                break;
            case SL_FN_UNIT_HOUR:
                r = av / 3600000 % 24;
                break;
            case SL_FN_UNIT_MINUTE:
                r = av / 60000 % 60;
                break;
            default:
                r = av % 60000;
                break; /* SECOND, as DECIMAL(5,3): ms */
            }
            r *= sign;
        } else {
            int64_t ms = id == SL_T_DATE ? v * 86400000 : v;
            int64_t day = sl_fn_step(ms, 86400000), tod = ms - day, y;
            unsigned m, d;
            sl_civil_from_days(day / 86400000, &y, &m, &d);
            switch (u) {
            case SL_FN_UNIT_YEAR:
                r = y;
                break;
            case SL_FN_UNIT_MONTH:
                r = m;
                break;
            case SL_FN_UNIT_DAY:
                r = d;
                break;
            case SL_FN_UNIT_HOUR:
                r = tod / 3600000;
                break;
            case SL_FN_UNIT_MINUTE:
                r = tod / 60000 % 60;
                break;
            default:
                r = tod % 60000;
                break;
            }
        }
        out->v.i[i] = r;
    }
}

/* TSDIFF(start, end) = end - start in ms. */
void sl_kernel_tsdiff(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 2, out, i)) continue;
        if (__builtin_sub_overflow(args[1].v.i[i], args[0].v.i[i], &out->v.i[i]))
            sl_fn_row_error(ctx, out, i, "TSDIFF: numeric overflow");
    }
}

/* TO_TIMESTAMP(ms) and UNIX_TIMESTAMP(ts): the same epoch milliseconds, retyped. */
void sl_kernel_epoch_ms(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out->null[i] = args[0].null[i] ? 1 : 0;
        out->v.i[i] = args[0].v.i[i];
    }
}

/* Shared body of CHAR_TO_TIMESTAMP / _DATE / _TIME. */
static void char_to(sl_fn_ctx_t *ctx, const sl_vec_t *args, sl_vec_t *out, size_t n,
                    const char *msg)
{
    for (size_t i = 0; i < n; i++) {
        if (any_null(args, 2, out, i)) continue;
        sl_str_t f = args[0].v.s[i], s = args[1].v.s[i];
        int64_t ms;
        if (!sl_datefmt_parse(f.p, f.len, s.p, s.len, &ms)) {
            sl_fn_row_error(ctx, out, i, msg);
            continue;
        }
        if (out->type.id == SL_T_DATE)
            ms = sl_fn_step(ms, 86400000) / 86400000;
        else if (out->type.id == SL_T_TIME)
            ms -= sl_fn_step(ms, 86400000);
        out->v.i[i] = ms;
    }
}

/* CHAR_TO_TIMESTAMP(format, text). */
void sl_kernel_char_to_timestamp(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                                 size_t n)
{
    char_to(ctx, args, out, n, "CHAR_TO_TIMESTAMP: the string does not match the format");
}

/* CHAR_TO_DATE(format, text): the day of the parsed time. */
void sl_kernel_char_to_date(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                            size_t n)
{
    char_to(ctx, args, out, n, "CHAR_TO_DATE: the string does not match the format");
}

/* CHAR_TO_TIME(format, text): the time of day of the parsed time. */
void sl_kernel_char_to_time(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                            size_t n)
{
    char_to(ctx, args, out, n, "CHAR_TO_TIME: the string does not match the format");
}

/*
 * TIMESTAMP_TO_CHAR / DATE_TO_CHAR / TIME_TO_CHAR (format, value). A NULL value gives the
 * string "null" (KDA's behaviour); a NULL format gives NULL.
 */
void sl_kernel_to_char(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
{
    const sl_vec_t *f = &args[0], *v = &args[1];
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        if (f->null[i]) {
            out->null[i] = 1;
            continue;
        }
        out->null[i] = 0;
        if (v->null[i]) {
            out->v.s[i] = (sl_str_t){"null", 4};
            continue;
        }
        if (!sl_datefmt_check(f->v.s[i].p, f->v.s[i].len, buf, sizeof buf)) {
            sl_fn_row_error(ctx, out, i, "TIMESTAMP_TO_CHAR: unsupported format letter");
            continue;
        }
        int64_t ms = v->v.i[i];
        if (v->type.id == SL_T_DATE) ms *= 86400000;
        size_t len = sl_datefmt_format(f->v.s[i].p, f->v.s[i].len, ms, buf, sizeof buf);
        if (out->type.len > 0 && len > (size_t)out->type.len) len = (size_t)out->type.len;
        out->v.s[i] = sl_fn_str_dup(ctx->arena, buf, len);
    }
}
