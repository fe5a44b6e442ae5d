/*
 * test_functions_tablefn.c - the batch adapters of RANDOM_CUT_FOREST(_WITH_EXPLANATION)
 * and HOTSPOTS (functions/tablefn.h): KDA's column rules, argument ranges, and that a
 * batch gives the same scores as the library called row by row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "batch.h"
#include "tablefn.h"
#include "val.h"

#include <math.h>
#include <string.h>

/* Numeric columns are scored, DECIMAL refused, the rest passed through. */
static void test_columns(void **state)
{
    sl_type_t t[] = {sl_type_make(SL_T_VARCHAR),   sl_type_make(SL_T_INTEGER),
                     sl_type_make(SL_T_TIMESTAMP), sl_type_make(SL_T_DOUBLE),
                     sl_type_make(SL_T_BOOLEAN),   sl_type_make(SL_T_REAL)};
    int cols[6];
    char err[200];
    assert_int_equal(sl_tablefn_numeric_columns("RANDOM_CUT_FOREST", t, 6, cols, err, sizeof err),
                     3);
    assert_int_equal(cols[0], 1);
    assert_int_equal(cols[1], 3);
    assert_int_equal(cols[2], 5);
    t[2] = sl_type_make(SL_T_DECIMAL);
    assert_int_equal(sl_tablefn_numeric_columns("HOTSPOTS", t, 6, cols, err, sizeof err), -1);
    assert_non_null(strstr(err, "DECIMAL"));
    assert_int_equal(sl_tablefn_numeric_columns("HOTSPOTS", t, 1, cols, err, sizeof err), -1);
    assert_non_null(strstr(err, "numeric column"));
    sl_type_t many[31];
    for (int i = 0; i < 31; i++) many[i] = sl_type_make(SL_T_DOUBLE);
    int c31[31];
    assert_int_equal(
        sl_tablefn_numeric_columns("RANDOM_CUT_FOREST", many, 31, c31, err, sizeof err), -1);
}

/* Optional arguments from the right, KDA's ranges, withDirectionality. */
static void test_rcf_args(void **state)
{
    sl_rcf_config_t c;
    bool dir = true;
    char err[200];
    assert_true(sl_tablefn_rcf_config(&c, 2, NULL, 0, false, NULL, err, sizeof err));
    assert_int_equal(c.trees, 100);
    assert_int_equal(c.shingle_size, 1);
    int64_t a[] = {50, 128, 1000, 4, 1};
    assert_true(sl_tablefn_rcf_config(&c, 2, a, 5, true, &dir, err, sizeof err));
    assert_true(dir);
    assert_int_equal(c.trees, 50);
    assert_int_equal(c.sample_size, 128);
    assert_int_equal(c.time_decay, 1000);
    assert_int_equal(c.shingle_size, 4);
    assert_false(sl_tablefn_rcf_config(&c, 2, a, 5, false, NULL, err, sizeof err));
    int64_t bad[] = {100, 256, 100};
    assert_false(sl_tablefn_rcf_config(&c, 1, bad, 3, false, NULL, err, sizeof err));
    assert_non_null(strstr(err, "less than timeDecay"));
    int64_t huge[] = {100, 256, INT64_C(1) << 40};
    assert_false(sl_tablefn_rcf_config(&c, 1, huge, 3, false, NULL, err, sizeof err));
    assert_non_null(strstr(err, "timeDecay"));
    int64_t trees0[] = {0};
    assert_false(sl_tablefn_rcf_config(&c, 1, trees0, 1, false, NULL, err, sizeof err));
    assert_non_null(strstr(err, "numberOfTrees"));
    sl_hotspots_config_t hc;
    assert_true(sl_tablefn_hotspots_config(&hc, 2, (double[]){1000, 0.2, 17}, 3, err, sizeof err));
    assert_int_equal(hc.window_size, 1000);
    assert_false(sl_tablefn_hotspots_config(&hc, 2, (double[]){1000, 0.2}, 2, err, sizeof err));
    assert_false(sl_tablefn_hotspots_config(&hc, 2, (double[]){1e12, 0.2, 17}, 3, err, sizeof err));
    assert_non_null(strstr(err, "windowSize"));
    assert_false(sl_tablefn_hotspots_config(&hc, 2, (double[]){100, 0.2, 101}, 3, err, sizeof err));
    assert_false(sl_tablefn_hotspots_config(&hc, 2, (double[]){100, -1, 10}, 3, err, sizeof err));
    assert_non_null(strstr(err, "scanRadius"));
}

/* A batch (VARCHAR, INTEGER, DOUBLE with a NULL) scores as the library row by row, and
 * the explanation names the scored columns. */
static void test_rcf_batch(void **state)
{
    enum { N = 700 };
    sl_type_t t[] = {sl_type_make(SL_T_VARCHAR), sl_type_make(SL_T_INTEGER),
                     sl_type_make(SL_T_DOUBLE)};
    sl_batch_t *b = sl_batch_new(3, t, N);
    b->n = N;
    for (int i = 0; i < N; i++) {
        b->cols[0].v.s[i] = (sl_str_t){"x", 1};
        b->cols[1].v.i[i] = (i * 37) % 11;
        b->cols[2].v.f[i] = sin(i * 0.1);
    }
    b->cols[2].null[400] = 1;
    int cols[3];
    char err[200];
    assert_int_equal(sl_tablefn_numeric_columns("RANDOM_CUT_FOREST", t, 3, cols, err, sizeof err),
                     2);
    sl_rcf_config_t c;
    bool dir;
    int64_t args[] = {30, 64, 10000, 1, 1};
    assert_true(sl_tablefn_rcf_config(&c, 2, args, 5, true, &dir, err, sizeof err));
    sl_rcf_t *f = sl_rcf_new(&c), *g = sl_rcf_new(&c);
    sl_vec_t score, expl;
    sl_vec_alloc(&score, sl_type_make(SL_T_DOUBLE), N);
    sl_vec_alloc(&expl, sl_type_make(SL_T_VARCHAR), N);
    sl_arena_t *a = sl_arena_new(0);
    const char *names[] = {"COUNT", "LEVEL"};
    sl_tablefn_rcf_batch(f, b, cols, 2, &score, &expl, names, dir, a);
    for (int i = 0; i < N; i++) {
        double row[2] = {(double)b->cols[1].v.i[i], i == 400 ? NAN : b->cols[2].v.f[i]};
        double hi[2], lo[2];
        double s = sl_rcf_score_update_explain(g, row, hi, lo);
        assert_true(s == score.v.f[i]);
        if (i == 400) assert_true(s == 0);
        const char *e = sl_arena_strndup(a, expl.v.s[i].p, expl.v.s[i].len);
        sl_val_t *v = sl_json_parse(a, e, strlen(e), &(const char *){NULL});
        assert_non_null(v);
        assert_non_null(sl_val_get(sl_val_get(v, "LEVEL"), "DIRECTION"));
    }
    assert_true(score.v.f[N - 1] > 0);
    sl_vec_free(&score);
    sl_vec_free(&expl);
    sl_arena_free(a);
    sl_rcf_free(f);
    sl_rcf_free(g);
    sl_batch_free(b);
}

/* HOTSPOTS_RESULT per row. */
static void test_hotspots_batch(void **state)
{
    sl_type_t t[] = {sl_type_make(SL_T_DOUBLE), sl_type_make(SL_T_BIGINT)};
    sl_batch_t *b = sl_batch_new(2, t, 150);
    b->n = 150;
    for (int i = 0; i < 150; i++) {
        b->cols[0].v.f[i] = i < 120 ? 1.0 + (i % 5) * 0.01 : 100 + i;
        b->cols[1].v.i[i] = i < 120 ? 7 : i * 100;
    }
    int cols[2];
    char err[200];
    assert_int_equal(sl_tablefn_numeric_columns("HOTSPOTS", t, 2, cols, err, sizeof err), 2);
    sl_hotspots_config_t hc;
    assert_true(sl_tablefn_hotspots_config(&hc, 2, (double[]){100, 0.5, 10}, 3, err, sizeof err));
    sl_hotspots_t *h = sl_hotspots_new(&hc);
    sl_vec_t res;
    sl_vec_alloc(&res, sl_type_make(SL_T_VARCHAR), 150);
    sl_arena_t *a = sl_arena_new(0);
    sl_tablefn_hotspots_batch(h, b, cols, 2, &res, a);
    assert_true(res.v.s[0].len == strlen("{\"hotspots\":[]}"));
    assert_memory_equal(res.v.s[0].p, "{\"hotspots\":[]}", res.v.s[0].len);
    /* Row 149: the window holds rows 50..149, 70 of them in the cluster. */
    const char *last = sl_arena_strndup(a, res.v.s[149].p, res.v.s[149].len);
    assert_non_null(strstr(last, "\"density\":280,\"minValues\":[1,7],\"maxValues\":[1.04,7]"));
    sl_vec_free(&res);
    sl_arena_free(a);
    sl_hotspots_free(h);
    sl_batch_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_rcf_args),
        cmocka_unit_test(test_rcf_batch),
        cmocka_unit_test(test_hotspots_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
