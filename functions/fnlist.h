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

#define SL_FUNCTIONS(X)                                                                    \
    X(COUNT, SL_FN_AGGREGATE, 0, 1, sl_rule_bigint, NULL, &sl_agg_count)                   \
    X(SUM, SL_FN_AGGREGATE, 1, 1, sl_rule_sum, NULL, &sl_agg_sum)                          \
    X(AVG, SL_FN_AGGREGATE, 1, 1, sl_rule_avg, NULL, &sl_agg_avg)                          \
    X(MIN, SL_FN_AGGREGATE, 1, 1, sl_rule_minmax, NULL, &sl_agg_min)                       \
    X(MAX, SL_FN_AGGREGATE, 1, 1, sl_rule_minmax, NULL, &sl_agg_max)                       \
    X(FLOOR, SL_FN_SCALAR, 1, 1, sl_rule_floor_ceil, sl_kernel_floor, NULL)                \
    X(CEIL, SL_FN_SCALAR, 1, 1, sl_rule_floor_ceil, sl_kernel_ceil, NULL)                  \
    X(CEILING, SL_FN_SCALAR, 1, 1, sl_rule_floor_ceil, sl_kernel_ceil, NULL)               \
    X(STEP, SL_FN_SCALAR, 2, 2, sl_rule_step, sl_kernel_step, NULL)

#endif
