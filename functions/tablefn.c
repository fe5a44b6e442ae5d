/*
 * tablefn.c - batch adapters of RANDOM_CUT_FOREST(_WITH_EXPLANATION) and HOTSPOTS
 * (contract in tablefn.h).
 */
#include "tablefn.h"

#include "alloc.h"
#include "buf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int sl_tablefn_numeric_columns(const char *fn, const sl_type_t *types, int ncols, int *cols,
                               char *err, size_t errlen)
{
    return sl_tablefn_numeric_columns_named(fn, types, NULL, ncols, cols, err, errlen);
}

int sl_tablefn_numeric_columns_named(const char *fn, const sl_type_t *types,
                                     const char *const *names, int ncols, int *cols, char *err,
                                     size_t errlen)
{
    int n = 0;
    for (int i = 0; i < ncols; i++) {
        switch ((sl_tid_t)types[i].id) {
        case SL_T_TINYINT:
        case SL_T_SMALLINT:
        case SL_T_INTEGER:
        case SL_T_BIGINT:
        case SL_T_REAL:
        case SL_T_DOUBLE:
            cols[n++] = i;
            break;
        case SL_T_DECIMAL:
            if (names && names[i])
                snprintf(err, errlen, "%s does not support DECIMAL columns (%s); use DOUBLE", fn,
                         names[i]);
            else
                snprintf(err, errlen, "%s does not support DECIMAL columns (column %d); use DOUBLE",
                         fn, i + 1);
            return -1;
        default: /* passed through, not scored */
            break;
        }
    }
    if (n == 0) {
        snprintf(err, errlen,
                 "%s needs at least one numeric column (DOUBLE, INTEGER, FLOAT, TINYINT, "
                 "SMALLINT, REAL or BIGINT)",
                 fn);
        return -1;
    }
    if (n > SL_RCF_MAX_COLUMNS) {
        snprintf(err, errlen, "%s takes at most 30 numeric columns, the input has %d", fn, n);
        return -1;
    }
    return n;
}

bool sl_tablefn_rcf_config(sl_rcf_config_t *cfg, int dims, const int64_t *args, int nargs,
                           bool explanation, bool *directionality, char *err, size_t errlen)
{
    const char *fn = explanation ? "RANDOM_CUT_FOREST_WITH_EXPLANATION" : "RANDOM_CUT_FOREST";
    int max = explanation ? 5 : 4;
    if (nargs < 0 || nargs > max) {
        snprintf(err, errlen, "%s takes a CURSOR and at most %d more arguments", fn, max);
        return false;
    }
    sl_rcf_config_default(cfg, dims);
    if (directionality) *directionality = false;
    /* Ranges first on the 64-bit values, so that no cast hides an out-of-range one. */
    static const int64_t lo[] = {1, SL_RCF_MIN_SAMPLE, 1, 1, 0};
    static const int64_t hi[] = {SL_RCF_MAX_TREES, SL_RCF_MAX_SAMPLE, SL_RCF_MAX_DECAY,
                                 SL_RCF_MAX_SHINGLE, 1};
    static const char *const what[] = {
        "numberOfTrees must be between 1 and 1000", "subSampleSize must be between 10 and 1000",
        "timeDecay must be between 1 and 2147483647", "shingleSize must be between 1 and 30",
        "withDirectionality must be TRUE or FALSE"};
    for (int i = 0; i < nargs; i++)
        if (args[i] < lo[i] || args[i] > hi[i]) {
            snprintf(err, errlen, "%s: %s", fn, what[i]);
            return false;
        }
    if (nargs > 0) cfg->trees = (int)args[0];
    if (nargs > 1) cfg->sample_size = (int)args[1];
    if (nargs > 2) cfg->time_decay = args[2];
    if (nargs > 3) cfg->shingle_size = (int)args[3];
    if (nargs > 4 && directionality) *directionality = args[4] != 0;
    const char *msg = sl_rcf_config_check(cfg);
    if (msg) {
        snprintf(err, errlen, "%s: %s", fn, msg);
        return false;
    }
    return true;
}

bool sl_tablefn_hotspots_config(sl_hotspots_config_t *cfg, int dims, const double *args, int nargs,
                                char *err, size_t errlen)
{
    if (nargs != 3) {
        snprintf(err, errlen,
                 "HOTSPOTS takes a CURSOR, windowSize, scanRadius and "
                 "minimumNumberOfPointsInAHotspot");
        return false;
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->dims = dims;
    /* Integral arguments out of range are caught here before the casts. */
    if (!(args[0] >= SL_HOTSPOTS_MIN_WINDOW && args[0] <= SL_HOTSPOTS_MAX_WINDOW) ||
        args[0] != floor(args[0])) {
        snprintf(err, errlen, "HOTSPOTS: windowSize must be between 100 and 1000");
        return false;
    }
    cfg->window_size = (int)args[0];
    cfg->scan_radius = args[1];
    if (!(args[2] >= 2 && args[2] <= args[0]) || args[2] != floor(args[2])) {
        snprintf(err, errlen,
                 "HOTSPOTS: minimumNumberOfPointsInAHotspot must be between 2 and windowSize");
        return false;
    }
    cfg->min_points = (int)args[2];
    const char *msg = sl_hotspots_config_check(cfg);
    if (msg) {
        snprintf(err, errlen, "HOTSPOTS: %s", msg);
        return false;
    }
    return true;
}

void sl_tablefn_gather(const sl_batch_t *b, const int *cols, int ncols, size_t row0, size_t n,
                       double *out)
{
    for (int k = 0; k < ncols; k++) {
        const sl_vec_t *v = &b->cols[cols[k]];
        bool f64 = sl_type_phys(v->type) == SL_PHYS_F64;
        for (size_t i = 0; i < n; i++) {
            size_t r = row0 + i;
            double x;
            if (v->null && v->null[r])
                x = NAN;
            else
                x = f64 ? v->v.f[r] : (double)v->v.i[r];
            out[i * (size_t)ncols + (size_t)k] = x;
        }
    }
}

/* Rows gathered and scored at a time. */
#define TABLEFN_CHUNK 256

void sl_tablefn_rcf_batch(sl_rcf_t *f, const sl_batch_t *in, const int *cols, int ncols,
                          sl_vec_t *score, sl_vec_t *expl, const char *const *names,
                          bool directionality, sl_arena_t *arena)
{
    double *rows = sl_malloc((size_t)TABLEFN_CHUNK * (size_t)ncols * sizeof(double));
    double *hi = NULL, *lo = NULL;
    if (expl) {
        hi = sl_malloc((size_t)TABLEFN_CHUNK * (size_t)ncols * sizeof(double));
        lo = sl_malloc((size_t)TABLEFN_CHUNK * (size_t)ncols * sizeof(double));
    }
    sl_buf_t json = SL_BUF_INIT;
    for (size_t r0 = 0; r0 < in->n; r0 += TABLEFN_CHUNK) {
        size_t n = in->n - r0 < TABLEFN_CHUNK ? in->n - r0 : TABLEFN_CHUNK;
        sl_tablefn_gather(in, cols, ncols, r0, n, rows);
        sl_rcf_score_update_batch(f, rows, n, score->v.f + r0, hi, lo);
        for (size_t i = 0; i < n; i++) {
            if (score->null) score->null[r0 + i] = 0;
            if (!expl) continue;
            sl_buf_reset(&json);
            sl_rcf_explain_format(&json, ncols, names, hi + i * (size_t)ncols,
                                  lo + i * (size_t)ncols, directionality);
            char *p = sl_arena_strndup(arena, json.p, json.len);
            expl->v.s[r0 + i] = (sl_str_t){p, (uint32_t)json.len};
            if (expl->null) expl->null[r0 + i] = 0;
        }
    }
    sl_buf_free(&json);
    sl_free(rows);
    sl_free(hi);
    sl_free(lo);
}

void sl_tablefn_hotspots_batch(sl_hotspots_t *h, const sl_batch_t *in, const int *cols, int ncols,
                               sl_vec_t *result, sl_arena_t *arena)
{
    double *row = sl_malloc((size_t)ncols * sizeof(double));
    sl_buf_t json = SL_BUF_INIT;
    for (size_t i = 0; i < in->n; i++) {
        sl_tablefn_gather(in, cols, ncols, i, 1, row);
        sl_hotspots_update(h, row);
        sl_buf_reset(&json);
        sl_hotspots_format(h, &json);
        char *p = sl_arena_strndup(arena, json.p, json.len);
        result->v.s[i] = (sl_str_t){p, (uint32_t)json.len};
        if (result->null) result->null[i] = 0;
    }
    sl_buf_free(&json);
    sl_free(row);
}
