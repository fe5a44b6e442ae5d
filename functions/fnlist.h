/*
 * fnlist.h - the table of built-in functions (see registry.h for the row format).
 *
 * Rows: X(NAME, kind, min_args, max_args, type_rule, kernel, agg). Keep the rows of one
 * area together, with the extern declarations of that area's kernels and ops just above
 * them. Included by registry.h only.
 */
#ifndef SL_FNLIST_H
#define SL_FNLIST_H

/* ---- aggregates (functions/agg.c) ---- */
extern const sl_agg_ops_t sl_agg_count, sl_agg_sum, sl_agg_avg, sl_agg_min, sl_agg_max;
/* ---- window helpers (functions/timefn.c) ---- */
void sl_kernel_floor(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                     size_t n);
void sl_kernel_ceil(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                    size_t n);
void sl_kernel_step(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out,
                    size_t n);

/* Declares a kernel (all kernels share sl_fn_kernel_fn's signature). */
#define SL_KERNEL(name) \
    void name(sl_fn_ctx_t *ctx, const sl_vec_t *args, int nargs, sl_vec_t *out, size_t n)
/* Declares a type rule. */
#define SL_RULE(name) \
    bool name(const sl_fn_call_info_t *call, sl_type_t *result, char *err, size_t errlen)

/* ---- strings (functions/strfn.c) ---- */
SL_RULE(sl_rule_char_length); SL_RULE(sl_rule_case); SL_RULE(sl_rule_substring);
SL_RULE(sl_rule_position); SL_RULE(sl_rule_trim); SL_RULE(sl_rule_overlay);
SL_KERNEL(sl_kernel_char_length); SL_KERNEL(sl_kernel_upper); SL_KERNEL(sl_kernel_lower);
SL_KERNEL(sl_kernel_initcap); SL_KERNEL(sl_kernel_substring); SL_KERNEL(sl_kernel_position);
SL_KERNEL(sl_kernel_trim); SL_KERNEL(sl_kernel_overlay);
SL_RULE(sl_rule_regex_replace); SL_KERNEL(sl_kernel_regex_replace);
/* ---- numbers (functions/numfn.c) ---- */
SL_RULE(sl_rule_abs); SL_RULE(sl_rule_mod); SL_RULE(sl_rule_math);
SL_KERNEL(sl_kernel_abs); SL_KERNEL(sl_kernel_mod); SL_KERNEL(sl_kernel_power);
SL_KERNEL(sl_kernel_exp); SL_KERNEL(sl_kernel_ln); SL_KERNEL(sl_kernel_log10);
/* ---- dates and times (functions/datefn.c) ---- */
SL_RULE(sl_rule_now_timestamp); SL_RULE(sl_rule_now_date); SL_RULE(sl_rule_now_time);
SL_RULE(sl_rule_extract); SL_RULE(sl_rule_tsdiff); SL_RULE(sl_rule_to_timestamp);
SL_RULE(sl_rule_unix_timestamp); SL_RULE(sl_rule_char_to_timestamp);
SL_RULE(sl_rule_char_to_date); SL_RULE(sl_rule_char_to_time);
SL_RULE(sl_rule_timestamp_to_char); SL_RULE(sl_rule_date_to_char);
SL_RULE(sl_rule_time_to_char);
SL_KERNEL(sl_kernel_current_timestamp); SL_KERNEL(sl_kernel_current_row_timestamp);
SL_KERNEL(sl_kernel_current_date); SL_KERNEL(sl_kernel_current_time);
SL_KERNEL(sl_kernel_extract); SL_KERNEL(sl_kernel_tsdiff); SL_KERNEL(sl_kernel_epoch_ms);
SL_KERNEL(sl_kernel_char_to_timestamp); SL_KERNEL(sl_kernel_char_to_date);
SL_KERNEL(sl_kernel_char_to_time); SL_KERNEL(sl_kernel_to_char);
/* ---- statistical and boolean aggregates (functions/aggstat.c) ---- */
extern const sl_agg_ops_t sl_agg_var_pop, sl_agg_var_samp, sl_agg_stddev_pop, sl_agg_stddev_samp,
    sl_agg_any, sl_agg_every;
SL_RULE(sl_rule_variance); SL_RULE(sl_rule_any_every);
/* ---- frame functions of sliding windows (rules in functions/rules.c; the WINDOW operator
 * of runtime/engine/window.c reads the frame) ---- */
SL_RULE(sl_rule_frame_value); SL_RULE(sl_rule_lag); SL_RULE(sl_rule_nth_value);
SL_RULE(sl_rule_exp_avg);
/* ---- log parsers, row-valued (functions/logparse.c) ---- */
SL_RULE(sl_rule_w3c_log_parse); SL_RULE(sl_rule_sys_log_parse);
SL_RULE(sl_rule_regex_log_parse); SL_RULE(sl_rule_fixed_column_log_parse);
SL_RULE(sl_rule_variable_column_log_parse); SL_RULE(sl_rule_fast_regex_log_parse);
SL_KERNEL(sl_kernel_w3c_log_parse); SL_KERNEL(sl_kernel_sys_log_parse);
SL_KERNEL(sl_kernel_regex_log_parse); SL_KERNEL(sl_kernel_fixed_column_log_parse);
SL_KERNEL(sl_kernel_variable_column_log_parse); SL_KERNEL(sl_kernel_fast_regex_log_parse);

#define SL_FUNCTIONS(X)                                                                    \
    X(COUNT, SL_FN_AGGREGATE, 0, 1, sl_rule_bigint, NULL, &sl_agg_count)                   \
    X(SUM, SL_FN_AGGREGATE, 1, 1, sl_rule_sum, NULL, &sl_agg_sum)                          \
    X(AVG, SL_FN_AGGREGATE, 1, 1, sl_rule_avg, NULL, &sl_agg_avg)                          \
    X(MIN, SL_FN_AGGREGATE, 1, 1, sl_rule_minmax, NULL, &sl_agg_min)                       \
    X(MAX, SL_FN_AGGREGATE, 1, 1, sl_rule_minmax, NULL, &sl_agg_max)                       \
    X(VAR_POP, SL_FN_AGGREGATE, 1, 1, sl_rule_variance, NULL, &sl_agg_var_pop)             \
    X(VAR_SAMP, SL_FN_AGGREGATE, 1, 1, sl_rule_variance, NULL, &sl_agg_var_samp)           \
    X(STDDEV_POP, SL_FN_AGGREGATE, 1, 1, sl_rule_variance, NULL, &sl_agg_stddev_pop)       \
    X(STDDEV_SAMP, SL_FN_AGGREGATE, 1, 1, sl_rule_variance, NULL, &sl_agg_stddev_samp)     \
    X(ANY, SL_FN_AGGREGATE, 1, 1, sl_rule_any_every, NULL, &sl_agg_any)                    \
    X(EVERY, SL_FN_AGGREGATE, 1, 1, sl_rule_any_every, NULL, &sl_agg_every)                \
    X(LAG, SL_FN_ANALYTIC, 1, 3, sl_rule_lag, NULL, NULL)                                 \
    X(FIRST_VALUE, SL_FN_ANALYTIC, 1, 1, sl_rule_frame_value, NULL, NULL)                 \
    X(LAST_VALUE, SL_FN_ANALYTIC, 1, 1, sl_rule_frame_value, NULL, NULL)                  \
    X(NTH_VALUE, SL_FN_ANALYTIC, 2, 2, sl_rule_nth_value, NULL, NULL)                     \
    X(EXP_AVG, SL_FN_ANALYTIC, 2, 2, sl_rule_exp_avg, NULL, NULL)                         \
    X(FLOOR, SL_FN_SCALAR, 1, 1, sl_rule_floor_ceil, sl_kernel_floor, NULL)                \
    X(CEIL, SL_FN_SCALAR, 1, 1, sl_rule_floor_ceil, sl_kernel_ceil, NULL)                  \
    X(CEILING, SL_FN_SCALAR, 1, 1, sl_rule_floor_ceil, sl_kernel_ceil, NULL)               \
    X(STEP, SL_FN_SCALAR, 2, 2, sl_rule_step, sl_kernel_step, NULL)                      \
    X(CHAR_LENGTH, SL_FN_SCALAR, 1, 1, sl_rule_char_length, sl_kernel_char_length, NULL)   \
    X(CHARACTER_LENGTH, SL_FN_SCALAR, 1, 1, sl_rule_char_length, sl_kernel_char_length, NULL) \
    X(UPPER, SL_FN_SCALAR, 1, 1, sl_rule_case, sl_kernel_upper, NULL)                      \
    X(LOWER, SL_FN_SCALAR, 1, 1, sl_rule_case, sl_kernel_lower, NULL)                      \
    X(INITCAP, SL_FN_SCALAR, 1, 1, sl_rule_case, sl_kernel_initcap, NULL)                  \
    X(SUBSTRING, SL_FN_SCALAR, 2, 3, sl_rule_substring, sl_kernel_substring, NULL)         \
    X(POSITION, SL_FN_SCALAR, 2, 2, sl_rule_position, sl_kernel_position, NULL)            \
    X(TRIM, SL_FN_SCALAR, 1, 2, sl_rule_trim, sl_kernel_trim, NULL)                        \
    X(OVERLAY, SL_FN_SCALAR, 3, 4, sl_rule_overlay, sl_kernel_overlay, NULL)               \
    X(REGEX_REPLACE, SL_FN_SCALAR, 5, 5, sl_rule_regex_replace, sl_kernel_regex_replace, NULL) \
    X(ABS, SL_FN_SCALAR, 1, 1, sl_rule_abs, sl_kernel_abs, NULL)                           \
    X(MOD, SL_FN_SCALAR, 2, 2, sl_rule_mod, sl_kernel_mod, NULL)                           \
    X(POWER, SL_FN_SCALAR, 2, 2, sl_rule_math, sl_kernel_power, NULL)                      \
    X(EXP, SL_FN_SCALAR, 1, 1, sl_rule_math, sl_kernel_exp, NULL)                          \
    X(LN, SL_FN_SCALAR, 1, 1, sl_rule_math, sl_kernel_ln, NULL)                            \
    X(LOG10, SL_FN_SCALAR, 1, 1, sl_rule_math, sl_kernel_log10, NULL)                      \
    X(CURRENT_TIMESTAMP, SL_FN_SCALAR, 0, 0, sl_rule_now_timestamp, sl_kernel_current_timestamp, NULL) \
    X(LOCALTIMESTAMP, SL_FN_SCALAR, 0, 0, sl_rule_now_timestamp, sl_kernel_current_timestamp, NULL) \
    X(CURRENT_ROW_TIMESTAMP, SL_FN_SCALAR, 0, 0, sl_rule_now_timestamp, sl_kernel_current_row_timestamp, NULL) \
    X(CURRENT_DATE, SL_FN_SCALAR, 0, 0, sl_rule_now_date, sl_kernel_current_date, NULL)   \
    X(CURRENT_TIME, SL_FN_SCALAR, 0, 0, sl_rule_now_time, sl_kernel_current_time, NULL)   \
    X(LOCALTIME, SL_FN_SCALAR, 0, 0, sl_rule_now_time, sl_kernel_current_time, NULL)      \
    X(EXTRACT, SL_FN_SCALAR, 1, 1, sl_rule_extract, sl_kernel_extract, NULL)               \
    X(TSDIFF, SL_FN_SCALAR, 2, 2, sl_rule_tsdiff, sl_kernel_tsdiff, NULL)                  \
    X(TO_TIMESTAMP, SL_FN_SCALAR, 1, 1, sl_rule_to_timestamp, sl_kernel_epoch_ms, NULL)    \
    X(UNIX_TIMESTAMP, SL_FN_SCALAR, 1, 1, sl_rule_unix_timestamp, sl_kernel_epoch_ms, NULL) \
    X(CHAR_TO_TIMESTAMP, SL_FN_SCALAR, 2, 2, sl_rule_char_to_timestamp, sl_kernel_char_to_timestamp, NULL) \
    X(CHAR_TO_DATE, SL_FN_SCALAR, 2, 2, sl_rule_char_to_date, sl_kernel_char_to_date, NULL) \
    X(CHAR_TO_TIME, SL_FN_SCALAR, 2, 2, sl_rule_char_to_time, sl_kernel_char_to_time, NULL) \
    X(TIMESTAMP_TO_CHAR, SL_FN_SCALAR, 2, 2, sl_rule_timestamp_to_char, sl_kernel_to_char, NULL) \
    X(DATE_TO_CHAR, SL_FN_SCALAR, 2, 2, sl_rule_date_to_char, sl_kernel_to_char, NULL)    \
    X(TIME_TO_CHAR, SL_FN_SCALAR, 2, 2, sl_rule_time_to_char, sl_kernel_to_char, NULL)    \
    X(W3C_LOG_PARSE, SL_FN_ROW, 2, 2, sl_rule_w3c_log_parse, sl_kernel_w3c_log_parse, NULL) \
    X(SYS_LOG_PARSE, SL_FN_ROW, 1, 1, sl_rule_sys_log_parse, sl_kernel_sys_log_parse, NULL) \
    X(REGEX_LOG_PARSE, SL_FN_ROW, 2, 3, sl_rule_regex_log_parse, sl_kernel_regex_log_parse, NULL) \
    X(FAST_REGEX_LOG_PARSE, SL_FN_ROW, 2, 2, sl_rule_fast_regex_log_parse, sl_kernel_fast_regex_log_parse, NULL) \
    X(FIXED_COLUMN_LOG_PARSE, SL_FN_ROW, 2, 2, sl_rule_fixed_column_log_parse, sl_kernel_fixed_column_log_parse, NULL) \
    X(VARIABLE_COLUMN_LOG_PARSE, SL_FN_ROW, 3, 5, sl_rule_variable_column_log_parse, sl_kernel_variable_column_log_parse, NULL)

#endif
